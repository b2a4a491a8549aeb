import type { Random } from '../random.ts';
import { shuffledPrefix } from './random-choice.ts';
import { healthyOrAll } from './record-health.ts';
import type { HealthLookup, RecordSet } from './record-set.ts';

/**
 * Multivalue answer routing: up to eight healthy records, selected at random, and different answers for
 * different resolvers. With eight or fewer healthy records every one is answered; when all records are
 * unhealthy Route 53 "responds to DNS queries with up to eight unhealthy records".
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-multivalue.html
 * The order is shuffled too, because clients tend to use the first address.
 */
export const MULTIVALUE_ANSWERS_MAX = 8;

export function multivalueTargets(recordSet: RecordSet, health: HealthLookup, random: Random): readonly string[] {
  return shuffledPrefix(healthyOrAll(recordSet, health), MULTIVALUE_ANSWERS_MAX, random).map((record) => record.targetRegion);
}
