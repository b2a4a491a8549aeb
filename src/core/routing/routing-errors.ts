/**
 * Errors of the traffic layer. Operating errors (a record set, health check or origin group that AWS
 * would reject; a query that lacks what its policy needs) are typed with a stable `code`, so a shell can
 * turn them into a spec message or a SERVFAIL without parsing text. Programmer errors (a checker id
 * out of range, a Random outside [0, 1)) go through `invariant`, which throws loudly.
 */

/** A configuration AWS would refuse: a weight above 255, a 45 s health-check interval, two primaries. */
export class RoutingConfigError extends Error {
  readonly code = 'ROUTING_CONFIG_INVALID';
  /** Where in the configuration, e.g. `records[2].weight`. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'RoutingConfigError';
    this.path = path;
  }
}

/** A query that cannot be answered as asked: a latency query without a round trip to a record's region. */
export class RoutingQueryError extends Error {
  readonly code = 'ROUTING_QUERY_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'RoutingQueryError';
  }
}

/** One shared assertion for programmer errors (core/ cannot import node:assert). */
export { invariant } from '../invariant.ts';

/** Throws a RoutingConfigError unless `value` is an integer in [min, max]. */
export function requireIntegerInRange(path: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RoutingConfigError(path, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
