/**
 * Fault settings of a link as plain data. `upstream` is the direction from the connecting client to the
 * link's target (for `us-east-1->eu-west-1`, traffic from us-east-1 to eu-west-1), `downstream` the way
 * back — the names Toxiproxy uses for its streams.
 */
import { LinkConfigError } from './link-errors.ts';

export type Direction = 'upstream' | 'downstream';
export const DIRECTIONS: readonly Direction[] = ['upstream', 'downstream'];

/**
 * What a partitioned direction does with bytes. `hold`: they wait (as TCP keeps retransmitting) and are
 * delivered in order once the partition heals. `drop`: they are black-holed; a connection that lost
 * bytes has a hole in its stream that TCP could never fill, so it is reset when the partition heals.
 */
export type PartitionMode = 'none' | 'hold' | 'drop';
export const PARTITION_MODES: readonly PartitionMode[] = ['none', 'hold', 'drop'];

export interface DirectionFaults {
  /** Added to the link's one-way delay in this direction. */
  readonly extraLatencyMs: number;
  /** Added to the link's jitter in this direction: each chunk waits a further U[0, extraJitterMs). */
  readonly extraJitterMs: number;
  /** Capacity of the direction, shared by all its connections; null = unlimited. */
  readonly bandwidthBytesPerSecond: number | null;
  readonly partition: PartitionMode;
}

export interface LinkFaults {
  readonly upstream: DirectionFaults;
  readonly downstream: DirectionFaults;
  /** Probability that a new connection is reset (after the round trip its SYN would take). */
  readonly resetProbability: number;
}

/** What callers write: every field optional, an absent field meaning "no such fault". */
export interface LinkFaultsInput {
  readonly upstream?: Partial<DirectionFaults>;
  readonly downstream?: Partial<DirectionFaults>;
  readonly resetProbability?: number;
}

export const NO_DIRECTION_FAULTS: DirectionFaults = Object.freeze({
  extraLatencyMs: 0,
  extraJitterMs: 0,
  bandwidthBytesPerSecond: null,
  partition: 'none',
});

export const NO_FAULTS: LinkFaults = Object.freeze({
  upstream: NO_DIRECTION_FAULTS,
  downstream: NO_DIRECTION_FAULTS,
  resetProbability: 0,
});

/** A delay longer than this is a mistake (a value in seconds or microseconds), not a slow WAN. */
export const DELAY_MS_MAX = 600_000;

export function requireDelayMs(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > DELAY_MS_MAX) {
    throw new LinkConfigError(field, `must be a number of milliseconds from 0 to ${DELAY_MS_MAX}, got ${value}`);
  }
  return value;
}

function resolveDirectionFaults(field: string, input: Partial<DirectionFaults> | undefined): DirectionFaults {
  if (input === undefined) return NO_DIRECTION_FAULTS;
  const bandwidth = input.bandwidthBytesPerSecond ?? null;
  if (bandwidth !== null && (!Number.isFinite(bandwidth) || bandwidth < 1)) {
    throw new LinkConfigError(`${field}.bandwidthBytesPerSecond`, `must be at least 1 byte per second or null, got ${bandwidth}`);
  }
  const partition = input.partition ?? 'none';
  if (!PARTITION_MODES.includes(partition)) {
    throw new LinkConfigError(`${field}.partition`, `must be one of ${PARTITION_MODES.join(', ')}, got ${JSON.stringify(partition)}`);
  }
  return Object.freeze({
    extraLatencyMs: requireDelayMs(`${field}.extraLatencyMs`, input.extraLatencyMs ?? 0),
    extraJitterMs: requireDelayMs(`${field}.extraJitterMs`, input.extraJitterMs ?? 0),
    bandwidthBytesPerSecond: bandwidth,
    partition,
  });
}

/** Resolves a caller's faults once, checking every field; the result replaces a link's faults whole. */
export function resolveLinkFaults(input: LinkFaultsInput = {}, field = 'faults'): LinkFaults {
  const resetProbability = input.resetProbability ?? 0;
  if (!Number.isFinite(resetProbability) || resetProbability < 0 || resetProbability > 1) {
    throw new LinkConfigError(`${field}.resetProbability`, `must be a probability from 0 to 1, got ${resetProbability}`);
  }
  return Object.freeze({
    upstream: resolveDirectionFaults(`${field}.upstream`, input.upstream),
    downstream: resolveDirectionFaults(`${field}.downstream`, input.downstream),
    resetProbability,
  });
}

/** A partition in either direction stops a TCP handshake: the SYN or the SYN-ACK would be lost. */
export function isHandshakeBlocked(faults: LinkFaults): boolean {
  return faults.upstream.partition !== 'none' || faults.downstream.partition !== 'none';
}
