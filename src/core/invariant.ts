/** Asserts a programmer error loudly: a broken invariant is a bug, never an operating condition. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
