import { ATTRIBUTE_TYPES, typeOf, type AttributeType, type AttributeValue } from '../../values/attribute-value.ts';
import { compareScalars } from '../../values/compare-values.ts';
import { ExpressionError, TokenCursor, isKeyword, type DocumentPath, type ExpressionAttributes } from './expression-syntax.ts';

/**
 * Condition expressions (ConditionExpression, FilterExpression, KeyConditionExpression) parsed by
 * recursive descent, lowest precedence first, as DynamoDB defines it: OR < AND < NOT < parentheses,
 * comparisons, BETWEEN, IN and functions.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 *
 *   condition  := disjunct (OR disjunct)*
 *   disjunct   := conjunct (AND conjunct)*
 *   conjunct   := NOT conjunct | '(' condition ')' | function | operand predicate
 *   predicate  := comparator operand | BETWEEN operand AND operand | IN '(' operand (',' operand)* ')'
 *   operand    := path | :value | size '(' path ')'
 */

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Operand =
  | { readonly kind: 'path'; readonly path: DocumentPath }
  | { readonly kind: 'value'; readonly value: AttributeValue; readonly reference: string }
  | { readonly kind: 'size'; readonly path: DocumentPath };

export type ConditionFunctionName = 'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains';

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly condition: Condition }
  | { readonly kind: 'compare'; readonly comparator: Comparator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'between'; readonly subject: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly kind: 'in'; readonly subject: Operand; readonly candidates: readonly Operand[] }
  | { readonly kind: 'function'; readonly name: ConditionFunctionName; readonly operands: readonly Operand[] };

const COMPARATORS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);
/** "The IN operator … up to 100 values": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html */
const IN_OPERANDS_MAX = 100;
/** Operators and functions per expression: DynamoDB allows 300. */
const OPERATORS_MAX = 300;
const CONDITION_FUNCTIONS: Readonly<Record<ConditionFunctionName, { readonly operands: number; readonly pathFirst: boolean }>> = {
  attribute_exists: { operands: 1, pathFirst: true },
  attribute_not_exists: { operands: 1, pathFirst: true },
  attribute_type: { operands: 2, pathFirst: true },
  begins_with: { operands: 2, pathFirst: false },
  contains: { operands: 2, pathFirst: false },
};
const UPDATE_FUNCTIONS = new Set(['if_not_exists', 'list_append']);

export function parseCondition(source: string, attributes: ExpressionAttributes): Condition {
  const parser = new ConditionParser(new TokenCursor(source, attributes));
  return parser.parse();
}

class ConditionParser {
  readonly #cursor: TokenCursor;
  #operators = 0;

  constructor(cursor: TokenCursor) {
    this.#cursor = cursor;
  }

  parse(): Condition {
    const condition = this.#disjunction();
    this.#cursor.expectEnd();
    return condition;
  }

  #disjunction(): Condition {
    let left = this.#conjunction();
    while (this.#cursor.acceptKeyword('OR')) left = { kind: 'or', left, right: this.#counted(this.#conjunction()) };
    return left;
  }

  #conjunction(): Condition {
    let left = this.#negation();
    while (this.#cursor.acceptKeyword('AND')) left = { kind: 'and', left, right: this.#counted(this.#negation()) };
    return left;
  }

