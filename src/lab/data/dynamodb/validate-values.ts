import { decimalRangeProblem, formatDecimal, parseDecimal } from '../values/decimal.ts';
import { ATTRIBUTE_TYPES, type AttributeType, type AttributeValue, type Item } from '../values/attribute-value.ts';
import { ValidationError } from './dynamodb-errors.ts';

/**
 * Checks attribute values from a request and returns them canonical: numbers normalised ("01.50" →
 * "1.5", as DynamoDB returns them), map and item attribute names sorted, set elements sorted. Equal
 * items therefore serialise to equal JSON, which is what the store keeps.
 * Messages follow DynamoDB's (dynalite records them, validations/index.js).
 */

/** Nesting deeper than DynamoDB's 32 levels is refused before it can exhaust the stack. */
const NESTING_DEPTH_MAX = 32;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function validateItem(raw: unknown, where = 'Item'): Item {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError(`${where} must be a map of attribute values`);
  return validateMap(raw as Record<string, unknown>, 0);
}

export function validateAttributeValue(raw: unknown): AttributeValue {
  return validateValue(raw, 0);
}

function validateMap(raw: Record<string, unknown>, depth: number): Item {
  const result: Record<string, AttributeValue> = {};
  for (const name of Object.keys(raw).sort()) result[name] = validateValue(raw[name], depth);
  return result;
}

function validateValue(raw: unknown, depth: number): AttributeValue {
  if (depth > NESTING_DEPTH_MAX) throw new ValidationError('Nesting Levels have exceeded supported limits: Nesting Levels have exceeded the maximum of 32');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  const types = Object.keys(raw).filter((key) => (raw as Record<string, unknown>)[key] !== undefined && (raw as Record<string, unknown>)[key] !== null);
  if (types.length === 0) throw new ValidationError('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  if (types.length > 1) {
    throw new ValidationError('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  }
  const type = types[0] as AttributeType;
  if (!ATTRIBUTE_TYPES.includes(type)) throw new ValidationError(`Supplied AttributeValue has an unknown datatype: ${type}`);
  return validatePayload(type, (raw as Record<string, unknown>)[type], depth);
}

function validatePayload(type: AttributeType, payload: unknown, depth: number): AttributeValue {
  switch (type) {
    case 'S':
      return { S: expectString(payload, type) };
    case 'N':
      return { N: canonicalNumber(expectString(payload, type)) };
    case 'B':
      return { B: expectBase64(payload) };
    case 'BOOL':
      if (typeof payload !== 'boolean') throw new ValidationError('BOOL attribute values must be true or false');
      return { BOOL: payload };
    case 'NULL':
      if (payload !== true) throw new ValidationError('One or more parameter values were invalid: Null attribute value types must have the value of true');
      return { NULL: true };
    case 'M':
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new ValidationError('M attribute values must be maps');
      return { M: validateMap(payload as Record<string, unknown>, depth + 1) };
    case 'L':
      if (!Array.isArray(payload)) throw new ValidationError('L attribute values must be lists');
      return { L: payload.map((element) => validateValue(element, depth + 1)) };
    case 'SS':
      return { SS: validateSet(payload, 'string', (text) => expectString(text, 'S')) };
    case 'NS':
      return { NS: validateSet(payload, 'number', (text) => canonicalNumber(expectString(text, 'N'))) };
    case 'BS':
      return { BS: validateSet(payload, 'binary', expectBase64) };
  }
}

function validateSet(payload: unknown, kind: 'string' | 'number' | 'binary', element: (raw: unknown) => string): string[] {
  if (!Array.isArray(payload)) throw new ValidationError(`A ${kind} set must be a list`);
  if (payload.length === 0) {
    throw new ValidationError(`One or more parameter values were invalid: An ${kind} set  may not be empty`);
  }
  const elements = payload.map(element);
  const unique = new Set(elements);
  if (unique.size !== elements.length) {
    throw new ValidationError(`One or more parameter values were invalid: Input collection [${payload.join(', ')}] contains duplicates.`);
  }
  return elements.sort();
}

function expectString(payload: unknown, type: string): string {
  if (typeof payload !== 'string') throw new ValidationError(`${type} attribute values must be strings, got ${JSON.stringify(payload)}`);
  return payload;
}

function expectBase64(payload: unknown): string {
  if (typeof payload !== 'string' || !BASE64_PATTERN.test(payload)) throw new ValidationError('Binary attribute values must be base64 strings');
  return payload;
}

/** A number in DynamoDB's canonical text, or the ValidationException DynamoDB gives for it. */
export function canonicalNumber(text: string): string {
  const value = parseDecimal(text);
  if (value === undefined) throw new ValidationError(`The parameter cannot be converted to a numeric value: ${text}`);
  const problem = decimalRangeProblem(value);
  if (problem !== undefined) throw new ValidationError(problem);
  return formatDecimal(value);
}
