/**
 * A link's options as callers write them, resolved once (defaults filled, every field checked) into a
 * frozen ResolvedLinkOptions; nothing downstream reads a default again.
 */
import { isIPv4 } from 'node:net';
import { LinkConfigError } from './link-errors.ts';
import { requireDelayMs, type LinkFaultsInput } from './link-faults.ts';

export interface LinkProxyOptions {
  /** The link's name, e.g. `us-east-1->eu-west-1`: letters, digits and `. _ : > -`, at most 128. */
  readonly name: string;
  readonly targetPort: number;
  /** A 127.0.0.0/8 address or `localhost`. @default '127.0.0.1' */
  readonly targetHost?: string;
  /** A 127.0.0.0/8 address or `localhost`. @default '127.0.0.1' */
  readonly listenHost?: string;
  /** @default 0 (a free port, chosen by the kernel) */
  readonly listenPort?: number;
  /** The link's round trip; each direction waits half of it. @default 0 */
  readonly roundTripMs?: number;
  /** Each direction adds U[0, jitterMs) to every chunk, never reordering. @default 0 */
  readonly jitterMs?: number;
  /** Connections beyond this are closed at once and counted as rejected. @default 1024 */
  readonly maxConnections?: number;
  /** Bytes a connection may hold in both directions together; reading pauses at a quarter. @default 8 MiB */
  readonly maxBufferedBytesPerConnection?: number;
  /**
   * How long a new connection may wait for its handshake (behind a partition) before it is reset.
   * @default 127 000 (Linux gives up a connect() after 6 SYN retries: 1+2+4+8+16+32+64 s)
   */
  readonly handshakeTimeoutMs?: number;
  /** Uniform [0, 1) source for jitter and reset draws; pass a seeded one to replay a run. @default Math.random */
  readonly random?: () => number;
  /** @default no faults */
  readonly faults?: LinkFaultsInput;
}

export interface ResolvedLinkOptions {
  readonly name: string;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly maxConnections: number;
  readonly maxBufferedBytesPerConnection: number;
  readonly handshakeTimeoutMs: number;
  readonly random: () => number;
}

export interface LinkLatency {
  readonly roundTripMs: number;
  readonly jitterMs: number;
}

export const LINK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:>-]{0,127}$/;
const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MIN_BUFFERED_BYTES = 256 * 1024;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 127_000;
/** Loopback only: the lab runs on one machine and a link must never reach out of it. */
export function requireLoopbackHost(field: string, host: string): string {
  const address = host === 'localhost' ? '127.0.0.1' : host;
  if (!isIPv4(address) || !address.startsWith('127.')) {
    throw new LinkConfigError(field, `must be a 127.0.0.0/8 address or localhost, got ${JSON.stringify(host)}`);
  }
  return address;
}

function requireInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LinkConfigError(field, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function requireLinkName(field: string, name: string): string {
  if (!LINK_NAME_PATTERN.test(name)) {
    throw new LinkConfigError(field, `must be 1-128 letters, digits or . _ : > - (e.g. us-east-1->eu-west-1), got ${JSON.stringify(name)}`);
  }
  return name;
}

export function resolveLinkOptions(options: LinkProxyOptions): ResolvedLinkOptions {
  return Object.freeze({
    name: requireLinkName('name', options.name),
    targetHost: requireLoopbackHost('targetHost', options.targetHost ?? '127.0.0.1'),
    targetPort: requireInteger('targetPort', options.targetPort, 1, 65_535),
    listenHost: requireLoopbackHost('listenHost', options.listenHost ?? '127.0.0.1'),
    listenPort: requireInteger('listenPort', options.listenPort ?? 0, 0, 65_535),
    maxConnections: requireInteger('maxConnections', options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, 1, 65_536),
    maxBufferedBytesPerConnection: requireInteger(
      'maxBufferedBytesPerConnection',
      options.maxBufferedBytesPerConnection ?? DEFAULT_MAX_BUFFERED_BYTES,
      MIN_BUFFERED_BYTES,
      1024 * 1024 * 1024,
    ),
    handshakeTimeoutMs: requireInteger('handshakeTimeoutMs', options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, 1, 3_600_000),
    random: options.random ?? Math.random,
  });
}

export function resolveLinkLatency(input: Partial<LinkLatency>, current: LinkLatency = { roundTripMs: 0, jitterMs: 0 }): LinkLatency {
  return Object.freeze({
    roundTripMs: requireDelayMs('roundTripMs', input.roundTripMs ?? current.roundTripMs),
    jitterMs: requireDelayMs('jitterMs', input.jitterMs ?? current.jitterMs),
  });
}

