import pc from 'picocolors';
import { SpecInvalidError, SpecLoadError, type SpecIssue } from '../spec/spec-issue.ts';

/** Exit codes every command shares. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** A mistake in how a command was called (a bad option value); exits 2 with one line. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function formatIssue(file: string, issue: SpecIssue): string {
  const where = issue.line !== undefined ? `${file}:${issue.line}:${issue.column ?? 1}` : file;
  const label = issue.severity === 'error' ? pc.red('error') : pc.yellow('warning');
  return `${where}: ${label} ${pc.bold(issue.path)}: ${issue.message} ${pc.dim(`[${issue.rule}]`)}`;
}

/** Turns an error into what the user reads on stderr and the exit code; never a stack trace for input mistakes. */
export function reportError(error: unknown, write: (text: string) => void): number {
  if (error instanceof SpecLoadError) {
    const where = error.line !== undefined ? `${error.file}:${error.line}:${error.column ?? 1}` : error.file;
    write(`meridian: ${where}: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof SpecInvalidError) {
    for (const issue of error.issues) write(`${formatIssue(error.file, issue)}\n`);
    const errors = error.issues.filter((issue) => issue.severity === 'error').length;
    write(`meridian: ${error.file}: ${errors} error${errors === 1 ? '' : 's'}; nothing was run\n`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof UsageError) {
    write(`meridian: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`meridian: internal error: ${message}\n`);
  if (process.env.MERIDIAN_DEBUG && error instanceof Error) write(`${error.stack}\n`);
  else write('meridian: set MERIDIAN_DEBUG=1 for the stack trace, and please report it\n');
  return EXIT_FAILURE;
}
