import { compareDecimal, parseDecimal, type Decimal } from './decimal.ts';
import { typeOf, payloadOf, type AttributeValue, type Item } from './attribute-value.ts';

/**
 * Equality and order of attribute values as DynamoDB's expressions define them: numbers compare
 * numerically, strings and binary by their bytes (UTF-8 for strings), sets as unordered collections.
 * Values of different types are never equal and never ordered.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */

export function decimalOf(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new TypeError(`not a validated number: ${text}`);
  return value;
}

/** Byte order of two strings in UTF-8, which is code point order (JS `<` compares UTF-16 units). */
export function compareStrings(left: string, right: string): -1 | 0 | 1 {
  if (left === right) return 0;
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8')) as -1 | 0 | 1;
}

export function compareBinary(leftBase64: string, rightBase64: string): -1 | 0 | 1 {
  return Buffer.compare(Buffer.from(leftBase64, 'base64'), Buffer.from(rightBase64, 'base64')) as -1 | 0 | 1;
}

/** Order of two scalar values of the same orderable type (S, N, B); undefined when they cannot be ordered. */
export function compareScalars(left: AttributeValue, right: AttributeValue): -1 | 0 | 1 | undefined {
  const type = typeOf(left);
  if (type !== typeOf(right)) return undefined;
  if (type === 'N') return compareDecimal(decimalOf(payloadOf(left) as string), decimalOf(payloadOf(right) as string));
  if (type === 'S') return compareStrings(payloadOf(left) as string, payloadOf(right) as string);
  if (type === 'B') return compareBinary(payloadOf(left) as string, payloadOf(right) as string);
  return undefined;
}

export function valuesEqual(left: AttributeValue, right: AttributeValue): boolean {
  const type = typeOf(left);
  if (type !== typeOf(right)) return false;
  const a = payloadOf(left);
  const b = payloadOf(right);
  switch (type) {
    case 'S':
    case 'BOOL':
    case 'NULL':
      return a === b;
    case 'N':
    case 'B':
      return compareScalars(left, right) === 0;
    case 'SS':
      return setsEqual(a as string[], b as string[], (x, y) => x === y);
    case 'NS':
      return setsEqual(a as string[], b as string[], (x, y) => compareDecimal(decimalOf(x), decimalOf(y)) === 0);
    case 'BS':
      return setsEqual(a as string[], b as string[], (x, y) => compareBinary(x, y) === 0);
    case 'L':
      return listsEqual(a as AttributeValue[], b as AttributeValue[]);
    case 'M':
      return itemsEqual(a as Item, b as Item);
  }
}

function setsEqual(left: readonly string[], right: readonly string[], same: (x: string, y: string) => boolean): boolean {
  return left.length === right.length && left.every((x) => right.some((y) => same(x, y)));
}

function listsEqual(left: readonly AttributeValue[], right: readonly AttributeValue[]): boolean {
  return left.length === right.length && left.every((value, index) => valuesEqual(value, right[index]!));
}

export function itemsEqual(left: Item, right: Item): boolean {
  const names = Object.keys(left);
  if (names.length !== Object.keys(right).length) return false;
  return names.every((name) => right[name] !== undefined && valuesEqual(left[name]!, right[name]!));
}
