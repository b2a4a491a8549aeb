/**
 * What a strongly consistent table remembers about who wrote an item last, to detect conflicting writes
 * the way DynamoDB multi-Region strong consistency (MRSC) reports them: a write "rejected because one or
 * more items in the request are being modified by a request in another Region" fails with
 * ReplicatedWriteConflictException (replication-errors.ts has the sources).
 *
 * Every write proposal carries the item version its Region had applied when the request arrived (its
 * base). It conflicts when the log already holds a write to the item, committed or not, from another
 * Region and newer than that base: the two were concurrent, and the Region did not see the other's
 * write. Writes from the same Region serialize without conflict, as concurrent writes to one item in one
 * Region do. Two facts per item are enough for that test: the latest write (version and Region) and the
 * latest write by any other Region than that one.
 */
export interface WriteHistory {
  /** Log index of the item's latest write. */
  readonly version: number;
  readonly region: string;
  /** Log index and Region of the latest write by a Region other than `region` (0 and undefined when none). */
  readonly otherVersion: number;
  readonly otherRegion: string | undefined;
}

export function recordWrite(history: WriteHistory | undefined, version: number, region: string): WriteHistory {
  if (history === undefined) return { version, region, otherVersion: 0, otherRegion: undefined };
  if (history.region === region) return { ...history, version };
  return { version, region, otherVersion: history.version, otherRegion: history.region };
}

/** The Region whose write makes a proposal from `originRegion` based on `baseVersion` a conflict, if any. */
export function conflictingRegion(history: WriteHistory | undefined, originRegion: string, baseVersion: number): string | undefined {
  if (history === undefined) return undefined;
  if (history.region !== originRegion) return history.version > baseVersion ? history.region : undefined;
  return history.otherVersion > baseVersion ? history.otherRegion : undefined;
}
