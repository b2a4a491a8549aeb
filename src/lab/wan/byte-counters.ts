/**
 * Bytes a link forwarded, per direction and per caller-given tag (e.g. a data class): the inter-region
 * transfer that the cost model prices. A byte counts when it is handed to the far side's socket, so a
 * held or black-holed byte is never billed; black-holed bytes are counted apart.
 */
import type { Direction } from './link-faults.ts';
import { LinkLimitError } from './link-errors.ts';

export interface DirectionTotals {
  readonly bytesForwarded: number;
  readonly bytesDropped: number;
}

export interface TagTotals {
  readonly upstreamBytes: number;
  readonly downstreamBytes: number;
}

export interface ByteCountersSnapshot {
  readonly upstream: DirectionTotals;
  readonly downstream: DirectionTotals;
  /** Forwarded bytes of tagged connections, by tag; untagged bytes appear only in the totals. */
  readonly byTag: Readonly<Record<string, TagTotals>>;
}

/** Tags are a handful of data classes or services; thousands mean a caller tags by request id. */
export const TAGS_MAX = 256;

interface MutableTotals {
  bytesForwarded: number;
  bytesDropped: number;
}

export class ByteCounters {
  private readonly totals: Record<Direction, MutableTotals> = {
    upstream: { bytesForwarded: 0, bytesDropped: 0 },
    downstream: { bytesForwarded: 0, bytesDropped: 0 },
  };
  private readonly tags = new Map<string, { upstreamBytes: number; downstreamBytes: number }>();

  forwarded(direction: Direction, bytes: number, tag: string | undefined): void {
    this.totals[direction].bytesForwarded += bytes;
    if (tag !== undefined) this.addToTag(tag, direction === 'upstream' ? bytes : 0, direction === 'downstream' ? bytes : 0);
  }

  dropped(direction: Direction, bytes: number): void {
    this.totals[direction].bytesDropped += bytes;
  }

  /** Throws LinkLimitError before a new tag would exceed TAGS_MAX. */
  requireTagRoom(tag: string): void {
    if (!this.tags.has(tag) && this.tags.size >= TAGS_MAX) throw new LinkLimitError('distinct tags on a link', TAGS_MAX);
  }

  /** Credits a tag with bytes a connection forwarded before it was tagged. */
  addToTag(tag: string, upstreamBytes: number, downstreamBytes: number): void {
    let totals = this.tags.get(tag);
    if (totals === undefined) {
      this.requireTagRoom(tag);
      totals = { upstreamBytes: 0, downstreamBytes: 0 };
      this.tags.set(tag, totals);
    }
    totals.upstreamBytes += upstreamBytes;
    totals.downstreamBytes += downstreamBytes;
  }

  snapshot(): ByteCountersSnapshot {
    const byTag: Record<string, TagTotals> = {};
    for (const [tag, totals] of [...this.tags].sort(([a], [b]) => a.localeCompare(b))) byTag[tag] = { ...totals };
    return { upstream: { ...this.totals.upstream }, downstream: { ...this.totals.downstream }, byTag };
  }
}
