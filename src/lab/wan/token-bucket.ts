/**
 * A token bucket in bytes: it fills at `ratePerSecond` up to `capacityBytes` and every forwarded byte
 * takes a token. Time is passed in, so the bucket is a plain value that tests can drive.
 */
import assert from 'node:assert/strict';

/**
 * The bucket holds this much of a second's worth of bytes, at least one Ethernet MTU: enough that a
 * late timer does not waste capacity, small enough that a burst stays a burst.
 */
const BURST_SECONDS = 0.02;
const MTU_BYTES = 1500;

export function defaultBurstBytes(ratePerSecond: number): number {
  return Math.max(MTU_BYTES, Math.round(ratePerSecond * BURST_SECONDS));
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly capacityBytes: number;
  private tokens: number;
  private updatedAtMs: number;

  constructor(ratePerSecond: number, nowMs: number, capacityBytes = defaultBurstBytes(ratePerSecond)) {
    assert.ok(ratePerSecond > 0 && capacityBytes >= 1, 'a token bucket needs a positive rate and capacity');
    this.ratePerSecond = ratePerSecond;
    this.capacityBytes = capacityBytes;
    this.tokens = capacityBytes;
    this.updatedAtMs = nowMs;
  }

  private refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.updatedAtMs);
    this.tokens = Math.min(this.capacityBytes, this.tokens + (elapsedMs * this.ratePerSecond) / 1000);
    this.updatedAtMs = Math.max(this.updatedAtMs, nowMs);
  }

  /**
   * Takes up to `wantedBytes` tokens and returns how many were taken: 0 unless at least
   * min(wantedBytes, capacity / 2) are there, so a link with many waiting writers sends pieces of a useful
   * size instead of one byte per timer.
   */
  take(wantedBytes: number, nowMs: number): number {
    this.refill(nowMs);
    const worthSending = Math.max(1, Math.min(wantedBytes, this.capacityBytes / 2));
    if (this.tokens < worthSending) return 0;
    const taken = Math.min(wantedBytes, Math.floor(this.tokens));
    this.tokens -= taken;
    return taken;
  }

  /** How long until take(wantedBytes) would give something. */
  msUntilAvailable(wantedBytes: number, nowMs: number): number {
    this.refill(nowMs);
    const missing = Math.max(1, Math.min(wantedBytes, this.capacityBytes / 2)) - this.tokens;
    return missing <= 0 ? 0 : (missing * 1000) / this.ratePerSecond;
  }
}
