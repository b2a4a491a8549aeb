/**
 * Operating errors of the DNS server, each with a stable `code`. Only the server's shell turns them into
 * wire responses (FORMERR, SERVFAIL) or counters; nothing below it writes to a socket.
 */

/** A server option outside what the server accepts: a zone that is not a name, a port above 65 535. */
export class DnsConfigError extends Error {
  readonly code = 'DNS_CONFIG_INVALID';
  /** Where in the options, e.g. `soa.minimumTtlSeconds`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'DnsConfigError';
    this.field = field;
  }
}

/** Bytes that are not a well-formed DNS message: the server answers FORMERR (or drops what has no header). */
export class DnsWireError extends Error {
  readonly code = 'DNS_WIRE_MALFORMED';
  /** Byte offset in the message where decoding stopped. */
  readonly offset: number;

  constructor(offset: number, message: string) {
    super(`at byte ${offset}: ${message}`);
    this.name = 'DnsWireError';
    this.offset = offset;
  }
}

/** A decide() result the server cannot encode: an address that is not IPv4, a TTL out of range. */
export class DnsDecisionError extends Error {
  readonly code = 'DNS_DECISION_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'DnsDecisionError';
  }
}

/** UDP and TCP could not both listen on one port. */
export class DnsListenError extends Error {
  readonly code = 'DNS_LISTEN_FAILED';

  constructor(address: string, cause: unknown) {
    super(`the DNS server cannot listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DnsListenError';
  }
}