  #negation(): Condition {
    if (this.#cursor.acceptKeyword('NOT')) return this.#counted({ kind: 'not', condition: this.#negation() });
    if (this.#cursor.acceptSymbol('(')) {
      const inner = this.#disjunction();
      this.#cursor.expectSymbol(')');
      return inner;
    }
    const token = this.#cursor.peek();
    if (token.kind === 'identifier' && this.#cursor.peek(1).text === '(' && token.text !== 'size') return this.#counted(this.#function());
    return this.#counted(this.#predicate(this.#operand()));
  }

  #predicate(subject: Operand): Condition {
    const cursor = this.#cursor;
    const token = cursor.peek();
    if (token.kind === 'symbol' && COMPARATORS.has(token.text)) {
      cursor.next();
      return { kind: 'compare', comparator: token.text as Comparator, left: subject, right: this.#operand() };
    }
    if (cursor.acceptKeyword('BETWEEN')) {
      const low = this.#operand();
      if (!cursor.acceptKeyword('AND')) throw cursor.syntaxError();
      const high = this.#operand();
      checkBetweenBounds(low, high);
      return { kind: 'between', subject, low, high };
    }
    if (cursor.acceptKeyword('IN')) return { kind: 'in', subject, candidates: this.#candidates() };
    throw cursor.syntaxError();
  }

  #candidates(): Operand[] {
    this.#cursor.expectSymbol('(');
    const candidates = [this.#operand()];
    while (this.#cursor.acceptSymbol(',')) candidates.push(this.#operand());
    this.#cursor.expectSymbol(')');
    if (candidates.length > IN_OPERANDS_MAX) {
      throw new ExpressionError(`The IN operator is provided with too many operands; number of operands: ${candidates.length}`);
    }
    return candidates;
  }

  #function(): Condition {
    const name = this.#cursor.next().text;
    if (UPDATE_FUNCTIONS.has(name)) throw new ExpressionError(`The function is not allowed to be used this way in an expression; function: ${name}`);
    const rule = CONDITION_FUNCTIONS[name as ConditionFunctionName];
    if (rule === undefined) throw new ExpressionError(`Invalid function name; function: ${name}`);
    const operands = this.#arguments();
    if (operands.length !== rule.operands) {
      throw new ExpressionError(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${operands.length}`);
    }
    if (rule.pathFirst && operands[0]!.kind !== 'path') {
      throw new ExpressionError(`Operator or function requires a document path; operator or function: ${name}`);
    }
    if (name === 'attribute_type') checkTypeName(operands[1]!);
    return { kind: 'function', name: name as ConditionFunctionName, operands };
  }

  #arguments(): Operand[] {
    this.#cursor.expectSymbol('(');
    const operands = [this.#operand()];
    while (this.#cursor.acceptSymbol(',')) operands.push(this.#operand());
    this.#cursor.expectSymbol(')');
    return operands;
  }

  #operand(): Operand {
    const cursor = this.#cursor;
    const token = cursor.peek();
    if (token.kind === 'valueRef') {
      cursor.next();
      return { kind: 'value', value: cursor.attributes.value(token.text), reference: token.text };
    }
    if (token.kind === 'identifier' && cursor.peek(1).text === '(') return this.#sizeOperand();
    if (token.kind === 'identifier' && isKeyword(token, 'NOT')) throw cursor.syntaxError();
    if (token.kind === 'identifier' || token.kind === 'nameRef') return { kind: 'path', path: cursor.parsePath() };
    throw cursor.syntaxError();
  }

  #sizeOperand(): Operand {
    const name = this.#cursor.next().text;
    if (name !== 'size') {
      if (name in CONDITION_FUNCTIONS || UPDATE_FUNCTIONS.has(name)) {
        throw new ExpressionError(`The function is not allowed to be used this way in an expression; function: ${name}`);
      }
      throw new ExpressionError(`Invalid function name; function: ${name}`);
    }
    const operands = this.#arguments();
    if (operands.length !== 1) {
      throw new ExpressionError(`Incorrect number of operands for operator or function; operator or function: size, number of operands: ${operands.length}`);
    }
    const [operand] = operands;
    if (operand!.kind !== 'path') throw new ExpressionError('Operator or function requires a document path; operator or function: size');
    this.#countOperator();
    return { kind: 'size', path: operand!.path };
  }

  #counted(condition: Condition): Condition {
    this.#countOperator();
    return condition;
  }

  #countOperator(): void {
    this.#operators++;
    if (this.#operators > OPERATORS_MAX) {
      throw new ExpressionError(`The expression contains too many operators; operator count: ${this.#operators}`);
    }
  }
}

/** Constant bounds must have one type and be in order, or the expression is refused before any item is read. */
function checkBetweenBounds(low: Operand, high: Operand): void {
  if (low.kind !== 'value' || high.kind !== 'value') return;
  const bounds = `lower operand: AttributeValue: ${describeValue(low.value)}, upper operand: AttributeValue: ${describeValue(high.value)}`;
  if (typeOf(low.value) !== typeOf(high.value)) {
    throw new ExpressionError(`The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
  }
  const order = compareScalars(low.value, high.value);
  if (order !== undefined && order > 0) {
    throw new ExpressionError(`The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
  }
}

function checkTypeName(operand: Operand): void {
  if (operand.kind !== 'value' || typeOf(operand.value) !== 'S') {
    throw new ExpressionError('Incorrect operand type for operator or function; operator or function: attribute_type, operand type: not a string');
  }
  const name = (operand.value as { S: string }).S;
  if (!ATTRIBUTE_TYPES.includes(name as AttributeType)) {
    throw new ExpressionError(`Invalid attribute type name found; type: ${name}, valid types: { ${ATTRIBUTE_TYPES.join(',')} }`);
  }
}

/** {N:5} as DynamoDB prints values in messages. */
export function describeValue(value: AttributeValue): string {
  const type = typeOf(value);
  return `{${type}:${JSON.stringify((value as Record<string, unknown>)[type])}}`;
}
