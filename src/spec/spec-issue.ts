/** One problem found in a spec. `path` is dotted (`data.ledger.consistency`), `rule` a stable id. */
export interface SpecIssue {
  readonly severity: 'error' | 'warning';
  readonly rule: string;
  readonly path: string;
  readonly message: string;
  /** 1-based position in the source file, where the format keeps positions (YAML and JSON). */
  readonly line?: number;
  readonly column?: number;
}

/** Joins path segments the way users write them: `regions.us-east-1.role`, `zones.eu[1]`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

export function issueError(rule: string, path: string, message: string): SpecIssue {
  return { severity: 'error', rule, path, message };
}

export function issueWarning(rule: string, path: string, message: string): SpecIssue {
  return { severity: 'warning', rule, path, message };
}

/** A spec file that could not be read or parsed: missing file, syntax error, unsupported format. */
export class SpecLoadError extends Error {
  readonly code: 'SPEC_NOT_FOUND' | 'SPEC_SYNTAX' | 'SPEC_UNSUPPORTED' | 'SPEC_MODULE';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: SpecLoadError['code'], file: string, message: string, position?: { line: number; column: number }) {
    super(message);
    this.name = 'SpecLoadError';
    this.code = code;
    this.file = file;
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** A spec (or experiment) file that parsed but breaks the schema or the rules. */
export class SpecInvalidError extends Error {
  readonly code = 'SPEC_INVALID';
  readonly file: string;
  readonly issues: readonly SpecIssue[];

  constructor(file: string, issues: readonly SpecIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error').length;
    super(`${file}: ${errors} error${errors === 1 ? '' : 's'}`);
    this.name = 'SpecInvalidError';
    this.file = file;
    this.issues = issues;
  }
}
