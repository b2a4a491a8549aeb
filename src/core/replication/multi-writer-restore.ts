import { compareHlc, type HlcTimestamp } from './hybrid-logical-clock.ts';
import { createMultiWriterReplica, type MultiWriterEntry, type MultiWriterOptions, type MultiWriterReplica } from './multi-writer-replica.ts';
import { invariant } from './replication-errors.ts';
import { appendEntry, resetLog, addPeer } from './replication-log.ts';

/**
 * What a multi-writer replica keeps on disk, enough to take up where it stopped after a crash:
 * - every item's winning version (tombstones included, so that a delete still wins over older writes);
 * - its own log from the first entry some peer may still lack (`truncatedSeq + 1` on);
 * - per origin, the last entry of that origin's log applied here.
 * Cursors are not kept: every peer starts again from `truncatedSeq`, and receivers recognise what they
 * already applied (in-order-apply.ts), so a resend costs bandwidth, never a second application.
 */
export interface MultiWriterDurableState {
  readonly items: readonly (readonly [string, MultiWriterEntry])[];
  /** Own entries after `truncatedSeq`, in sequence order without gaps. */
  readonly log: readonly MultiWriterEntry[];
  /** Own entries up to this sequence every peer acknowledged (and may be gone from the log). */
  readonly truncatedSeq: number;
  /** Per region of the table (by name), the last sequence of its log applied here. */
  readonly appliedSeqs: Readonly<Record<string, number>>;
}

/** The durable parts of a replica, for the shell to write (it chooses when; see the lab engine). */
export function durableStateOf(replica: MultiWriterReplica): MultiWriterDurableState {
  const log: MultiWriterEntry[] = [];
  for (let seq = replica.log.truncatedSeq + 1; seq <= replica.log.lastSeq; seq += 1) log.push(replica.log.entries[replica.log.head + seq - replica.log.truncatedSeq - 1]!);
  return {
    items: [...replica.items],
    log,
    truncatedSeq: replica.log.truncatedSeq,
    appliedSeqs: Object.fromEntries(replica.regions.map((region, index) => [region, replica.appliedSeqs[index]!])),
  };
}

/**
 * A replica rebuilt from its durable state after a crash. Its clock starts at the latest timestamp it
 * holds, so that no write after the restart is ordered before one from before it, even if the machine's
 * clock went back.
 */
export function restoreMultiWriterReplica(options: MultiWriterOptions, durable: MultiWriterDurableState): MultiWriterReplica {
  const replica = createMultiWriterReplica(options);
  for (const [key, entry] of durable.items) replica.items.set(key, entry);
  resetLog(replica.log, durable.truncatedSeq);
  for (const entry of durable.log) {
    invariant(entry.originRegion === replica.region, `the log of ${replica.region} holds an entry of ${entry.originRegion}`);
    appendEntry(replica.log, entry);
  }
  for (const peer of replica.streams.keys()) addPeer(replica.log, peer, 'streaming', durable.truncatedSeq);
  replica.regions.forEach((region, index) => {
    if (region !== replica.region) replica.appliedSeqs[index] = durable.appliedSeqs[region] ?? 0;
  });
  const latest = latestTimestamp([...durable.items.map(([, entry]) => entry), ...durable.log]);
  if (latest !== undefined) {
    replica.clock.wallMs = latest.wallMs;
    replica.clock.logical = latest.logical;
  }
  return replica;
}

function latestTimestamp(entries: readonly MultiWriterEntry[]): HlcTimestamp | undefined {
  let latest: HlcTimestamp | undefined;
  for (const entry of entries) if (latest === undefined || compareHlc(entry.timestamp, latest) > 0) latest = entry.timestamp;
  return latest;
}
