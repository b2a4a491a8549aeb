/** Turns a zod failure into one LinkConfigError naming the offending field, the way every link input reports. */
import type { z } from 'zod';
import { LinkConfigError } from './link-errors.ts';

export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, fieldPrefix = ''): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const field = [fieldPrefix, ...path.map(String)].filter((part) => part !== '').join('.') || 'body';
  const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw new LinkConfigError(field, message);
}
