import { isRecordHealthy } from './record-health.ts';
import type { HealthLookup, RecordSet } from './record-set.ts';

/**
 * Failover routing (active-passive), per Route 53:
 * - primary healthy: the primary;
 * - primary unhealthy, secondary healthy: the secondary (a secondary without a health check is always
 *   healthy, so it is answered even if its region is down);
 * - both unhealthy: the primary.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 */
export function failoverTargets(recordSet: RecordSet, health: HealthLookup): readonly string[] {
  const primary = recordSet.records.find((record) => record.failoverRole === 'primary')!;
  const secondary = recordSet.records.find((record) => record.failoverRole === 'secondary');
  if (secondary === undefined || isRecordHealthy(primary, recordSet, health)) return [primary.targetRegion];
  return [isRecordHealthy(secondary, recordSet, health) ? secondary.targetRegion : primary.targetRegion];
}
