import { HlcDriftError, invariant } from './replication-errors.ts';

/**
 * Hybrid logical clocks (Kulkarni, Demirbas et al., "Logical Physical Clocks and Consistent Snapshots in
 * Globally Distributed Databases", 2014). A timestamp stays within the clock drift of physical time, yet
 * orders causally related events like a logical clock: if e happened before f, then ts(e) < ts(f).
 *
 * Time comes in as `physicalMs` (the simulator's virtual clock or the lab's system clock, skew included);
 * the clock never reads one itself.
 */
export interface HlcTimestamp {
  /** The largest physical time seen, in ms. */
  readonly wallMs: number;
  /** Orders events that share `wallMs`. */
  readonly logical: number;
  /** The node that issued the timestamp; breaks the remaining ties so that the order is total. */
  readonly nodeId: string;
}

export interface HlcOptions {
  /**
   * Largest logical counter. When a burst of events within one millisecond would pass it, the clock
   * borrows the next millisecond of wall time instead: order and causality are kept, and the timestamp
   * runs ahead of physical time by at most a millisecond per `logicalMax` events. @default 65535
   */
  readonly logicalMax?: number;
  /**
   * How far ahead of local physical time a received timestamp may be; beyond it `receive` throws
   * HlcDriftError and leaves the clock as it was, so one broken clock cannot drag the others forward.
   * @default Infinity (no limit)
   */
  readonly driftMsMax?: number;
}

export interface HybridLogicalClock {
  wallMs: number;
  logical: number;
  readonly nodeId: string;
  readonly logicalMax: number;
  readonly driftMsMax: number;
}

export const HLC_LOGICAL_MAX_DEFAULT = 0xffff;

export function createHlc(nodeId: string, options: HlcOptions = {}): HybridLogicalClock {
  const logicalMax = options.logicalMax ?? HLC_LOGICAL_MAX_DEFAULT;
  invariant(Number.isInteger(logicalMax) && logicalMax >= 1, `logicalMax must be a positive integer, got ${logicalMax}`);
  return { wallMs: 0, logical: 0, nodeId, logicalMax, driftMsMax: options.driftMsMax ?? Number.POSITIVE_INFINITY };
}

/** Sets the clock to (wallMs, logical), borrowing a millisecond when logical would pass the bound. */
function advance(clock: HybridLogicalClock, wallMs: number, logical: number): HlcTimestamp {
  if (logical > clock.logicalMax) {
    clock.wallMs = wallMs + 1;
    clock.logical = 0;
  } else {
    clock.wallMs = wallMs;
    clock.logical = logical;
  }
  return { wallMs: clock.wallMs, logical: clock.logical, nodeId: clock.nodeId };
}

/** A timestamp for a local event (a write, a send): greater than every timestamp the clock has issued or seen. */
export function now(clock: HybridLogicalClock, physicalMs: number): HlcTimestamp {
  if (physicalMs > clock.wallMs) return advance(clock, physicalMs, 0);
  return advance(clock, clock.wallMs, clock.logical + 1);
}

/**
 * Merges a remote timestamp into the clock (on receiving a message) and returns the timestamp of the
 * receive event: greater than both the remote one and everything the clock issued before.
 */
export function receive(clock: HybridLogicalClock, remote: HlcTimestamp, physicalMs: number): HlcTimestamp {
  if (remote.wallMs - physicalMs > clock.driftMsMax) throw new HlcDriftError(remote.wallMs, physicalMs, clock.driftMsMax);
  const wallMs = Math.max(clock.wallMs, remote.wallMs, physicalMs);
  if (wallMs === clock.wallMs && wallMs === remote.wallMs) return advance(clock, wallMs, Math.max(clock.logical, remote.logical) + 1);
  if (wallMs === clock.wallMs) return advance(clock, wallMs, clock.logical + 1);
  if (wallMs === remote.wallMs) return advance(clock, wallMs, remote.logical + 1);
  return advance(clock, wallMs, 0);
}

/** Total order: wall time, then logical counter, then node id (plain code-unit order, locale-free). */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): -1 | 0 | 1 {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.nodeId === b.nodeId) return 0;
  return a.nodeId < b.nodeId ? -1 : 1;
}

/** `1700000000123.4@eu-west-1`, for logs and reports. */
export function formatHlc(timestamp: HlcTimestamp): string {
  return `${timestamp.wallMs}.${timestamp.logical}@${timestamp.nodeId}`;
}
