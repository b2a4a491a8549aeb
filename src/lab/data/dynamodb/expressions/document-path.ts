import { typeOf, type AttributeValue, type Item } from '../../values/attribute-value.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import type { DocumentPath } from './expression-syntax.ts';

/**
 * Reading and writing inside an item by document path. Writes are persistent: they copy only the maps
 * and lists along the path and share everything else, so the item they start from stays untouched (it
 * is the "old image" a caller may still return).
 */

const INVALID_PATH = 'The document path provided in the update expression is invalid for update';

export function getAtPath(item: Item, path: DocumentPath): AttributeValue | undefined {
  let current: AttributeValue | undefined = item[path[0] as string];
  for (let index = 1; index < path.length && current !== undefined; index++) {
    const step = path[index]!;
    if (typeof step === 'number') current = 'L' in current ? current.L[step] : undefined;
    else current = 'M' in current ? current.M[step] : undefined;
  }
  return current;
}

/** The item with `value` at `path`. The parent must exist; an index past a list's end appends. */
export function setAtPath(item: Item, path: DocumentPath, value: AttributeValue): Item {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...item, [head as string]: value };
  const child = item[head as string];
  if (child === undefined) throw new ValidationError(INVALID_PATH);
  return { ...item, [head as string]: setInside(child, rest, value) };
}

function setInside(container: AttributeValue, path: DocumentPath, value: AttributeValue): AttributeValue {
  const [step, ...rest] = path;
  if (typeof step === 'number') {
    if (!('L' in container)) throw new ValidationError(INVALID_PATH);
    const list = [...container.L];
    const index = Math.min(step, list.length);
    if (rest.length === 0) list[index] = value;
    else if (index === list.length) throw new ValidationError(INVALID_PATH);
    else list[index] = setInside(list[index]!, rest, value);
    return { L: list };
  }
  if (!('M' in container)) throw new ValidationError(INVALID_PATH);
  if (rest.length === 0) return { M: { ...container.M, [step as string]: value } };
  const child = container.M[step as string];
  if (child === undefined) throw new ValidationError(INVALID_PATH);
  return { M: { ...container.M, [step as string]: setInside(child, rest, value) } };
}

/** The item without the value at `path`; nothing changes when the value is absent. */
export function removeAtPath(item: Item, path: DocumentPath): Item {
  const [head, ...rest] = path;
  const child = item[head as string];
  if (child === undefined) return item;
  if (rest.length === 0) {
    const { [head as string]: _removed, ...remaining } = item;
    return remaining;
  }
  return { ...item, [head as string]: removeInside(child, rest) };
}

function removeInside(container: AttributeValue, path: DocumentPath): AttributeValue {
  const [step, ...rest] = path;
  if (typeof step === 'number') {
    if (!('L' in container)) throw new ValidationError(INVALID_PATH);
    if (step >= container.L.length) return container;
    const list = [...container.L];
    if (rest.length === 0) list.splice(step, 1);
    else list[step] = removeInside(list[step]!, rest);
    return { L: list };
  }
  if (!('M' in container)) throw new ValidationError(INVALID_PATH);
  const child = container.M[step as string];
  if (child === undefined) return container;
  if (rest.length === 0) {
    const { [step as string]: _removed, ...remaining } = container.M;
    return { M: remaining };
  }
  return { M: { ...container.M, [step as string]: removeInside(child, rest) } };
}

/** size(): a string's length in UTF-8 bytes (how DynamoDB measures strings), bytes of binary, elements of a set, list or map; undefined otherwise. */
export function sizeOf(value: AttributeValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  switch (typeOf(value)) {
    case 'S':
      return Buffer.byteLength((value as { S: string }).S, 'utf8');
    case 'B':
      return Buffer.from((value as { B: string }).B, 'base64').length;
    case 'SS':
    case 'NS':
    case 'BS':
    case 'L':
      return (Object.values(value)[0] as readonly unknown[]).length;
    case 'M':
      return Object.keys((value as { M: Item }).M).length;
    default:
      return undefined;
  }
}
