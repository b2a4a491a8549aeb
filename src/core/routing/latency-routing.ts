import { isRecordHealthy } from './record-health.ts';
import type { DnsQuery, HealthLookup, RecordSet, RoutingRecord } from './record-set.ts';
import { RoutingQueryError } from './routing-errors.ts';

/**
 * Latency routing: the record whose region has the lowest round trip from the client (Route 53 uses the
 * EDNS client subnet when the resolver sends one, else the resolver's address). An unhealthy record
 * gives way to the next lowest; when every record is unhealthy all count as healthy, so the answer is
 * the lowest-latency record anyway.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-latency.html
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * Equal round trips keep record order, so answers stay deterministic.
 */
export function latencyTargets(recordSet: RecordSet, query: DnsQuery, health: HealthLookup): readonly string[] {
  const ordered = byRoundTrip(recordSet.records, query);
  const chosen = ordered.find((record) => isRecordHealthy(record, recordSet, health)) ?? ordered[0]!;
  return [chosen.targetRegion];
}

function byRoundTrip(records: readonly RoutingRecord[], query: DnsQuery): RoutingRecord[] {
  const rttMs = (record: RoutingRecord): number => {
    const value = query.rttMsByRegion?.[record.targetRegion];
    if (value === undefined || !(value >= 0)) {
      throw new RoutingQueryError(`latency query for ${query.name} has no round trip to ${record.targetRegion}`);
    }
    return value;
  };
  return records
    .map((record, index) => ({ record, index, rttMs: rttMs(record) }))
    .sort((a, b) => a.rttMs - b.rttMs || a.index - b.index)
    .map((entry) => entry.record);
}
