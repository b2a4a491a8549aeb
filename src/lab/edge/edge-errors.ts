/**
 * Operating errors of the edges, each with a stable `code` and, where a caller's input caused it, the
 * `field` at fault. Programmer errors go through node:assert and throw loudly.
 */

/** An edge option outside what an edge accepts: a non-loopback address, a port out of range, a zero bound. */
export class EdgeConfigError extends Error {
  readonly code = 'EDGE_CONFIG_INVALID';
  /** Where in the options, e.g. `listeners[1].port`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EdgeConfigError';
    this.field = field;
  }
}

/** A listener could not bind (the port is taken). */
export class EdgeListenError extends Error {
  readonly code = 'EDGE_LISTEN_FAILED';

  constructor(what: string, address: string, cause: unknown) {
    super(`${what} could not listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EdgeListenError';
  }
}

/** A population the edge has no listener for. */
export class EdgeUnknownPopulationError extends Error {
  readonly code = 'EDGE_UNKNOWN_POPULATION';

  constructor(population: string) {
    super(`the edge has no listener for population ${JSON.stringify(population)}`);
    this.name = 'EdgeUnknownPopulationError';
  }
}
