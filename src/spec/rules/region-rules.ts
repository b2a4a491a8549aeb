import { findRegion, suggestRegion } from '../../catalog/regions.ts';
import { issueError, issueWarning, type SpecIssue } from '../spec-issue.ts';
import { formatPath } from '../spec-issue.ts';
import type { ResolvedSpec } from '../resolved-spec.ts';
import type { ParsedSpec, SpecRule } from './rule.ts';

/** Every place a spec names a region, with its path, so that one rule checks them all. */
export function regionReferences(parsed: ParsedSpec): { path: string; code: string; mustBeInSpec: boolean }[] {
  const references: { path: string; code: string; mustBeInSpec: boolean }[] = [];
  const add = (segments: (string | number)[], code: string, mustBeInSpec = true) =>
    references.push({ path: formatPath(segments), code, mustBeInSpec });
  for (const code of Object.keys(parsed.regions)) add(['regions', code], code, false);
  for (const [zone, members] of Object.entries(parsed.zones ?? {})) members.forEach((code, i) => add(['zones', zone, i], code));
  for (const [name, dataClass] of Object.entries(parsed.data ?? {})) {
    dataClass.replicas?.forEach((code, i) => add(['data', name, 'replicas', i], code));
    if (dataClass.witness !== undefined) add(['data', name, 'witness'], dataClass.witness, false);
  }
  for (const code of Object.keys(parsed.routing.weights ?? {})) add(['routing', 'weights', code], code);
  for (const code of Object.keys(parsed.routing.recordTtlSeconds ?? {})) add(['routing', 'recordTtlSeconds', code], code);
  const geolocation = parsed.routing.geolocation;
  for (const [key, code] of Object.entries(geolocation?.countries ?? {})) add(['routing', 'geolocation', 'countries', key], code);
  for (const [key, code] of Object.entries(geolocation?.continents ?? {})) add(['routing', 'geolocation', 'continents', key], code);
  if (geolocation?.default !== undefined) add(['routing', 'geolocation', 'default'], geolocation.default);
  parsed.deploy?.order?.forEach((code, i) => add(['deploy', 'order', i], code));
  return references;
}

export const unknownRegion: SpecRule = {
  id: 'unknown-region',
  description: 'Every region code is a real AWS commercial region in the catalog.',
  check(_spec, parsed) {
    return regionReferences(parsed)
      .filter((reference) => !findRegion(reference.code))
      .map((reference) => {
        const suggestion = suggestRegion(reference.code);
        const hint = suggestion ? ` (did you mean ${suggestion}?)` : ' (see `meridian regions`)';
        return issueError('unknown-region', reference.path, `unknown region code '${reference.code}'${hint}`);
      });
  },
};

export const regionNotInSpec: SpecRule = {
  id: 'region-not-in-spec',
  description: 'Zones, replicas, routing and deploy order name only regions listed under `regions`.',
  check(spec, parsed) {
    const inSpec = new Set(spec.regions.map((region) => region.code));
    return regionReferences(parsed)
      .filter((reference) => reference.mustBeInSpec && findRegion(reference.code) && !inSpec.has(reference.code))
      .map((reference) =>
        issueError('region-not-in-spec', reference.path, `region '${reference.code}' is not one of the spec's regions (${[...inSpec].join(', ')})`),
      );
  },
};

export const regionWithoutMeasurements: SpecRule = {
  id: 'region-without-measurements',
  description: 'Warns when a region has no measured round trips, so its latencies are estimates.',
  check(spec) {
    return spec.regions
      .filter((region) => findRegion(region.code) && !findRegion(region.code)!.inRttMatrix)
      .map((region) =>
        issueWarning('region-without-measurements', `regions.${region.code}`, `no measured round trips for ${region.code}: its latencies are estimated from its coordinates`),
      );
  },
};

export const deployOrder: SpecRule = {
  id: 'deploy-order',
  description: 'A deploy order lists every region exactly once.',
  check(spec, parsed) {
    const order = parsed.deploy?.order;
    if (!order) return [];
    const issues: SpecIssue[] = [];
    const seen = new Set<string>();
    order.forEach((code, i) => {
      if (seen.has(code)) issues.push(issueError('deploy-order', `deploy.order[${i}]`, `region '${code}' appears twice in the deploy order`));
      seen.add(code);
    });
    const missing = spec.regions.filter((region) => !seen.has(region.code)).map((region) => region.code);
    if (missing.length > 0) issues.push(issueError('deploy-order', 'deploy.order', `deploy order leaves out ${missing.join(', ')}`));
    return issues;
  },
};

export const regionRoles: SpecRule = {
  id: 'region-roles',
  description: 'At most one primary region.',
  check(spec: ResolvedSpec) {
    const primaries = spec.regions.filter((region) => region.role === 'primary');
    if (primaries.length <= 1 || spec.routing.policy === 'failover') return [];
    return [issueError('region-roles', `regions.${primaries[1]!.code}.role`, `more than one primary region (${primaries.map((r) => r.code).join(', ')})`)];
  },
};
