/**
 * Exact decimal numbers for DynamoDB's N type: an integer coefficient scaled by a power of ten, in
 * BigInt, so that comparison and addition are exact for integers and decimals alike (floating point
 * would make 0.1 + 0.2 ≠ 0.3 and lose digits past 2^53).
 *
 * DynamoDB numbers: "Numbers can have up to 38 digits of precision … Positive range: 1E-130 to
 * 9.9999999999999999999999999999999999999E+125; negative range: -9.99…E+125 to -1E-130."
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */

export interface Decimal {
  /** Signed coefficient without trailing zeros (0 for zero). */
  readonly coefficient: bigint;
  /** value = coefficient × 10^exponent; 0 for zero. */
  readonly exponent: number;
}

export const SIGNIFICANT_DIGITS_MAX = 38;
/** Largest decimal exponent of the leading digit (9.99…E+125). */
export const LEADING_EXPONENT_MAX = 125;
/** Smallest decimal exponent of the leading digit (1E-130). */
export const LEADING_EXPONENT_MIN = -130;

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const ZERO: Decimal = { coefficient: 0n, exponent: 0 };

/** Parses a decimal string; undefined when the text is not a number. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, sign, integerDigits = '', fractionDigits = '', exponentText] = match;
  if (integerDigits === '' && fractionDigits === '') return undefined;
  const exponentShift = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponentShift)) return undefined;
  const digits = (integerDigits + fractionDigits).replace(/^0+/, '');
  if (digits === '') return ZERO;
  const magnitude = BigInt(digits);
  return normalise(sign === '-' ? -magnitude : magnitude, exponentShift - fractionDigits.length);
}

function normalise(coefficient: bigint, exponent: number): Decimal {
  if (coefficient === 0n) return ZERO;
  let value = coefficient;
  let scale = exponent;
  while (value % 10n === 0n) {
    value /= 10n;
    scale += 1;
  }
  return { coefficient: value, exponent: scale };
}

/** The number of significant digits (1 for zero). */
export function significantDigits(value: Decimal): number {
  const magnitude = value.coefficient < 0n ? -value.coefficient : value.coefficient;
  return magnitude === 0n ? 1 : magnitude.toString().length;
}

/** The decimal exponent of the leading digit: 123.4 → 2, 0.05 → -2 (0 for zero). */
export function leadingExponent(value: Decimal): number {
  return value.coefficient === 0n ? 0 : value.exponent + significantDigits(value) - 1;
}

/** Plain notation without exponent or redundant zeros, as DynamoDB returns numbers: "-12.5", "0.001", "100". */
export function formatDecimal(value: Decimal): string {
  if (value.coefficient === 0n) return '0';
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  let text: string;
  if (value.exponent >= 0) {
    text = digits + '0'.repeat(value.exponent);
  } else {
    const pointAt = digits.length + value.exponent;
    text = pointAt > 0 ? `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}` : `0.${'0'.repeat(-pointAt)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

function aligned(left: Decimal, right: Decimal): [bigint, bigint, number] {
  const exponent = Math.min(left.exponent, right.exponent);
  return [
    left.coefficient * 10n ** BigInt(left.exponent - exponent),
    right.coefficient * 10n ** BigInt(right.exponent - exponent),
    exponent,
  ];
}

export function compareDecimal(left: Decimal, right: Decimal): -1 | 0 | 1 {
  const leftSign = signOf(left.coefficient);
  const rightSign = signOf(right.coefficient);
  if (leftSign !== rightSign) return leftSign < rightSign ? -1 : 1;
  if (leftSign === 0) return 0;
  const [a, b] = aligned(left, right);
  return a < b ? -1 : a > b ? 1 : 0;
}

function signOf(value: bigint): -1 | 0 | 1 {
  return value < 0n ? -1 : value > 0n ? 1 : 0;
}

export function addDecimal(left: Decimal, right: Decimal): Decimal {
  const [a, b, exponent] = aligned(left, right);
  return normalise(a + b, exponent);
}

export function negateDecimal(value: Decimal): Decimal {
  return { coefficient: -value.coefficient, exponent: value.exponent };
}

export function subtractDecimal(left: Decimal, right: Decimal): Decimal {
  return addDecimal(left, negateDecimal(right));
}

/** Why a value cannot be stored as a DynamoDB number, or undefined when it can. */
export function decimalRangeProblem(value: Decimal): string | undefined {
  if (value.coefficient === 0n) return undefined;
  if (significantDigits(value) > SIGNIFICANT_DIGITS_MAX) return 'Attempting to store more than 38 significant digits in a Number';
  const leading = leadingExponent(value);
  if (leading > LEADING_EXPONENT_MAX) return 'Number overflow. Attempting to store a number with magnitude larger than supported range';
  if (leading < LEADING_EXPONENT_MIN) return 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
  return undefined;
}
