import type { Random } from '../random.ts';
import { pickIndexByWeight, pickIndexUniform } from './random-choice.ts';
import { healthyOrAll } from './record-health.ts';
import type { HealthLookup, RecordSet } from './record-set.ts';

/**
 * Weighted routing: one record, chosen with probability weight / sum of weights, from one draw.
 * - Unhealthy records are left out; if none is healthy, all count as healthy.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * - Weight 0 drains a record, but Route 53 "initially considers only the nonzero weighted records";
 *   zero-weight records are answered when every nonzero one is unhealthy (same page), and when every
 *   weight is 0, "traffic is routed to all resources with equal probability".
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted.html
 */
export function weightedTargets(recordSet: RecordSet, health: HealthLookup, random: Random): readonly string[] {
  const pool = healthyOrAll(recordSet, health);
  const nonzero = pool.filter((record) => record.weight! > 0);
  const chosen =
    nonzero.length > 0
      ? nonzero[pickIndexByWeight(nonzero.map((record) => record.weight!), random)]!
      : pool[pickIndexUniform(pool.length, random)]!;
  return [chosen.targetRegion];
}
