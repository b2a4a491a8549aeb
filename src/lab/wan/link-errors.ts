/**
 * Operating errors of the WAN links, each with a stable `code` and, where a caller's input caused it, the
 * `field` at fault, so that the control API can answer 400/404/409 without parsing text. Programmer
 * errors (a pipe pumped after it was closed) go through node:assert and throw loudly.
 */

/** A link option or fault setting outside what a link accepts: a negative delay, a probability above 1. */
export class LinkConfigError extends Error {
  readonly code = 'LINK_CONFIG_INVALID';
  /** Where in the input, e.g. `faults.upstream.bandwidthBytesPerSecond`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'LinkConfigError';
    this.field = field;
  }
}

export class LinkNotFoundError extends Error {
  readonly code = 'LINK_NOT_FOUND';
  readonly linkName: string;

  constructor(linkName: string) {
    super(`no link named ${JSON.stringify(linkName)}`);
    this.name = 'LinkNotFoundError';
    this.linkName = linkName;
  }
}

/** A second link or toxic under a name already taken. */
export class LinkConflictError extends Error {
  readonly code = 'LINK_CONFLICT';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'LinkConflictError';
    this.field = field;
  }
}

export class ToxicNotFoundError extends Error {
  readonly code = 'TOXIC_NOT_FOUND';

  constructor(linkName: string, toxicName: string) {
    super(`link ${JSON.stringify(linkName)} has no toxic named ${JSON.stringify(toxicName)}`);
    this.name = 'ToxicNotFoundError';
  }
}

/** A bound was reached: too many links in a registry, too many connections on a link. */
export class LinkLimitError extends Error {
  readonly code = 'LINK_LIMIT';
  readonly limit: number;

  constructor(what: string, limit: number) {
    super(`${what}: the limit of ${limit} is reached`);
    this.name = 'LinkLimitError';
    this.limit = limit;
  }
}

/**
 * A connection buffered more bytes than it may. Reading pauses long before this (the sender then waits,
 * as behind a full TCP window), so reaching it means back-pressure failed, and the connection is reset.
 */
export class LinkBufferOverflowError extends Error {
  readonly code = 'LINK_BUFFER_OVERFLOW';

  constructor(linkName: string, bufferedBytes: number, maxBufferedBytes: number) {
    super(`link ${JSON.stringify(linkName)}: a connection buffered ${bufferedBytes} bytes, more than its ${maxBufferedBytes}`);
    this.name = 'LinkBufferOverflowError';
  }
}

/** The link could not listen (or listen again after being re-enabled) on its address. */
export class LinkListenError extends Error {
  readonly code = 'LINK_LISTEN_FAILED';

  constructor(linkName: string, address: string, cause: unknown) {
    super(`link ${JSON.stringify(linkName)} cannot listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'LinkListenError';
  }
}
