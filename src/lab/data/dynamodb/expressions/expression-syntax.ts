import type { AttributeValue } from '../../values/attribute-value.ts';
import { isReservedWord } from './reserved-words.ts';

/**
 * The lexical layer shared by DynamoDB's expression languages (condition, key condition, filter,
 * update, projection): tokens, a cursor over them, document paths and the substitution of
 * ExpressionAttributeNames (#name) and ExpressionAttributeValues (:value).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
 */

/** A syntax or meaning error inside one expression; the operation prefixes "Invalid <Kind>Expression: ". */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export type TokenKind = 'identifier' | 'nameRef' | 'valueRef' | 'integer' | 'symbol' | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A document path: an attribute name, then map keys (strings) and list indexes (numbers). */
export type DocumentPath = readonly (string | number)[];

/** DynamoDB allows 32 levels of nesting. */
const PATH_DEPTH_MAX = 32;
/** Expression strings are at most 4 KB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html */
export const EXPRESSION_BYTES_MAX = 4096;

const TOKEN_PATTERN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([0-9]+)|(<>|<=|>=|[()[\].,+\-=<>]))/y;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    TOKEN_PATTERN.lastIndex = position;
    const match = TOKEN_PATTERN.exec(source);
    if (match === null) {
      if (source.slice(position).trim() === '') break;
      const offset = position + (source.slice(position).length - source.slice(position).trimStart().length);
      throw new ExpressionError(`Invalid character encountered; character: "${source[offset]}", near: "${source.slice(Math.max(0, offset - 8), offset + 8)}"`);
    }
    const kind: TokenKind = match[1] ? 'identifier' : match[2] ? 'nameRef' : match[3] ? 'valueRef' : match[4] ? 'integer' : 'symbol';
    const text = match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5]!;
    const end = TOKEN_PATTERN.lastIndex;
    tokens.push({ kind, text, start: end - text.length, end });
    position = end;
  }
  tokens.push({ kind: 'end', text: '<EOF>', start: source.length, end: source.length });
  return tokens;
}

/**
 * ExpressionAttributeNames and ExpressionAttributeValues of one request, shared by all its
 * expressions, remembering which were used: DynamoDB refuses a request that defines one it never uses.
 */
export class ExpressionAttributes {
  readonly #names: Readonly<Record<string, string>>;
  readonly #values: Readonly<Record<string, AttributeValue>>;
  readonly #usedNames = new Set<string>();
  readonly #usedValues = new Set<string>();

  constructor(names: Readonly<Record<string, string>> = {}, values: Readonly<Record<string, AttributeValue>> = {}) {
    this.#names = names;
    this.#values = values;
  }

  name(reference: string): string {
    const name = this.#names[reference];
    if (name === undefined) throw new ExpressionError(`An expression attribute name used in the document path is not defined; attribute name: ${reference}`);
    this.#usedNames.add(reference);
    return name;
  }

  value(reference: string): AttributeValue {
    const value = this.#values[reference];
    if (value === undefined) throw new ExpressionError(`An expression attribute value used in expression is not defined; attribute value: ${reference}`);
    this.#usedValues.add(reference);
    return value;
  }

  /** Names and values defined but not used by any expression of the request. */
  unused(): { readonly names: string[]; readonly values: string[] } {
    return {
      names: Object.keys(this.#names).filter((reference) => !this.#usedNames.has(reference)),
      values: Object.keys(this.#values).filter((reference) => !this.#usedValues.has(reference)),
    };
  }
}

/** A cursor over the tokens of one expression with the error messages DynamoDB gives. */
export class TokenCursor {
  readonly #source: string;
  readonly #tokens: Token[];
  #index = 0;
  readonly attributes: ExpressionAttributes;

  constructor(source: string, attributes: ExpressionAttributes) {
    if (source.trim() === '') throw new ExpressionError('The expression can not be empty;');
    if (Buffer.byteLength(source, 'utf8') > EXPRESSION_BYTES_MAX) {
      throw new ExpressionError(`The expression is longer than the maximum of ${EXPRESSION_BYTES_MAX} bytes`);
    }
    this.#source = source;
    this.#tokens = tokenize(source);
    this.attributes = attributes;
  }

  peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#index + offset, this.#tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (this.#index < this.#tokens.length - 1) this.#index++;
    return token;
  }

  /** True (and consumed) when the next token is this symbol. */
  acceptSymbol(symbol: string): boolean {
    if (this.peek().kind === 'symbol' && this.peek().text === symbol) {
      this.next();
      return true;
    }
    return false;
  }

  /** True (and consumed) when the next token is this keyword, in any letter case. */
  acceptKeyword(keyword: string): boolean {
    if (isKeyword(this.peek(), keyword)) {
      this.next();
      return true;
    }
    return false;
  }

  expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.syntaxError();
  }

  expectEnd(): void {
    if (this.peek().kind !== 'end') throw this.syntaxError();
  }

  /** "Syntax error; token: "x", near: "a x b"" around the next token, as DynamoDB words it. */
  syntaxError(token: Token = this.peek()): ExpressionError {
    const index = this.#tokens.indexOf(token);
    const before = this.#tokens[Math.max(0, index - 1)]!;
    const after = this.#tokens[Math.min(this.#tokens.length - 1, index + 1)]!;
    const near = this.#source.slice(before.start, after.end);
    return new ExpressionError(`Syntax error; token: "${token.text}", near: "${near}"`);
  }

  /** A document path: `a.b[2].#c`. */
  parsePath(): DocumentPath {
    const path: (string | number)[] = [this.#attributeName()];
    for (;;) {
      if (this.acceptSymbol('.')) {
        path.push(this.#attributeName());
      } else if (this.acceptSymbol('[')) {
        const index = this.next();
        if (index.kind !== 'integer') throw this.syntaxError(index);
        path.push(Number(index.text));
        this.expectSymbol(']');
      } else {
        break;
      }
      if (path.length > PATH_DEPTH_MAX) throw new ExpressionError('Nesting Levels have exceeded supported limits: Nesting Levels have exceeded the maximum of 32');
    }
    return path;
  }

  #attributeName(): string {
    const token = this.next();
    if (token.kind === 'nameRef') return this.attributes.name(token.text);
    if (token.kind !== 'identifier') throw this.syntaxError(token);
    if (isReservedWord(token.text)) throw new ExpressionError(`Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    return token.text;
  }
}

export function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'identifier' && token.text.toUpperCase() === keyword;
}

/** A path as DynamoDB prints it in messages: [a, b, [2]]. */
export function describePath(path: DocumentPath): string {
  return `[${path.map((step) => (typeof step === 'number' ? `[${step}]` : step)).join(', ')}]`;
}

/**
 * Refuses two paths of which one is a prefix of the other (or equal): an update or projection may not
 * touch the same part of a document twice.
 */
export function assertNoOverlap(paths: readonly DocumentPath[]): void {
  for (let first = 0; first < paths.length; first++) {
    for (let second = first + 1; second < paths.length; second++) {
      const [a, b] = [paths[first]!, paths[second]!];
      const shared = Math.min(a.length, b.length);
      if (a.slice(0, shared).every((step, index) => step === b[index])) {
        throw new ExpressionError(
          `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${describePath(a)}, path two: ${describePath(b)}`,
        );
      }
    }
  }
}
