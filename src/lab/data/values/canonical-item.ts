import { typeOf, type AttributeValue, type Item } from './attribute-value.ts';

/**
 * The item with attribute names sorted at every level, so that equal items serialise to equal JSON.
 * Validated request items are canonical already; updates add names in the order they are written.
 */
export function canonicalItem(item: Item): Item {
  const result: Record<string, AttributeValue> = {};
  for (const name of Object.keys(item).sort()) result[name] = canonicalValue(item[name]!);
  return result;
}

function canonicalValue(value: AttributeValue): AttributeValue {
  const type = typeOf(value);
  if (type === 'M') return { M: canonicalItem((value as { M: Item }).M) };
  if (type === 'L') return { L: (value as { L: readonly AttributeValue[] }).L.map(canonicalValue) };
  return value;
}
