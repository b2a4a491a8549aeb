/**
 * Encoded responses by key, bounded: two generations of at most `maxEntriesPerGeneration` each. Hits in
 * the older generation move to the current one; when the current one is full it becomes the older one
 * and the older is dropped whole. That keeps what is in use (like an LRU) at the cost of one Map lookup
 * per hit, with no per-entry bookkeeping.
 */
import assert from 'node:assert/strict';
import type { Outcome } from './response-plan.ts';

export interface CachedResponse {
  /** The whole response, id 0 and RD clear. */
  readonly full: Buffer;
  /** The TC form, built only when `full` is longer than the smallest UDP limit (512 bytes). */
  readonly truncated: Buffer | undefined;
  readonly outcome: Outcome;
}

export class ResponseCache {
  private current = new Map<string, CachedResponse>();
  private previous = new Map<string, CachedResponse>();
  private readonly maxEntriesPerGeneration: number;

  constructor(maxEntriesPerGeneration: number) {
    assert.ok(Number.isInteger(maxEntriesPerGeneration) && maxEntriesPerGeneration >= 1);
    this.maxEntriesPerGeneration = maxEntriesPerGeneration;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  get(key: string): CachedResponse | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, response: CachedResponse): void {
    if (this.current.size >= this.maxEntriesPerGeneration) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, response);
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}
