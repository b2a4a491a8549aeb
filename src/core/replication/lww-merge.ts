import { compareHlc, type HlcTimestamp } from './hybrid-logical-clock.ts';

/**
 * Item-level last writer wins, as DynamoDB global tables in multi-Region eventual consistency (MREC)
 * resolve concurrent writes: every replica keeps, per item, the version with the greatest timestamp.
 * The order is total (HLC wall time, logical counter, then the origin region's id), so replicas that
 * have seen the same writes hold the same versions whatever the order of arrival: merge is commutative,
 * associative and idempotent. A delete is a version too (a tombstone), so it wins over older writes and
 * loses to newer ones like any other write.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
 */
export interface Versioned {
  readonly timestamp: HlcTimestamp;
}

/** Whether `incoming` replaces `current` (always, when there is no current version). */
export function winsOver(incoming: Versioned, current: Versioned | undefined): boolean {
  return current === undefined || compareHlc(incoming.timestamp, current.timestamp) > 0;
}

/**
 * DynamoDB does not report conflicts; Meridian counts them so that a report can say how many
 * acknowledged writes last-writer-wins silently discarded. A write is counted as lost to a concurrent
 * write at one place only, its own origin region, at the moment a remote version replaces it there while
 * that remote version's writer had not yet applied it. The writer's knowledge is exact because each
 * origin's entries are applied in sequence order: a region has applied origin O's write n exactly when
 * its applied sequence for O is at least n, and every replicated entry carries that per-origin vector
 * (`seenSeq` here is its component for the replaced version's origin).
 *
 * A write replaced by a version written with knowledge of it (a causal overwrite) is not a conflict; a
 * remote write that loses on arrival is counted at its own origin when the winner reaches it.
 */
export function isConcurrentOverwrite(replaced: { readonly seq: number }, incomingSeenSeq: number): boolean {
  return incomingSeenSeq < replaced.seq;
}
