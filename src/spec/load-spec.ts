import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { resolveSpec } from './resolve-spec.ts';
import type { ResolvedSpec } from './resolved-spec.ts';
import { specSchema } from './schema.ts';
import { formatPath, SpecInvalidError, SpecLoadError, type SpecIssue } from './spec-issue.ts';
import { validateSpec } from './validate-spec.ts';

type Position = { line: number; column: number };

/** A spec file read and parsed, before any checking. */
export interface SpecSource {
  readonly file: string;
  readonly format: 'yaml' | 'json' | 'module';
  readonly raw: unknown;
  /** Source position of a path, where the format keeps positions. */
  locate(path: readonly (string | number)[]): Position | undefined;
}

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Specs are small; a bound keeps a wrong path (a log file, a binary) from being read whole. */
const SPEC_BYTES_MAX = 4 * 1024 * 1024;

export async function readSpecSource(file: string): Promise<SpecSource> {
  const extension = extname(file).toLowerCase();
  if (MODULE_EXTENSIONS.has(extension)) return readModuleSpec(file);
  if (!DATA_EXTENSIONS.has(extension)) {
    throw new SpecLoadError('SPEC_UNSUPPORTED', file, `unsupported spec format '${extension || '(none)'}': use .ts, .js, .yaml, .yml or .json`);
  }
  const text = await readText(file);
  return parseDataSpec(file, text, extension === '.json' ? 'json' : 'yaml');
}

/** Reads a small text file, turning file-system errors into one-line SpecLoadErrors. */
export async function readText(file: string): Promise<string> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new SpecLoadError('SPEC_NOT_FOUND', file, `cannot read spec: ${reason}`);
  }
  if (buffer.length > SPEC_BYTES_MAX) throw new SpecLoadError('SPEC_UNSUPPORTED', file, `spec is larger than ${SPEC_BYTES_MAX} bytes`);
  return buffer.toString('utf8');
}

/** YAML and JSON both go through the YAML parser (JSON is YAML 1.2), which keeps node positions. */
export function parseDataSpec(file: string, text: string, format: 'yaml' | 'json'): SpecSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const what = format === 'json' ? 'JSON' : 'YAML';
  const firstError = document.errors[0];
  if (firstError) {
    const offset = firstError.pos[0];
    const position = lineCounter.linePos(offset);
    const reason = firstError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new SpecLoadError('SPEC_SYNTAX', file, `${what} syntax error: ${reason}`, { line: position.line, column: position.col });
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws a plain ReferenceError when aliases expand past maxAliasCount ("billion laughs").
    const reason = error instanceof Error ? error.message : String(error);
    throw new SpecLoadError('SPEC_SYNTAX', file, `${what} syntax error: ${reason}`);
  }
  return {
    file,
    format,
    raw,
    locate: (path) => locateInDocument(document, lineCounter, path),
  };
}

function locateInDocument(document: Document, lineCounter: LineCounter, path: readonly (string | number)[]): Position | undefined {
  // Walk down as far as the path exists, so a missing field points at its parent.
  let node: unknown = document.contents;
  let found: unknown = node;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      // A scalar is shown where its value is; a map or list where its key is, since a block
      // collection only starts on the line after its key.
      found = pair.key;
      node = pair.value;
      if (node && !isCollection(node)) found = node;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!node) break;
      found = node;
    } else break;
  }
  const range = (found as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const position = lineCounter.linePos(range[0]);
  return { line: position.line, column: position.col };
}

async function readModuleSpec(file: string): Promise<SpecSource> {
  await readText(file);
  const { tsImport } = await import('tsx/esm/api');
  let loaded: { default?: unknown };
  try {
    loaded = (await tsImport(pathToFileURL(resolve(file)).href, import.meta.url)) as { default?: unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new SpecLoadError('SPEC_MODULE', file, `cannot load spec module: ${message}`);
  }
  const raw = (loaded.default as { default?: unknown } | undefined)?.default ?? loaded.default;
  if (raw === undefined) throw new SpecLoadError('SPEC_MODULE', file, 'spec module has no default export: use `export default defineConfig({...})`');
  return { file, format: 'module', raw, locate: () => undefined };
}

export interface CheckedSpec {
  /** Present when the spec has the right shape; it may still have rule errors. */
  readonly spec: ResolvedSpec | undefined;
  readonly issues: readonly SpecIssue[];
}

/** Schema first; when the shape holds, every rule. Issues carry source positions where known. */
export function checkSpecSource(source: SpecSource): CheckedSpec {
  const parsed = specSchema.safeParse(source.raw ?? {});
  if (!parsed.success) {
    return { spec: undefined, issues: parsed.error.issues.flatMap((issue) => schemaIssues(issue, source)) };
  }
  const spec = resolveSpec(parsed.data);
  const issues = validateSpec(spec, parsed.data).map((issue) => withPosition(issue, source));
  return { spec, issues };
}

/** Reads, checks and resolves a spec; throws SpecLoadError or SpecInvalidError (with every problem). */
export async function loadSpec(file: string): Promise<{ spec: ResolvedSpec; warnings: readonly SpecIssue[] }> {
  const source = await readSpecSource(file);
  const checked = checkSpecSource(source);
  if (!checked.spec || checked.issues.some((issue) => issue.severity === 'error')) {
    throw new SpecInvalidError(file, checked.issues);
  }
  return { spec: checked.spec, warnings: checked.issues };
}

export function withPosition(issue: SpecIssue, source: SpecSource): SpecIssue {
  const position = source.locate(splitPath(issue.path));
  return position ? { ...issue, line: position.line, column: position.column } : issue;
}

/** Inverse of formatPath for the paths the rules write. */
export function splitPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(`"${match[3]}"`) as string);
  }
  return segments;
}

/** A zod issue as SpecIssues with paths and source positions (one per unknown key). */
export function schemaIssues(issue: z.core.$ZodIssue, source: SpecSource): SpecIssue[] {
  const base = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...base, key];
      const position = source.locate(path);
      return { severity: 'error', rule: 'schema', path: formatPath(path), message: `unknown field '${key}'`, ...positionFields(position) };
    });
  }
  const position = source.locate(base);
  const path = base.length === 0 ? '(root)' : formatPath(base);
  return [{ severity: 'error', rule: 'schema', path, message: schemaMessage(issue), ...positionFields(position) }];
}

function schemaMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return `required field is missing (expected ${issue.expected})`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}

function positionFields(position: Position | undefined): { line?: number; column?: number } {
  return position ? { line: position.line, column: position.column } : {};
}
