import { auroraSecondaries, mrscRegionSet, multiWriterEngine, residencyReplicasInZone, residencyZoneDefined, strongOnLastWriterWins, zoneRegionsInSpec } from './rules/data-rules.ts';
import { deployOrder, regionNotInSpec, regionRoles, regionWithoutMeasurements, unknownRegion } from './rules/region-rules.ts';
import {
  edgeAndPolicy,
  failoverHealthCheck,
  failoverPrimary,
  geolocationCoverage,
  healthCheckSettings,
  healthCheckedTtl,
  routingGroupTtl,
  weightedWeights,
} from './rules/routing-rules.ts';
import type { ParsedSpec, SpecRule } from './rules/rule.ts';
import { nonNegative, populationMix, populationPlaces, sloAvailability, specShape } from './rules/value-rules.ts';
import type { ResolvedSpec } from './resolved-spec.ts';
import type { SpecIssue } from './spec-issue.ts';

/** Every rule, in the order their findings are reported. */
export const SPEC_RULES: readonly SpecRule[] = [
  specShape,
  unknownRegion,
  regionNotInSpec,
  regionRoles,
  regionWithoutMeasurements,
  zoneRegionsInSpec,
  residencyZoneDefined,
  residencyReplicasInZone,
  strongOnLastWriterWins,
  multiWriterEngine,
  auroraSecondaries,
  mrscRegionSet,
  populationPlaces,
  populationMix,
  failoverHealthCheck,
  failoverPrimary,
  geolocationCoverage,
  weightedWeights,
  healthCheckSettings,
  healthCheckedTtl,
  routingGroupTtl,
  edgeAndPolicy,
  sloAvailability,
  nonNegative,
  deployOrder,
];

export function validateSpec(spec: ResolvedSpec, parsed: ParsedSpec): SpecIssue[] {
  return SPEC_RULES.flatMap((rule) => rule.check(spec, parsed));
}
