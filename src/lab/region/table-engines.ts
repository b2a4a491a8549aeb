import { retransmitAfterMs as retransmitAfterMsFor } from '../../core/replication/replication-lag.ts';
import type { Random } from '../../core/random.ts';
import type { LocalTableEngine } from '../data/local-table-engine.ts';
import type { TableEngine, TableSchema } from '../data/table-engine.ts';
import { MultiWriterTableEngine } from '../replication/multi-writer-table-engine.ts';
import { QuorumTableEngine } from '../replication/quorum-table-engine.ts';
import type { Outbox, ReplicatedTableEngine } from '../replication/replicated-table-engine.ts';
import { SingleWriterTableEngine } from '../replication/single-writer-table-engine.ts';
import type { RegionTable } from './region-messages.ts';

/** The lab's elections draw their timeouts from here: a live lab is not replayed, only the simulator is. */
const SYSTEM_RANDOM: Random = { nextFloat: () => Math.random() };

/**
 * The engine of each data-class table in a region process, chosen by the table's replication mode;
 * every replicated engine is registered in `replicated` so that the process can tick it, deliver its
 * messages and ask for its figures.
 */
export function createEngineFactory(region: string, tables: readonly RegionTable[], replicated: Map<string, ReplicatedTableEngine>, outboxFor: (table: RegionTable) => Outbox) {
  return (schema: TableSchema, local: LocalTableEngine): TableEngine => {
    const table = tables.find((candidate) => candidate.name === schema.tableName);
    if (table === undefined || table.replication === 'local') return local;
    const engine = replicatedEngine(region, table, local, outboxFor(table));
    replicated.set(table.name, engine);
    return engine;
  };
}

/** Acknowledgements come back after the class's replication lag; resending sooner would only duplicate (as in the simulator). */
function retransmitAfterMs(table: RegionTable): number {
  return retransmitAfterMsFor(table.replicationLagMs ?? 0);
}

function replicatedEngine(region: string, table: RegionTable, local: LocalTableEngine, outbox: Outbox): ReplicatedTableEngine {
  switch (table.replication) {
    case 'multi-writer':
      return new MultiWriterTableEngine(local, region, table.replicas, outbox, Date.now, retransmitAfterMs(table));
    case 'single-writer':
      return new SingleWriterTableEngine(local, { region, regions: table.replicas, primaryRegion: table.primaryRegion ?? table.replicas[0]!, retransmitAfterMs: retransmitAfterMs(table) }, outbox);
    case 'strong':
      return new QuorumTableEngine(local, { region, members: table.replicas, ...(table.witness === undefined ? {} : { witness: table.witness }), random: SYSTEM_RANDOM }, outbox);
    case 'local':
      throw new Error('invariant violated: a local table has no replicated engine');
  }
}
