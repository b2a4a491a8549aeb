import type { SpecIssue } from '../spec-issue.ts';
import type { ResolvedSpec } from '../resolved-spec.ts';
import type { z } from 'zod';
import type { specSchema } from '../schema.ts';

/** The spec as parsed, before defaults: some rules need to know what the user wrote explicitly. */
export type ParsedSpec = z.output<typeof specSchema>;

/** A validation rule: a stable id, what it protects against, and a pure check. */
export interface SpecRule {
  readonly id: string;
  readonly description: string;
  check(spec: ResolvedSpec, parsed: ParsedSpec): SpecIssue[];
}
