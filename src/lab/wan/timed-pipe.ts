/**
 * One direction of one proxied connection: bytes read from `source` wait in a timed queue and are written
 * to the destination when their release time comes. The queue is FIFO and release times never decrease
 * (each is max(previous release, sent + one-way delay + jitter)), so jitter delays bytes but never
 * reorders them — TCP delivers a stream in order, whatever the packets did.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { PartitionMode } from './link-faults.ts';
import type { TokenBucket } from './token-bucket.ts';

/** The state of a link direction as a pipe sees it; the link owns it and changes it at run time. */
export interface DirectionConditions {
  readonly oneWayDelayMs: number;
  readonly jitterMs: number;
  readonly partition: PartitionMode;
  /** Shared by every connection of the link in this direction; null = unlimited. */
  readonly bucket: TokenBucket | null;
}

export interface PipeHooks {
  nowMs(): number;
  random(): number;
  conditions(): DirectionConditions;
  forwarded(bytes: number): void;
  dropped(bytes: number): void;
  /** More than maxQueuedBytes are queued: back-pressure failed and the connection must go. */
  overflowed(queuedBytes: number, maxQueuedBytes: number): void;
}

export interface PipeLimits {
  /** Reading from the source pauses at this many queued bytes and resumes at half of it. */
  readonly pauseAtBytes: number;
  readonly maxQueuedBytes: number;
}

type Segment = { kind: 'data'; bytes: Buffer; releaseAtMs: number } | { kind: 'end' | 'reset'; releaseAtMs: number };

/** Compact the queue array once this many segments have been consumed from its head. */
const COMPACT_AFTER_SEGMENTS = 1024;

