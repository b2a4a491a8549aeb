import { z } from 'zod';
import { SerializationError, ValidationError } from './dynamodb-errors.ts';

/**
 * Building blocks of the per-operation request schemas, and the translation of schema failures into
 * DynamoDB's answers: a member of the wrong JSON type is a SerializationException; a missing or
 * out-of-range member is a ValidationException worded as DynamoDB words it ("1 validation error
 * detected: Value 'x' at 'tableName' failed to satisfy constraint: Member must …").
 * Attribute values are checked apart (validate-values.ts): their rules are DynamoDB's, not JSON's.
 */

const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

export const tableNameSchema = z
  .string()
  .min(3, { error: 'Member must have length greater than or equal to 3' })
  .max(255, { error: 'Member must have length less than or equal to 255' })
  .regex(TABLE_NAME_PATTERN, { error: 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+' });

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An item or key: attribute name to attribute value. Only its JSON shape is checked here (a cheap
 * test instead of a per-entry record schema, on the path of every request); validate-values.ts checks
 * the values by DynamoDB's rules.
 */
export const attributeMapSchema = z.custom<Record<string, unknown>>(isJsonObject, { error: 'Member must be a map of attribute values' });

export const expressionAttributeNamesSchema = z.record(z.string(), z.string()).optional();
/** Values are checked as attribute values by request-expressions.ts. */
export const expressionAttributeValuesSchema = attributeMapSchema.optional();
export const returnConsumedCapacitySchema = z.enum(['INDEXES', 'TOTAL', 'NONE'], { error: enumMessage(['INDEXES', 'TOTAL', 'NONE']) }).optional();
export const returnItemCollectionMetricsSchema = z.enum(['SIZE', 'NONE'], { error: enumMessage(['SIZE', 'NONE']) }).optional();
export const returnOnConditionFailureSchema = z.enum(['ALL_OLD', 'NONE'], { error: enumMessage(['ALL_OLD', 'NONE']) }).optional();

export function enumMessage(values: readonly string[]): string {
  return `Member must satisfy enum value set: [${values.join(', ')}]`;
}

export function limitSchema(max: number) {
  return z
    .number()
    .int()
    .min(1, { error: 'Member must have value greater than or equal to 1' })
    .max(max, { error: `Member must have value less than or equal to ${max}` });
}

/**
 * Parameters of DynamoDB's legacy (pre-expression) API. Accepting them silently would change what a
 * request means, so the node refuses them and names the expression to use instead.
 */
const LEGACY_PARAMETERS: Readonly<Record<string, string>> = {
  Expected: 'ConditionExpression',
  ConditionalOperator: 'ConditionExpression or FilterExpression',
  AttributeUpdates: 'UpdateExpression',
  AttributesToGet: 'ProjectionExpression',
  KeyConditions: 'KeyConditionExpression',
  QueryFilter: 'FilterExpression',
  ScanFilter: 'FilterExpression',
};

/** Validates a request body against an operation's schema, answering failures the DynamoDB way. */
export function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SerializationError('The request body must be a JSON object');
  for (const name of Object.keys(body)) {
    const replacement = LEGACY_PARAMETERS[name];
    if (replacement !== undefined) throw new ValidationError(`The legacy parameter ${name} is not supported by this data node; use ${replacement}`);
  }
  // Without reportInput zod takes its compiled fast path (5x quicker here); the failing input is
  // needed only to word the error, so only a failure is parsed again with it.
  const fast = schema.safeParse(body);
  if (fast.success) return fast.data;
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const wrongType = result.error.issues.find((issue) => issue.code === 'invalid_type' && issue.input !== undefined);
  if (wrongType !== undefined) {
    throw new SerializationError(`Value at '${memberPath(wrongType.path)}' must be of type ${(wrongType as { expected: string }).expected}`);
  }
  const messages = result.error.issues.map(describeIssue);
  const count = `${messages.length} validation error${messages.length === 1 ? '' : 's'} detected`;
  throw new ValidationError(`${count}: ${messages.join('; ')}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const value = issue.input === undefined ? 'null' : `'${typeof issue.input === 'object' ? JSON.stringify(issue.input) : String(issue.input)}'`;
  const constraint = issue.code === 'invalid_type' ? 'Member must not be null' : issue.message;
  return `Value ${value} at '${memberPath(issue.path)}' failed to satisfy constraint: ${constraint}`;
}

/** DynamoDB names members in messages with a lower-case first letter: TableName → tableName. */
function memberPath(path: readonly PropertyKey[]): string {
  return path.map((step) => (typeof step === 'string' ? step.charAt(0).toLowerCase() + step.slice(1) : String(step))).join('.');
}
