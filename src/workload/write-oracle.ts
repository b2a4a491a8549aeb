/**
 * What the simulator knows that no replica does: every acknowledged write, when it was acknowledged,
 * and the latest one per item. It tells stale reads and lost writes apart from correct behaviour.
 * Values written are the write's id, so a read's answer names the write it saw.
 */
export interface AcknowledgedWrite {
  readonly id: number;
  readonly key: number;
  readonly ackMs: number;
  /** When the write committed where it was applied (the writer, the quorum), before the answer travelled back. */
  readonly commitMs: number;
  /** Single-writer groups: position and epoch, for lostOnFailover. */
  readonly seq: number;
  readonly epoch: number;
}

export class WriteOracle {
  private nextId = 1;
  /** ackMsById[id]: when each write was acknowledged (NaN while it is not); grows by doubling. */
  private ackMsById = new Float64Array(1024).fill(Number.NaN);
  /** Per item: the last few acknowledged writes, in acknowledgement order. */
  private readonly latestByKey: ({ id: number; ackMs: number }[] | undefined)[] = [];
  readonly acknowledged: AcknowledgedWrite[] = [];
  reads = 0;
  staleReads = 0;

  newWriteId(): number {
    return this.nextId++;
  }

  acknowledge(write: AcknowledgedWrite): void {
    while (write.id >= this.ackMsById.length) {
      const grown = new Float64Array(this.ackMsById.length * 2).fill(Number.NaN);
      grown.set(this.ackMsById);
      this.ackMsById = grown;
    }
    this.ackMsById[write.id] = write.ackMs;
    this.acknowledged.push(write);
    let history = this.latestByKey[write.key];
    if (history === undefined) this.latestByKey[write.key] = history = [];
    history.push({ id: write.id, ackMs: write.ackMs });
    // A read only compares against the last write acknowledged before it began: a few entries suffice.
    if (history.length > 8) history.splice(0, history.length - 8);
  }

  /**
   * Records a read of `key` that began at `issueMs` and returned the value `value` (a write id, or
   * undefined for no item). Stale when a write acknowledged before the read began is newer than it.
   */
  read(key: number, issueMs: number, value: string | undefined): void {
    this.reads += 1;
    const history = this.latestByKey[key];
    if (!history) return;
    let latest: { id: number; ackMs: number } | undefined;
    for (const entry of history) if (entry.ackMs <= issueMs && (!latest || entry.ackMs > latest.ackMs)) latest = entry;
    if (!latest) return;
    const id = value === undefined ? -1 : Number(value);
    const acknowledgedAtMs = id >= 0 && id < this.ackMsById.length ? this.ackMsById[id]! : Number.NaN;
    const seenAckMs = id < 0 ? -1 : Number.isNaN(acknowledgedAtMs) ? Number.POSITIVE_INFINITY : acknowledgedAtMs;
    if (seenAckMs < latest.ackMs) this.staleReads += 1;
  }

  /** The last acknowledged write of each key (by acknowledgement time). */
  lastByKey(): Map<number, number> {
    const last = new Map<number, number>();
    this.latestByKey.forEach((history, key) => history && last.set(key, history[history.length - 1]!.id));
    return last;
  }
}
