import { addDecimal, decimalRangeProblem, formatDecimal, subtractDecimal } from '../../values/decimal.ts';
import { decimalOf, valuesEqual } from '../../values/compare-values.ts';
import { makeValue, typeOf, payloadOf, type AttributeValue, type Item, type ItemKey } from '../../values/attribute-value.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import { getAtPath, removeAtPath, setAtPath } from './document-path.ts';
import type { DocumentPath } from './expression-syntax.ts';
import type { UpdateActions, UpdateOperand, UpdateValue } from './update-expression.ts';

/**
 * Applies parsed update actions to an item (or to the bare key when there is none, which creates the
 * item, as UpdateItem does). Every value on the right of SET is read from the item as it was before
 * the update, as in DynamoDB. Pure: returns a new item, the one given is untouched.
 */
export function applyUpdate(current: Item | undefined, key: ItemKey, actions: UpdateActions): Item {
  const before = current ?? key;
  const assignments = actions.set.map((action) => ({ path: action.path, value: evaluateValue(action.value, before) }));
  let item = before;
  for (const { path, value } of assignments) item = setAtPath(item, path, value);
  for (const { path, value } of actions.add) item = addTo(item, path, value);
  for (const { path, value } of actions.delete) item = deleteFrom(item, path, value);
  for (const path of [...actions.remove].sort(laterIndexFirst)) item = removeAtPath(item, path);
  return item;
}

const MISSING_ATTRIBUTE = 'The provided expression refers to an attribute that does not exist in the item';
const WRONG_TYPE = 'An operand in the update expression has an incorrect data type';

function evaluateValue(value: UpdateValue, item: Item): AttributeValue {
  if (value.kind === 'operand') return evaluateOperand(value.operand, item);
  const left = evaluateOperand(value.left, item);
  const right = evaluateOperand(value.right, item);
  if (!('N' in left) || !('N' in right)) throw new ValidationError(WRONG_TYPE);
  const operate = value.kind === '+' ? addDecimal : subtractDecimal;
  return numberValue(operate(decimalOf(left.N), decimalOf(right.N)));
}

function evaluateOperand(operand: UpdateOperand, item: Item): AttributeValue {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path': {
      const value = getAtPath(item, operand.path);
      if (value === undefined) throw new ValidationError(MISSING_ATTRIBUTE);
      return value;
    }
    case 'if_not_exists':
      return getAtPath(item, operand.path) ?? evaluateOperand(operand.fallback, item);
    case 'list_append': {
      const first = evaluateOperand(operand.first, item);
      const second = evaluateOperand(operand.second, item);
      if (!('L' in first) || !('L' in second)) throw new ValidationError(WRONG_TYPE);
      return { L: [...first.L, ...second.L] };
    }
  }
}

function numberValue(value: ReturnType<typeof addDecimal>): AttributeValue {
  const problem = decimalRangeProblem(value);
  if (problem !== undefined) throw new ValidationError(problem);
  return { N: formatDecimal(value) };
}

/** ADD: a number is added to, a set gets the elements; a missing attribute starts as the operand. */
function addTo(item: Item, path: DocumentPath, operand: AttributeValue): Item {
  const existing = getAtPath(item, path);
  if (existing === undefined) return setAtPath(item, path, operand);
  if (typeOf(existing) !== typeOf(operand)) throw new ValidationError(WRONG_TYPE);
  if ('N' in existing) return setAtPath(item, path, numberValue(addDecimal(decimalOf(existing.N), decimalOf((operand as { N: string }).N))));
  const elements = [...(payloadOf(existing) as string[])];
  for (const element of payloadOf(operand) as string[]) {
    if (!containsElement(existing, elements, element)) elements.push(element);
  }
  return setAtPath(item, path, makeValue(typeOf(existing), elements.sort()));
}

/** DELETE: the elements leave the set; an emptied set is removed (DynamoDB has no empty sets). */
function deleteFrom(item: Item, path: DocumentPath, operand: AttributeValue): Item {
  const existing = getAtPath(item, path);
  if (existing === undefined) return item;
  if (typeOf(existing) !== typeOf(operand)) throw new ValidationError(WRONG_TYPE);
  const removed = payloadOf(operand) as string[];
  const remaining = (payloadOf(existing) as string[]).filter((element) => !containsElement(operand, removed, element));
  if (remaining.length === 0) return removeAtPath(item, path);
  return setAtPath(item, path, makeValue(typeOf(existing), remaining));
}

/** Set membership by value: numbers numerically, binary by bytes. */
function containsElement(set: AttributeValue, elements: readonly string[], element: string): boolean {
  const elementType = typeOf(set)[0] as 'S' | 'N' | 'B';
  const wanted = makeValue(elementType, element);
  return elements.some((candidate) => valuesEqual(makeValue(elementType, candidate), wanted));
}

/** Removals from one list go from the highest index down, so earlier removals do not shift later ones. */
function laterIndexFirst(left: DocumentPath, right: DocumentPath): number {
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const [a, b] = [left[index]!, right[index]!];
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number') return b - a;
    return String(a) < String(b) ? -1 : 1;
  }
  return right.length - left.length;
}
