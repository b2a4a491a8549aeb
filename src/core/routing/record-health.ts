import type { HealthLookup, RecordSet, RoutingRecord } from './record-set.ts';

/**
 * How Route 53 decides that a record is healthy, and what it does when none is.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * - "Records without a health check are always healthy."
 * - "If no record is healthy, all records are healthy": Route 53 must answer something, so it treats
 *   the whole group as healthy and chooses by the routing policy alone.
 */
export function isRecordHealthy(record: RoutingRecord, recordSet: RecordSet, health: HealthLookup): boolean {
  if (!recordSet.evaluateTargetHealth || record.healthCheckId === undefined) return true;
  return health(record.healthCheckId);
}

/** The healthy records of the group, or all of them when none is healthy. */
export function healthyOrAll(recordSet: RecordSet, health: HealthLookup): readonly RoutingRecord[] {
  const healthy = recordSet.records.filter((record) => isRecordHealthy(record, recordSet, health));
  return healthy.length > 0 ? healthy : recordSet.records;
}
