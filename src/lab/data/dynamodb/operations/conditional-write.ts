import type { Item } from '../../values/attribute-value.ts';
import type { MutationDecision } from '../../table-engine.ts';
import { ConditionalCheckFailedError, ValidationError } from '../dynamodb-errors.ts';
import type { Condition } from '../expressions/condition-expression.ts';
import { evaluateCondition } from '../expressions/evaluate-condition.ts';

/**
 * The decision shared by PutItem, UpdateItem and DeleteItem: check the condition against the current
 * item, then let `write` build the outcome. Runs inside the engine's atomic read-modify-write; failures
 * become 'reject' decisions, so the decider never throws.
 */
export function decideConditionalWrite(
  current: Item | undefined,
  condition: Condition | undefined,
  returnOldOnConditionFailure: boolean,
  write: (current: Item | undefined) => MutationDecision,
): MutationDecision {
  if (condition !== undefined && !evaluateCondition(condition, current)) {
    return { kind: 'reject', error: new ConditionalCheckFailedError(returnOldOnConditionFailure ? current : undefined) };
  }
  try {
    return write(current);
  } catch (error) {
    if (error instanceof ValidationError) return { kind: 'reject', error };
    throw error;
  }
}
