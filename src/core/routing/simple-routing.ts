import type { Random } from '../random.ts';
import { shuffledPrefix } from './random-choice.ts';
import type { RecordSet } from './record-set.ts';

/**
 * Simple routing: every value of the record, in random order, with no health checking. Route 53 only
 * consults health checks when it chooses between records, so a simple record keeps being answered when
 * its region is down; that is the point of contrast with the other policies.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-simple.html
 */
export function simpleTargets(recordSet: RecordSet, random: Random): readonly string[] {
  return shuffledPrefix(recordSet.records, recordSet.records.length, random).map((record) => record.targetRegion);
}
