import type { AttributeValue } from '../values/attribute-value.ts';
import type { TableSchema } from '../table-engine.ts';
import { ValidationError } from './dynamodb-errors.ts';
import { validateAttributeValue } from './validate-values.ts';
import { ExpressionAttributes, ExpressionError, type DocumentPath } from './expressions/expression-syntax.ts';
import { parseCondition, type Condition } from './expressions/condition-expression.ts';
import { parseProjection } from './expressions/projection-expression.ts';
import { parseUpdate, updatedPaths, type UpdateActions } from './expressions/update-expression.ts';
import { parseKeyCondition, type KeyCondition } from './expressions/key-condition.ts';

/**
 * The expressions of one request, parsed against its ExpressionAttributeNames and
 * ExpressionAttributeValues. Each parse failure becomes "Invalid <Kind>: <reason>"; a name or value
 * defined but never used fails the request, as in DynamoDB.
 */
export interface ExpressionParameters {
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  readonly ExpressionAttributeValues?: Readonly<Record<string, unknown>> | undefined;
}

const NAME_REFERENCE = /^#[A-Za-z0-9_]+$/;
const VALUE_REFERENCE = /^:[A-Za-z0-9_]+$/;

export class RequestExpressions {
  readonly #attributes: ExpressionAttributes;

  constructor(parameters: ExpressionParameters) {
    this.#attributes = new ExpressionAttributes(checkedNames(parameters.ExpressionAttributeNames), checkedValues(parameters.ExpressionAttributeValues));
  }

  condition(kind: 'ConditionExpression' | 'FilterExpression', source: string | undefined): Condition | undefined {
    return source === undefined ? undefined : parsing(kind, () => parseCondition(source, this.#attributes));
  }

  keyCondition(source: string, schema: TableSchema): KeyCondition {
    return parsing('KeyConditionExpression', () => parseKeyCondition(source, this.#attributes, schema));
  }

  projection(source: string | undefined): DocumentPath[] | undefined {
    return source === undefined ? undefined : parsing('ProjectionExpression', () => parseProjection(source, this.#attributes));
  }

  update(source: string, schema: TableSchema): UpdateActions {
    const actions = parsing('UpdateExpression', () => parseUpdate(source, this.#attributes));
    const keyNames = [schema.partitionKey.name, schema.sortKey?.name];
    for (const path of updatedPaths(actions)) {
      if (!keyNames.includes(path[0] as string)) continue;
      if (path.length > 1) {
        throw new ValidationError(`Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: ${path[0]}`);
      }
      throw new ValidationError(`One or more parameter values were invalid: Cannot update attribute ${path[0]}. This attribute is part of the key`);
    }
    return actions;
  }

  /** Call after parsing every expression of the request. */
  assertAllUsed(): void {
    const { names, values } = this.#attributes.unused();
    if (names.length > 0) throw new ValidationError(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${names.join(', ')}}`);
    if (values.length > 0) throw new ValidationError(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${values.join(', ')}}`);
  }
}

function parsing<T>(kind: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ExpressionError) throw new ValidationError(`Invalid ${kind}: ${error.message}`);
    throw error;
  }
}

function checkedNames(names: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (names === undefined) return {};
  const references = Object.keys(names);
  if (references.length === 0) throw new ValidationError('ExpressionAttributeNames must not be empty');
  for (const reference of references) {
    if (!NAME_REFERENCE.test(reference)) throw new ValidationError(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${reference}"`);
    if (names[reference] === '') throw new ValidationError(`ExpressionAttributeNames contains invalid value: Empty attribute name for key ${reference}`);
  }
  return { ...names };
}

function checkedValues(values: Readonly<Record<string, unknown>> | undefined): Record<string, AttributeValue> {
  if (values === undefined) return {};
  const references = Object.keys(values);
  if (references.length === 0) throw new ValidationError('ExpressionAttributeValues must not be empty');
  const checked: Record<string, AttributeValue> = {};
  for (const reference of references) {
    if (!VALUE_REFERENCE.test(reference)) throw new ValidationError(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${reference}"`);
    try {
      checked[reference] = validateAttributeValue(values[reference]);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(`ExpressionAttributeValues contains invalid value: ${error.message} for key ${reference}`);
      throw error;
    }
  }
  return checked;
}