export class TimedPipe {
  private queue: Segment[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastReleaseAtMs = -Infinity;
  /** After a healed partition nothing held arrives sooner than one one-way delay after the heal. */
  private releaseFloorMs = -Infinity;
  /** Nothing is sent before this time: the TCP handshake the client's first bytes must wait for. */
  private sendNotBeforeMs = -Infinity;
  private destination: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  private waitingForDrain = false;
  private sourcePaused = false;
  private closed = false;
  /** Bytes were black-holed: the stream has a hole that no later byte can fill. */
  lostBytes = false;

  constructor(
    private readonly source: Socket,
    private readonly hooks: PipeHooks,
    private readonly limits: PipeLimits,
  ) {
    assert.ok(limits.pauseAtBytes > 0 && limits.maxQueuedBytes > limits.pauseAtBytes, 'pipe limits out of order');
  }

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  get connected(): boolean {
    return this.destination !== null;
  }

  attachDestination(destination: Socket): void {
    assert.equal(this.destination, null, 'a pipe has one destination');
    this.destination = destination;
    this.pump();
  }

  /**
   * Nothing is sent before `sendNotBeforeMs` (the client's SYN-ACK arrives then), so nothing arrives
   * before one one-way delay later — bytes already queued included.
   */
  holdUntil(sendNotBeforeMs: number): void {
    this.sendNotBeforeMs = sendNotBeforeMs;
    this.releaseFloorMs = Math.max(this.releaseFloorMs, sendNotBeforeMs + this.hooks.conditions().oneWayDelayMs);
  }

  push(bytes: Buffer): void {
    if (this.closed) return;
    const conditions = this.hooks.conditions();
    // Before the handshake the client's bytes are still in its own send buffer: a partition holds them.
    if (conditions.partition === 'drop' && this.destination !== null) {
      this.hooks.dropped(bytes.length);
      this.lostBytes = true;
      return;
    }
    this.enqueue({ kind: 'data', bytes, releaseAtMs: this.releaseTime(conditions) });
    this.queuedBytes += bytes.length;
    if (this.queuedBytes > this.limits.maxQueuedBytes) {
      this.hooks.overflowed(this.queuedBytes, this.limits.maxQueuedBytes);
      return;
    }
    if (this.queuedBytes >= this.limits.pauseAtBytes && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    }
    this.pump();
  }

  /** The source closed its side (FIN) or was reset (RST); either travels the link like a byte. */
  pushClose(kind: 'end' | 'reset'): void {
    if (this.closed) return;
    this.enqueue({ kind, releaseAtMs: this.releaseTime(this.hooks.conditions()) });
    this.pump();
  }

  /** A partition on this direction healed: deliver what was held, one one-way delay from now. */
  heal(): void {
    const conditions = this.hooks.conditions();
    this.releaseFloorMs = Math.max(this.releaseFloorMs, this.hooks.nowMs() + conditions.oneWayDelayMs);
    this.pump();
  }

  /** A drop partition began: what is in flight on the link is lost with it. */
  discard(): void {
    if (this.destination === null) return;
    let droppedBytes = 0;
    for (let index = this.head; index < this.queue.length; index++) {
      const segment = this.queue[index]!;
      if (segment.kind === 'data') droppedBytes += segment.bytes.length;
    }
    if (this.queue.length > this.head) this.lostBytes = true;
    if (droppedBytes > 0) this.hooks.dropped(droppedBytes);
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.resumeSourceIfDrained();
  }

  close(): void {
    this.closed = true;
    this.clearTimer();
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  private releaseTime(conditions: DirectionConditions): number {
    const sentAtMs = Math.max(this.hooks.nowMs(), this.sendNotBeforeMs);
    const jitterMs = conditions.jitterMs > 0 ? this.hooks.random() * conditions.jitterMs : 0;
    this.lastReleaseAtMs = Math.max(this.lastReleaseAtMs, sentAtMs + conditions.oneWayDelayMs + jitterMs);
    return this.lastReleaseAtMs;
  }

  private enqueue(segment: Segment): void {
    this.queue.push(segment);
  }

  /** Writes every segment that is due, then sleeps until the next one is (or until drain or heal). */
  pump(): void {
    if (this.closed || this.destination === null || this.waitingForDrain) return;
    const conditions = this.hooks.conditions();
    if (conditions.partition !== 'none') return;
    const wakeAtMs = this.writeDue(conditions.bucket);
    this.compact();
    this.resumeSourceIfDrained();
    if (wakeAtMs !== null) this.wakeAt(wakeAtMs);
  }

  /** Writes segments while they are due; returns when to look again, or null when only drain or new data can help. */
  private writeDue(bucket: TokenBucket | null): number | null {
    while (this.head < this.queue.length && !this.waitingForDrain && !this.closed) {
      const segment = this.queue[this.head]!;
      const nowMs = this.hooks.nowMs();
      const dueMs = Math.max(segment.releaseAtMs, this.releaseFloorMs);
      if (dueMs > nowMs) return dueMs;
      if (segment.kind !== 'data') {
        this.shift();
        this.deliverClose(segment.kind);
        continue;
      }
      const waitMs = this.writeData(segment, bucket, nowMs);
      if (waitMs > 0) return nowMs + waitMs;
    }
    return null;
  }

  /** Writes the head segment, or as much of it as the bandwidth allows; returns how long to wait, or 0. */
  private writeData(segment: Segment & { kind: 'data' }, bucket: TokenBucket | null, nowMs: number): number {
    const destination = this.destination!;
    let piece = segment.bytes;
    if (bucket !== null) {
      const takenBytes = bucket.take(piece.length, nowMs);
      if (takenBytes === 0) return bucket.msUntilAvailable(piece.length, nowMs);
      if (takenBytes < piece.length) {
        segment.bytes = piece.subarray(takenBytes);
        piece = piece.subarray(0, takenBytes);
      } else this.shift();
    } else this.shift();
    this.queuedBytes -= piece.length;
    if (destination.destroyed || destination.writableEnded) return 0;
    this.hooks.forwarded(piece.length);
    if (!destination.write(piece)) {
      this.waitingForDrain = true;
      destination.once('drain', () => {
        this.waitingForDrain = false;
        this.pump();
      });
    }
    return 0;
  }

  private deliverClose(kind: 'end' | 'reset'): void {
    const destination = this.destination!;
    if (destination.destroyed) return;
    if (kind === 'end') destination.end();
    else destination.resetAndDestroy();
  }

  private shift(): void {
    this.head++;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER_SEGMENTS) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private resumeSourceIfDrained(): void {
    if (this.sourcePaused && this.queuedBytes <= this.limits.pauseAtBytes / 2 && !this.source.destroyed) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }

  /**
   * One timer per pipe, moved only when something is due sooner. Timers fire on the event loop's cached
   * clock and may fire a little early by performance.now(); pump() then sees nothing due and sleeps again,
   * so no byte is ever released before its time.
   */
  private wakeAt(dueMs: number): void {
    if (this.timer !== null && this.timerDueMs <= dueMs) return;
    const nowMs = this.hooks.nowMs();
    this.clearTimer();
    this.timerDueMs = dueMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDueMs = Infinity;
      this.pump();
    }, Math.max(1, Math.ceil(dueMs - nowMs)));
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerDueMs = Infinity;
  }
}
