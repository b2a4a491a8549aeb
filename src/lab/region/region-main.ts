/**
 * The entry point of one region process: it opens the region's data node on its own SQLite file,
 * makes sure the tables of the data classes placed here exist, reports its ports to the supervisor and
 * serves until told to stop (or killed, which is the point of running it as a process).
 */
import { startDataNode } from '../data/data-node-server.ts';
import type { LocalTableEngine } from '../data/local-table-engine.ts';
import type { TableEngine, TableSchema } from '../data/table-engine.ts';
import { MultiWriterTableEngine } from '../replication/multi-writer-table-engine.ts';
import { PeerClient, startPeerServer, type PeerEnvelope } from '../replication/peer-transport.ts';
import { isSupervisorMessage, type RegionStartOptions, type RegionToSupervisor } from './region-messages.ts';

/** Replicated tables ship and acknowledge on this period (the simulator's replicas tick at the same rate). */
const REPLICATION_TICK_MS = 50;

function send(message: RegionToSupervisor): void {
  process.send?.(message);
}

/** Data-class tables have a generic key: a string partition key `pk` and a string sort key `sk`. */
async function ensureTable(url: string, table: string): Promise<void> {
  const call = (target: string, body: object) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}` },
      body: JSON.stringify(body),
    });
  const described = await call('DescribeTable', { TableName: table });
  if (described.ok) return;
  const created = await call('CreateTable', {
    TableName: table,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  if (!created.ok) throw new Error(`cannot create table ${table}: ${await created.text()}`);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.MERIDIAN_REGION_OPTIONS ?? '{}') as RegionStartOptions;
  const peerClient = new PeerClient();
  const replicated = new Map<string, MultiWriterTableEngine>();
  const outgoing = new Map<string, PeerEnvelope[]>();
  const engineFor = (schema: TableSchema, local: LocalTableEngine): TableEngine => {
    const table = options.tables.find((candidate) => candidate.name === schema.tableName);
    if (!table || table.replication !== 'multi-writer') return local;
    const engine = new MultiWriterTableEngine(local, options.region, table.replicas, (to, message) => {
      const batch = outgoing.get(to) ?? [];
      batch.push({ table: table.name, from: options.region, message });
      outgoing.set(to, batch);
    });
    replicated.set(table.name, engine);
    return engine;
  };
  const node = await startDataNode({ dbPath: options.dbPath, host: '127.0.0.1', port: 0, region: options.region, engineFor });
  for (const table of options.tables) await ensureTable(node.url, table.name);
  // Replication between regions arrives here through the WAN links and goes to the table's engine.
  const peerServer = await startPeerServer(
    (envelopes) => {
      for (const envelope of envelopes) void replicated.get(envelope.table)?.receive(envelope.from, envelope.message);
    },
    () => ({ region: options.region, replicationLagMs: Object.fromEntries([...replicated].map(([table, engine]) => [table, engine.lagReport()])) }),
  );
  const ticker = setInterval(() => {
    for (const engine of replicated.values()) engine.tick();
    for (const [to, batch] of outgoing) {
      outgoing.delete(to);
      void peerClient.send(to, batch);
    }
  }, REPLICATION_TICK_MS);
  process.on('message', (message: unknown) => {
    if (!isSupervisorMessage(message)) return;
    if (message.kind === 'peers') peerClient.setPeers(message.peers);
    if (message.kind === 'shutdown') void shutdown();
  });
  const shutdown = async () => {
    clearInterval(ticker);
    await Promise.allSettled([node.close(), peerServer.close(), peerClient.close()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.on('disconnect', () => void shutdown());
  send({ kind: 'ready', region: options.region, dataPort: node.port, replicationPort: peerServer.port, pid: process.pid });
}

main().catch((error: unknown) => {
  const options = JSON.parse(process.env.MERIDIAN_REGION_OPTIONS ?? '{}') as Partial<RegionStartOptions>;
  send({ kind: 'failed', region: options.region ?? '?', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
