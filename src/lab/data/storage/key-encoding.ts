import { parseDecimal } from '../values/decimal.ts';
import type { KeyAttributeType } from '../values/attribute-value.ts';

/**
 * Key values as byte strings whose byte order (SQLite compares BLOBs with memcmp, shorter prefix
 * first) is DynamoDB's order for that key type, so that `ORDER BY sort_key` returns a Query in
 * DynamoDB's order and a range condition is an index range:
 * - S: UTF-8 bytes ("sorted … using the underlying UTF-8 string encoding");
 * - B: the bytes themselves ("treats each byte of the binary data as unsigned");
 * - N: numeric order, see `encodeNumber`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 * Equal numbers written differently ("1", "1.0", "10E-1") encode identically, so they are one key.
 */
export function encodeKeyValue(type: KeyAttributeType, payload: string): Buffer {
  if (type === 'S') return Buffer.from(payload, 'utf8');
  if (type === 'B') return Buffer.from(payload, 'base64');
  return encodeNumber(payload);
}

const NEGATIVE_MARKER = 0x00;
const ZERO_MARKER = 0x01;
const POSITIVE_MARKER = 0x02;
/** Ends a negative number so that a longer (more negative) digit run sorts before its prefix. */
const NEGATIVE_TERMINATOR = 0xff;
const EXPONENT_BIAS = 0x8000;

/**
 * A number as (sign marker, exponent, digits). With the value written 0.d1d2…dn × 10^E (d1 ≠ 0, no
 * trailing zeros): positives are [0x02, E + bias as 2 bytes, '0'+d1, …] — a larger E is larger, and
 * with equal E the digits compare as a decimal fraction, a proper prefix being smaller. Negatives are
 * the same with every byte after the marker complemented and a 0xff terminator, which reverses the
 * order; zero is the single byte 0x01 between them.
 */
export function encodeNumber(text: string): Buffer {
  const value = parseDecimal(text);
  if (value === undefined) throw new TypeError(`not a validated number: ${text}`);
  if (value.coefficient === 0n) return Buffer.of(ZERO_MARKER);
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  const fractionExponent = value.exponent + digits.length + EXPONENT_BIAS;
  const bytes = Buffer.allocUnsafe(3 + digits.length + (negative ? 1 : 0));
  bytes[0] = negative ? NEGATIVE_MARKER : POSITIVE_MARKER;
  bytes.writeUInt16BE(negative ? 0xffff - fractionExponent : fractionExponent, 1);
  for (let index = 0; index < digits.length; index++) {
    const digitByte = digits.charCodeAt(index);
    bytes[3 + index] = negative ? 0xff - digitByte : digitByte;
  }
  if (negative) bytes[bytes.length - 1] = NEGATIVE_TERMINATOR;
  return bytes;
}

/**
 * The smallest byte string greater than every string that starts with `prefix`, for turning
 * begins_with into a range; undefined when no such string exists (the prefix is all 0xff bytes).
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  for (let index = prefix.length - 1; index >= 0; index--) {
    if (prefix[index]! < 0xff) {
      const bound = Buffer.from(prefix.subarray(0, index + 1));
      bound[index] = prefix[index]! + 1;
      return bound;
    }
  }
  return undefined;
}
