/**
 * DynamoDB attribute values exactly as the JSON protocol carries them: numbers as decimal strings,
 * binary as base64 strings. Items keep this shape from the wire to storage and back, so nothing is
 * converted twice and the stored JSON is the item a client would see.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
 */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly M: Item }
  | { readonly L: readonly AttributeValue[] }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly string[] };

/** An item (or a map's content): attribute name to value. */
export type Item = { readonly [name: string]: AttributeValue };

/** The key attributes of an item: the partition key and, when the table has one, the sort key. */
export type ItemKey = Item;

export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS';

/** Types a key attribute may have. */
export type KeyAttributeType = 'S' | 'N' | 'B';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'];

/** The single type tag of a value that has passed validation. */
export function typeOf(value: AttributeValue): AttributeType {
  for (const key in value) return key as AttributeType;
  throw new TypeError('attribute value without a type');
}

/** The payload of a validated value under its type tag. */
export function payloadOf(value: AttributeValue): unknown {
  return (value as Record<string, unknown>)[typeOf(value)];
}

export function isSetType(type: AttributeType): type is 'SS' | 'NS' | 'BS' {
  return type === 'SS' || type === 'NS' || type === 'BS';
}

/** The scalar type of a set's elements: SS → S. */
export function elementTypeOfSet(type: 'SS' | 'NS' | 'BS'): KeyAttributeType {
  return type[0] as KeyAttributeType;
}

/** A value from a type tag and a payload of that type (the caller vouches for the match). */
export function makeValue(type: AttributeType, payload: unknown): AttributeValue {
  return { [type]: payload } as unknown as AttributeValue;
}
