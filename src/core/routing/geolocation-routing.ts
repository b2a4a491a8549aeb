import { isRecordHealthy } from './record-health.ts';
import type { DnsQuery, HealthLookup, RecordSet, RoutingRecord } from './record-set.ts';

/**
 * Geolocation routing: the record for the client's country, else its continent, else the default.
 * - No match and no default record: "no answer" (an empty answer, cached for the negative TTL).
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-geo.html
 * - With health evaluated, an unhealthy record gives way to the record for "the larger, associated
 *   geographic region" (country, then continent, then default); if all applicable records are
 *   unhealthy, Route 53 answers with the record for the smallest region.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-geo-alias.html
 * US subdivisions (states) are not modelled: Meridian's populations are countries.
 */
export function geolocationTargets(recordSet: RecordSet, query: DnsQuery, health: HealthLookup): readonly string[] {
  const applicable = applicableRecords(recordSet.records, query);
  if (applicable.length === 0) return [];
  const chosen = applicable.find((record) => isRecordHealthy(record, recordSet, health)) ?? applicable[0]!;
  return [chosen.targetRegion];
}

/** The records that cover the client, smallest area first. An unmapped client matches only the default. */
export function applicableRecords(records: readonly RoutingRecord[], query: DnsQuery): RoutingRecord[] {
  const matches = (record: RoutingRecord, kind: 'country' | 'continent' | 'default'): boolean => {
    const location = record.location;
    if (location?.kind !== kind) return false;
    if (location.kind === 'country') return location.countryCode === query.countryCode;
    if (location.kind === 'continent') return location.continentCode === query.continentCode;
    return true;
  };
  return (['country', 'continent', 'default'] as const)
    .map((kind) => records.find((record) => matches(record, kind)))
    .filter((record): record is RoutingRecord => record !== undefined);
}
