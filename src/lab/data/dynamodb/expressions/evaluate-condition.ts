import { typeOf, payloadOf, type AttributeValue, type Item } from '../../values/attribute-value.ts';
import { compareBinary, compareScalars, valuesEqual } from '../../values/compare-values.ts';
import type { Condition, Operand } from './condition-expression.ts';
import { getAtPath, sizeOf } from './document-path.ts';

/**
 * Whether an item (undefined: no item) satisfies a parsed condition. A comparison with a missing
 * attribute or a value of another type is false (except <>, which is true), as in DynamoDB.
 */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  const subject = item ?? {};
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case 'or':
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case 'not':
      return !evaluateCondition(condition.condition, item);
    case 'compare':
      return compare(condition.comparator, resolve(condition.left, subject), resolve(condition.right, subject));
    case 'between':
      return between(resolve(condition.subject, subject), resolve(condition.low, subject), resolve(condition.high, subject));
    case 'in': {
      const value = resolve(condition.subject, subject);
      return value !== undefined && condition.candidates.some((candidate) => equalOrMissing(value, resolve(candidate, subject)));
    }
    case 'function':
      return evaluateFunction(condition, subject);
  }
}

function resolve(operand: Operand, item: Item): AttributeValue | undefined {
  if (operand.kind === 'value') return operand.value;
  const value = getAtPath(item, operand.path);
  if (operand.kind === 'path') return value;
  const size = sizeOf(value);
  return size === undefined ? undefined : { N: String(size) };
}

function equalOrMissing(left: AttributeValue, right: AttributeValue | undefined): boolean {
  return right !== undefined && valuesEqual(left, right);
}

function compare(comparator: string, left: AttributeValue | undefined, right: AttributeValue | undefined): boolean {
  if (comparator === '<>') return left === undefined || right === undefined || !valuesEqual(left, right);
  if (left === undefined || right === undefined) return false;
  if (comparator === '=') return valuesEqual(left, right);
  const order = compareScalars(left, right);
  if (order === undefined) return false;
  if (comparator === '<') return order < 0;
  if (comparator === '<=') return order <= 0;
  if (comparator === '>') return order > 0;
  return order >= 0;
}

function between(value: AttributeValue | undefined, low: AttributeValue | undefined, high: AttributeValue | undefined): boolean {
  if (value === undefined || low === undefined || high === undefined) return false;
  const aboveLow = compareScalars(value, low);
  const belowHigh = compareScalars(value, high);
  return aboveLow !== undefined && belowHigh !== undefined && aboveLow >= 0 && belowHigh <= 0;
}

function evaluateFunction(condition: Extract<Condition, { kind: 'function' }>, item: Item): boolean {
  const [first, second] = condition.operands.map((operand) => resolve(operand, item));
  switch (condition.name) {
    case 'attribute_exists':
      return first !== undefined;
    case 'attribute_not_exists':
      return first === undefined;
    case 'attribute_type':
      return first !== undefined && typeOf(first) === (second as { S: string }).S;
    case 'begins_with':
      return beginsWith(first, second);
    case 'contains':
      return contains(first, second);
  }
}

function beginsWith(value: AttributeValue | undefined, prefix: AttributeValue | undefined): boolean {
  if (value === undefined || prefix === undefined || typeOf(value) !== typeOf(prefix)) return false;
  if ('S' in value) return value.S.startsWith((prefix as { S: string }).S);
  if ('B' in value) {
    const bytes = Buffer.from(value.B, 'base64');
    const start = Buffer.from((prefix as { B: string }).B, 'base64');
    return bytes.subarray(0, start.length).equals(start);
  }
  return false;
}

/** contains(): a substring of a string, a sub-sequence of binary, an element of a set or a list. */
function contains(value: AttributeValue | undefined, operand: AttributeValue | undefined): boolean {
  if (value === undefined || operand === undefined) return false;
  const operandType = typeOf(operand);
  switch (typeOf(value)) {
    case 'S':
      return operandType === 'S' && (value as { S: string }).S.includes((operand as { S: string }).S);
    case 'B':
      return operandType === 'B' && Buffer.from((value as { B: string }).B, 'base64').includes(Buffer.from((operand as { B: string }).B, 'base64'));
    case 'SS':
    case 'NS':
    case 'BS':
      return setContains(value, operand);
    case 'L':
      return (value as { L: readonly AttributeValue[] }).L.some((element) => valuesEqual(element, operand));
    default:
      return false;
  }
}

function setContains(set: AttributeValue, element: AttributeValue): boolean {
  const setType = typeOf(set);
  if (typeOf(element) !== setType[0]) return false;
  const elements = payloadOf(set) as readonly string[];
  const wanted = payloadOf(element) as string;
  if (setType === 'BS') return elements.some((candidate) => compareBinary(candidate, wanted) === 0);
  return elements.includes(wanted);
}
