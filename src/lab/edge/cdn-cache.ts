/**
 * The CDN edge's cache: whole responses by key, least recently used first out, bounded by entries and
 * by bytes (a body larger than one entry's bound is never stored). Freshness is checked on lookup; a
 * stale entry is dropped then.
 */
import assert from 'node:assert/strict';
import { currentAgeSeconds } from './cache-policy.ts';

export interface CachedResponse {
  readonly status: number;
  /** Origin headers without hop-by-hop ones and without Age (the edge computes it). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
  readonly storedAtMs: number;
  readonly lifetimeSeconds: number;
  readonly initialAgeSeconds: number;
  /** Body plus an estimate of the headers: what counts against the byte bound. */
  readonly sizeBytes: number;
}

export interface CacheBounds {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
}

export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly stored: number;
  readonly evicted: number;
  readonly expired: number;
  /** Responses that would have been stored but exceeded maxEntryBytes. */
  readonly tooLarge: number;
}

export class CdnCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private readonly counts = { stored: 0, evicted: 0, expired: 0, tooLarge: 0 };

  constructor(readonly bounds: CacheBounds) {
    assert.ok(bounds.maxEntryBytes <= bounds.maxBytes, 'one entry must fit in the cache');
  }

  /** A fresh entry (now most recently used) with its current age, or undefined. */
  lookup(key: string, nowMs: number): { readonly entry: CachedResponse; readonly ageSeconds: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const ageSeconds = currentAgeSeconds(entry.initialAgeSeconds, entry.storedAtMs, nowMs);
    if (ageSeconds >= entry.lifetimeSeconds) {
      this.remove(key, entry);
      this.counts.expired++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { entry, ageSeconds };
  }

  /** Whether a body of this size may be stored at all; a miss stops collecting as soon as it may not. */
  fits(bodyBytes: number): boolean {
    return bodyBytes <= this.bounds.maxEntryBytes;
  }

  /** A response that may be stored but outgrew maxEntryBytes while it streamed: counted, not kept. */
  skipTooLarge(): void {
    this.counts.tooLarge++;
  }

  store(key: string, response: Omit<CachedResponse, 'sizeBytes'>): boolean {
    const sizeBytes = response.body.length + headerBytes(response.headers);
    if (sizeBytes > this.bounds.maxEntryBytes) {
      this.counts.tooLarge++;
      return false;
    }
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    this.entries.set(key, { ...response, sizeBytes });
    this.bytes += sizeBytes;
    this.counts.stored++;
    // Bounded: each pass removes one entry, and the new one alone fits.
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.bounds.maxEntries && this.bytes <= this.bounds.maxBytes) break;
      this.remove(oldestKey, oldest);
      this.counts.evicted++;
    }
    return true;
  }

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes, ...this.counts };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string, entry: CachedResponse): void {
    this.entries.delete(key);
    this.bytes -= entry.sizeBytes;
  }
}

function headerBytes(headers: CachedResponse['headers']): number {
  let total = 0;
  for (const [name, value] of Object.entries(headers)) {
    for (const item of typeof value === 'string' ? [value] : value) total += name.length + item.length + 4;
  }
  return total;
}
