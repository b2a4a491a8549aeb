import { typeOf, type AttributeValue } from '../../values/attribute-value.ts';
import type { SortKeyCondition, TableSchema } from '../../table-engine.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import { parseCondition, type Comparator, type Condition, type Operand } from './condition-expression.ts';
import { ExpressionError, type ExpressionAttributes } from './expression-syntax.ts';

/**
 * A Query's KeyConditionExpression: equality on the partition key, optionally AND one condition on the
 * sort key (=, <, <=, >, >=, BETWEEN, begins_with).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 */
export interface KeyCondition {
  readonly partitionKey: AttributeValue;
  readonly sortKeyCondition?: SortKeyCondition;
}

/** The operator seen from the key's side: `:v < sk` is `sk > :v`. */
const MIRRORED: Readonly<Record<string, SortKeyCondition['kind']>> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export function parseKeyCondition(source: string, attributes: ExpressionAttributes, schema: TableSchema): KeyCondition {
  const condition = parseCondition(source, attributes);
  const parts = flattenAnd(condition);
  if (parts.length > 2) throw new ExpressionError('KeyConditionExpressions must only contain one condition per key');
  const byAttribute = new Map<string, SortKeyCondition>();
  for (const part of parts) {
    const [name, keyCondition] = keyPart(part);
    if (byAttribute.has(name)) throw new ExpressionError('KeyConditionExpressions must only contain one condition per key');
    byAttribute.set(name, keyCondition);
  }
  const partition = byAttribute.get(schema.partitionKey.name);
  if (partition === undefined) throw new ValidationError(`Query condition missed key schema element: ${schema.partitionKey.name}`);
  if (partition.kind !== '=') throw new ValidationError('Query key condition not supported');
  checkType(partition.value, schema.partitionKey.type);
  const sortKey = schema.sortKey;
  for (const name of byAttribute.keys()) {
    if (name !== schema.partitionKey.name && name !== sortKey?.name) throw new ValidationError(`Query condition missed key schema element: ${sortKey?.name ?? name}`);
  }
  const sortCondition = sortKey === undefined ? undefined : byAttribute.get(sortKey.name);
  if (sortCondition === undefined) return { partitionKey: partition.value };
  for (const value of valuesOf(sortCondition)) checkType(value, sortKey!.type);
  if (sortCondition.kind === 'begins_with' && sortKey!.type === 'N') {
    throw new ValidationError('Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
  }
  return { partitionKey: partition.value, sortKeyCondition: sortCondition };
}

function flattenAnd(condition: Condition): Condition[] {
  if (condition.kind === 'and') return [...flattenAnd(condition.left), ...flattenAnd(condition.right)];
  if (condition.kind === 'or' || condition.kind === 'not' || condition.kind === 'in') {
    throw new ExpressionError(`Invalid operator used in KeyConditionExpression: ${condition.kind.toUpperCase()}`);
  }
  return [condition];
}

function keyPart(condition: Condition): [string, SortKeyCondition] {
  switch (condition.kind) {
    case 'compare':
      return comparisonPart(condition.comparator, condition.left, condition.right);
    case 'between': {
      const name = keyAttribute(condition.subject, 'BETWEEN');
      return [name, { kind: 'between', low: constant(condition.low), high: constant(condition.high) }];
    }
    case 'function': {
      if (condition.name !== 'begins_with') throw new ExpressionError(`Invalid operator used in KeyConditionExpression: ${condition.name}`);
      const name = keyAttribute(condition.operands[0]!, 'begins_with');
      return [name, { kind: 'begins_with', prefix: constant(condition.operands[1]!) }];
    }
    default:
      throw new ExpressionError('Invalid KeyConditionExpression structure');
  }
}

function comparisonPart(comparator: Comparator, left: Operand, right: Operand): [string, SortKeyCondition] {
  if (comparator === '<>') throw new ExpressionError('Invalid operator used in KeyConditionExpression: <>');
  if (left.kind === 'path' && right.kind === 'path') {
    throw new ExpressionError('Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
  }
  if (left.kind === 'path') return [keyAttribute(left, comparator), { kind: comparator, value: constant(right) }];
  return [keyAttribute(right, comparator), { kind: MIRRORED[comparator]!, value: constant(left) } as SortKeyCondition];
}

function keyAttribute(operand: Operand, operator: string): string {
  if (operand.kind === 'size') throw new ExpressionError('KeyConditionExpressions cannot contain nested operations');
  if (operand.kind !== 'path') {
    throw new ExpressionError(`Invalid condition in KeyConditionExpression: ${operator} operator must have the key attribute as its first operand`);
  }
  if (operand.path.length > 1) throw new ExpressionError('KeyConditionExpressions cannot have conditions on nested attributes');
  return operand.path[0] as string;
}

function constant(operand: Operand): AttributeValue {
  if (operand.kind !== 'value') throw new ExpressionError('Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
  return operand.value;
}

function valuesOf(condition: SortKeyCondition): AttributeValue[] {
  if (condition.kind === 'between') return [condition.low, condition.high];
  if (condition.kind === 'begins_with') return [condition.prefix];
  return [condition.value];
}

function checkType(value: AttributeValue, expected: string): void {
  if (typeOf(value) !== expected) throw new ValidationError('One or more parameter values were invalid: Condition parameter type does not match schema type');
}
