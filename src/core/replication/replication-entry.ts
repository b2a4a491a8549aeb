import type { HlcTimestamp } from './hybrid-logical-clock.ts';

/** An item's stored value, opaque to replication: the data layer above chooses its encoding. */
export type ItemValue = string;

/** Anything a replication log can hold: a contiguous sequence number from 1 in its origin's log. */
export interface Sequenced {
  readonly seq: number;
}

/** One change to one item, as the asynchronous protocols (multi-writer, single-writer) ship it. */
export interface ReplicationEntry extends Sequenced {
  readonly key: string;
  /** The new value, or null for a delete: a tombstone, kept so that the delete wins over older writes. */
  readonly value: ItemValue | null;
  readonly timestamp: HlcTimestamp;
  readonly originRegion: string;
  readonly dataClass: string;
}

export function isTombstone(entry: { readonly value: ItemValue | null }): boolean {
  return entry.value === null;
}
