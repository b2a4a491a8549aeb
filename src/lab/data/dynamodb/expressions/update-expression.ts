import { isSetType, typeOf, type AttributeValue } from '../../values/attribute-value.ts';
import { ExpressionError, TokenCursor, assertNoOverlap, isKeyword, type DocumentPath, type ExpressionAttributes } from './expression-syntax.ts';

/**
 * Update expressions: up to one each of SET, REMOVE, ADD and DELETE clauses, in any order.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 *
 *   update   := clause+
 *   clause   := SET set (',' set)* | REMOVE path (',' path)* | ADD path :value (',' …)* | DELETE path :value (',' …)*
 *   set      := path '=' value
 *   value    := operand (('+' | '-') operand)?
 *   operand  := path | :value | if_not_exists '(' path ',' operand ')' | list_append '(' operand ',' operand ')'
 */

export type UpdateOperand =
  | { readonly kind: 'path'; readonly path: DocumentPath }
  | { readonly kind: 'value'; readonly value: AttributeValue }
  | { readonly kind: 'if_not_exists'; readonly path: DocumentPath; readonly fallback: UpdateOperand }
  | { readonly kind: 'list_append'; readonly first: UpdateOperand; readonly second: UpdateOperand };

export type UpdateValue =
  | { readonly kind: 'operand'; readonly operand: UpdateOperand }
  | { readonly kind: '+' | '-'; readonly left: UpdateOperand; readonly right: UpdateOperand };

export interface UpdateActions {
  readonly set: readonly { readonly path: DocumentPath; readonly value: UpdateValue }[];
  readonly remove: readonly DocumentPath[];
  readonly add: readonly { readonly path: DocumentPath; readonly value: AttributeValue }[];
  readonly delete: readonly { readonly path: DocumentPath; readonly value: AttributeValue }[];
}

type ClauseName = 'SET' | 'REMOVE' | 'ADD' | 'DELETE';
const CLAUSES: readonly ClauseName[] = ['SET', 'REMOVE', 'ADD', 'DELETE'];

export function parseUpdate(source: string, attributes: ExpressionAttributes): UpdateActions {
  const cursor = new TokenCursor(source, attributes);
  const actions = { set: [], remove: [], add: [], delete: [] } as {
    set: UpdateActions['set'][number][];
    remove: DocumentPath[];
    add: UpdateActions['add'][number][];
    delete: UpdateActions['delete'][number][];
  };
  const seen = new Set<ClauseName>();
  do {
    const clause = CLAUSES.find((name) => isKeyword(cursor.peek(), name));
    if (clause === undefined) throw cursor.syntaxError();
    if (seen.has(clause)) throw new ExpressionError(`The "${clause}" section can only be used once in an update expression;`);
    seen.add(clause);
    cursor.next();
    do parseAction(cursor, clause, actions);
    while (cursor.acceptSymbol(','));
  } while (cursor.peek().kind !== 'end');
  assertNoOverlap(updatedPaths(actions));
  return actions;
}

function parseAction(cursor: TokenCursor, clause: ClauseName, actions: { set: unknown[]; remove: unknown[]; add: unknown[]; delete: unknown[] }): void {
  const path = cursor.parsePath();
  if (clause === 'REMOVE') {
    actions.remove.push(path);
    return;
  }
  if (clause === 'SET') {
    cursor.expectSymbol('=');
    actions.set.push({ path, value: parseValue(cursor) });
    return;
  }
  const token = cursor.next();
  if (token.kind !== 'valueRef') throw cursor.syntaxError(token);
  const value = cursor.attributes.value(token.text);
  checkAddDeleteOperand(clause, value);
  (clause === 'ADD' ? actions.add : actions.delete).push({ path, value });
}

/** ADD takes a number or a set; DELETE takes a set ("Incorrect operand type for operator or function"). */
function checkAddDeleteOperand(clause: 'ADD' | 'DELETE', value: AttributeValue): void {
  const type = typeOf(value);
  const allowed = isSetType(type) || (clause === 'ADD' && type === 'N');
  if (!allowed) {
    throw new ExpressionError(`Incorrect operand type for operator or function; operator: ${clause}, operand type: ${type}`);
  }
}

function parseValue(cursor: TokenCursor): UpdateValue {
  const left = parseOperand(cursor);
  for (const operator of ['+', '-'] as const) {
    if (cursor.acceptSymbol(operator)) return { kind: operator, left, right: parseOperand(cursor) };
  }
  return { kind: 'operand', operand: left };
}

function parseOperand(cursor: TokenCursor): UpdateOperand {
  const token = cursor.peek();
  if (token.kind === 'valueRef') {
    cursor.next();
    return { kind: 'value', value: cursor.attributes.value(token.text) };
  }
  if (token.kind === 'identifier' && cursor.peek(1).text === '(') return parseFunction(cursor);
  if (token.kind === 'identifier' || token.kind === 'nameRef') return { kind: 'path', path: cursor.parsePath() };
  throw cursor.syntaxError();
}

function parseFunction(cursor: TokenCursor): UpdateOperand {
  const name = cursor.next().text;
  cursor.expectSymbol('(');
  const operands = [parseOperand(cursor)];
  while (cursor.acceptSymbol(',')) operands.push(parseOperand(cursor));
  cursor.expectSymbol(')');
  if (name !== 'if_not_exists' && name !== 'list_append') {
    const where = ['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size'].includes(name);
    throw new ExpressionError(where ? `The function is not allowed in an update expression; function: ${name}` : `Invalid function name; function: ${name}`);
  }
  if (operands.length !== 2) {
    throw new ExpressionError(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${operands.length}`);
  }
  const [first, second] = operands as [UpdateOperand, UpdateOperand];
  if (name === 'list_append') return { kind: 'list_append', first, second };
  if (first.kind !== 'path') throw new ExpressionError('Operator or function requires a document path; operator or function: if_not_exists');
  return { kind: 'if_not_exists', path: first.path, fallback: second };
}

/** Every path an update writes or removes, for UPDATED_OLD / UPDATED_NEW and key checks. */
export function updatedPaths(actions: UpdateActions): DocumentPath[] {
  return [...actions.set.map((action) => action.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)];
}
