import { z } from 'zod';
import type { Item } from '../../values/attribute-value.ts';
import type { ItemPage, TableSchema } from '../../table-engine.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import type { Condition, Operand } from '../expressions/condition-expression.ts';
import { evaluateCondition } from '../expressions/evaluate-condition.ts';
import type { DocumentPath } from '../expressions/expression-syntax.ts';
import { projectItem } from '../expressions/projection-expression.ts';
import {
  attributeMapSchema,
  enumMessage,
  expressionAttributeNamesSchema,
  expressionAttributeValuesSchema,
  returnConsumedCapacitySchema,
  tableNameSchema,
} from '../request-schema.ts';

/** Members and answer shared by Query and Scan. */
const SELECT = ['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'] as const;
type Select = (typeof SELECT)[number];

export const pageRequestMembers = {
  TableName: tableNameSchema,
  IndexName: z.string().optional(),
  FilterExpression: z.string().optional(),
  ProjectionExpression: z.string().optional(),
  ExpressionAttributeNames: expressionAttributeNamesSchema,
  ExpressionAttributeValues: expressionAttributeValuesSchema,
  Limit: z.number().int().min(1, { error: 'Member must have value greater than or equal to 1' }).optional(),
  ExclusiveStartKey: attributeMapSchema.optional(),
  ConsistentRead: z.boolean().optional(),
  Select: z.enum(SELECT, { error: enumMessage(SELECT) }).optional(),
  ReturnConsumedCapacity: returnConsumedCapacitySchema,
};

export function checkPageRequest(request: { IndexName?: string | undefined; Select?: Select | undefined }, projection: readonly DocumentPath[] | undefined): void {
  if (request.IndexName !== undefined) throw new ValidationError('Secondary indexes are not supported by this data node yet');
  if (request.Select === 'COUNT' && projection !== undefined) {
    throw new ValidationError('Cannot specify the ProjectionExpression when choosing to get only the Count');
  }
  if (request.Select === 'SPECIFIC_ATTRIBUTES' && projection === undefined) {
    throw new ValidationError('Must specify the ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES');
  }
  if (request.Select === 'ALL_PROJECTED_ATTRIBUTES') throw new ValidationError('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
}

/** Filters run after the page is read, so Count may be below ScannedCount and even 0 with more pages. */
export function pageResponse(page: ItemPage, filter: Condition | undefined, projection: readonly DocumentPath[] | undefined, select: Select | undefined): object {
  const matching: readonly Item[] = filter === undefined ? page.items : page.items.filter((item) => evaluateCondition(filter, item));
  const response: Record<string, unknown> = { Count: matching.length, ScannedCount: page.items.length };
  if (select !== 'COUNT') response.Items = projection === undefined ? matching : matching.map((item) => projectItem(item, projection));
  if (page.lastEvaluatedKey !== undefined) response.LastEvaluatedKey = page.lastEvaluatedKey;
  return response;
}

/** A Query's filter may not name key attributes: they belong in the key condition. */
export function assertFilterOnNonKeys(filter: Condition | undefined, schema: TableSchema): void {
  if (filter === undefined) return;
  const keyNames = [schema.partitionKey.name, schema.sortKey?.name];
  for (const path of conditionPaths(filter)) {
    if (keyNames.includes(path[0] as string)) {
      throw new ValidationError(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${path[0]}`);
    }
  }
}

function conditionPaths(condition: Condition): DocumentPath[] {
  const operandPaths = (operands: readonly Operand[]): DocumentPath[] => operands.flatMap((operand) => (operand.kind === 'value' ? [] : [operand.path]));
  switch (condition.kind) {
    case 'and':
    case 'or':
      return [...conditionPaths(condition.left), ...conditionPaths(condition.right)];
    case 'not':
      return conditionPaths(condition.condition);
    case 'compare':
      return operandPaths([condition.left, condition.right]);
    case 'between':
      return operandPaths([condition.subject, condition.low, condition.high]);
    case 'in':
      return operandPaths([condition.subject, ...condition.candidates]);
    case 'function':
      return operandPaths(condition.operands);
  }
}
