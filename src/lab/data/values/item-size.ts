import { significantDigits } from './decimal.ts';
import { decimalOf } from './compare-values.ts';
import { typeOf, payloadOf, type AttributeValue, type Item } from './attribute-value.ts';

/**
 * DynamoDB's item size, which its 400 KB limit is checked against: "the sum of the lengths of its
 * attribute names and values". Strings are UTF-8 bytes; a number is about 1 byte per two significant
 * digits plus 1; binary is its bytes; null and Boolean are 1 byte; a list or map costs 3 bytes plus 1
 * byte per element beside its elements; a set is the sum of its elements.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export const ITEM_SIZE_BYTES_MAX = 400 * 1024;

export function itemSizeBytes(item: Item): number {
  let total = 0;
  for (const name in item) total += Buffer.byteLength(name, 'utf8') + valueSizeBytes(item[name]!);
  return total;
}

export function valueSizeBytes(value: AttributeValue): number {
  const payload = payloadOf(value);
  switch (typeOf(value)) {
    case 'S':
      return Buffer.byteLength(payload as string, 'utf8');
    case 'N':
      return numberSizeBytes(payload as string);
    case 'B':
      return base64ByteLength(payload as string);
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (payload as string[]).reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
    case 'NS':
      return (payload as string[]).reduce((sum, text) => sum + numberSizeBytes(text), 0);
    case 'BS':
      return (payload as string[]).reduce((sum, text) => sum + base64ByteLength(text), 0);
    case 'L':
      return 3 + (payload as AttributeValue[]).reduce((sum, element) => sum + 1 + valueSizeBytes(element), 0);
    case 'M':
      return 3 + Object.keys(payload as Item).length + itemSizeBytes(payload as Item);
  }
}

function numberSizeBytes(text: string): number {
  return 1 + Math.ceil(significantDigits(decimalOf(text)) / 2);
}

/** Decoded length of a base64 string without decoding it. */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}
