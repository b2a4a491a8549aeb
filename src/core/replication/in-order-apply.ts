import type { Sequenced } from './replication-entry.ts';

/**
 * The receiving side of a replication stream: entries from one origin are applied exactly once and in
 * sequence order. The network may repeat, reorder or lose batches; the receiver keeps one number per
 * origin (the last sequence applied) and from each batch applies only the entries that extend it.
 * Entries at or below it are duplicates and do nothing; an entry past a gap is left for the sender to
 * send again (its cursor only moves on what the receiver acknowledges, so it will).
 */
export interface InOrderApplyResult {
  /** The last sequence applied after this batch: what the receiver acknowledges. */
  readonly appliedSeq: number;
  readonly applied: number;
  readonly duplicates: number;
  /** The batch skipped ahead of `appliedSeq + 1`, or `apply` refused an entry: the rest waits. */
  readonly stopped: boolean;
}

/**
 * Applies the entries of `batch` that extend `appliedSeq`, in order. `apply` returns false to refuse an
 * entry (for instance a timestamp too far in the future), which stops the batch there.
 */
export function applyInOrder<E extends Sequenced>(appliedSeq: number, batch: readonly E[], apply: (entry: E) => boolean): InOrderApplyResult {
  let last = appliedSeq;
  let applied = 0;
  let duplicates = 0;
  for (const entry of batch) {
    if (entry.seq <= last) {
      duplicates += 1;
      continue;
    }
    if (entry.seq !== last + 1 || !apply(entry)) return { appliedSeq: last, applied, duplicates, stopped: true };
    last = entry.seq;
    applied += 1;
  }
  return { appliedSeq: last, applied, duplicates, stopped: false };
}
