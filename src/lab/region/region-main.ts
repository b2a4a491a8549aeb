/**
 * The entry point of one region process: it opens the region's data node on its own SQLite file,
 * makes sure the tables of the data classes placed here exist, reports its ports to the supervisor and
 * serves until told to stop (or killed, which is the point of running it as a process).
 */
import { createAuditTrail, auditEvents, recordDenial } from '../../core/residency/residency-audit.ts';
import { decideResidency, requireResidency } from '../../core/residency/residency-decision.ts';
import { createResidencyPolicy } from '../../core/residency/residency-policy.ts';
import { startDataNode } from '../data/data-node-server.ts';
import { ControlCommandError, type ControlCommand, type ReplicatedTableEngine } from '../replication/replicated-table-engine.ts';
import { PeerClient, startPeerServer } from '../replication/peer-transport.ts';
import { isSupervisorMessage, type RegionStartOptions, type RegionTable, type RegionToSupervisor } from './region-messages.ts';
import { ReplicationOutbox } from './replication-pipeline.ts';
import { createEngineFactory } from './table-engines.ts';

/** Replicated tables ship and acknowledge on this period (the simulator's replicas tick at the same rate). */
const REPLICATION_TICK_MS = 50;
/** Residency denials kept for the metrics endpoint. */
const AUDIT_EVENTS_MAX = 1000;

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

/**
 * Residency on every path of the process: a request for a zone-bound class outside its zone is answered
 * AccessDeniedException (tableGuard), and no replication message of such a class is sent to, or taken
 * from, a region outside the zone. Every denial is kept in the audit trail.
 */
function residencyGuards(options: RegionStartOptions) {
  const policy = createResidencyPolicy(options.residency);
  const trail = createAuditTrail(AUDIT_EVENTS_MAX);
  const classes = new Set(options.residency.map((rule) => rule.dataClass));
  const mayReplicate = (dataClass: string, region: string, sourceRegion: string): boolean => {
    const decision = decideResidency(policy, { action: 'replicate', dataClass, region, sourceRegion }, Date.now());
    if (!decision.allowed) recordDenial(trail, decision.audit);
    return decision.allowed;
  };
  return {
    trail,
    tableGuard: (tableName: string, action: 'store' | 'serve') => {
      // Tables that are not a data class (a user's own) are not bound to a zone.
      if (classes.has(tableName)) requireResidency(policy, { action, dataClass: tableName, region: options.region }, Date.now(), trail);
    },
    mayReplicate,
    report: () => ({ denied: trail.denied, recent: auditEvents(trail).slice(-20) }),
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.MERIDIAN_REGION_OPTIONS ?? '{}') as RegionStartOptions;
  const residency = residencyGuards(options);
  const peerClient = new PeerClient((toRegion, localPort, tag) => send({ kind: 'tag-connection', toRegion, localPort, tag }));
  const replicated = new Map<string, ReplicatedTableEngine>();
  const tablesByName = new Map(options.tables.map((table) => [table.name, table]));
  const outboxes = new Map<string, ReplicationOutbox>();
  const outboxFor = (table: RegionTable) => {
    const outbox = outboxes.get(table.name) ?? new ReplicationOutbox({ region: options.region, table, send: (to, message) => peerClient.enqueue(to, table.name, [{ table: table.name, from: options.region, message }]) });
    outboxes.set(table.name, outbox);
    return (to: string, message: unknown) => {
      if (residency.mayReplicate(table.dataClass, to, options.region)) outbox.push(to, message);
    };
  };
  const engineFor = createEngineFactory(options.region, options.tables, replicated, outboxFor);
  const node = await startDataNode({ dbPath: options.dbPath, host: '127.0.0.1', port: options.dataPort ?? 0, region: options.region, engineFor, tableGuard: residency.tableGuard });
  for (const table of options.tables) await ensureTable(node.url, table.name);
  // Replication between regions arrives here through the WAN links and goes to the table's engine.
  const peerServer = await startPeerServer({
    onMessages: (envelopes) => {
      for (const envelope of envelopes) {
        const table = tablesByName.get(envelope.table);
        if (table === undefined || !residency.mayReplicate(table.dataClass, options.region, envelope.from)) continue;
        void replicated.get(envelope.table)?.receive(envelope.from, envelope.message).catch((error: unknown) => console.error(`replication of ${envelope.table} from ${envelope.from}:`, error));
      }
    },
    metrics: () => {
      const tables = Object.fromEntries([...replicated].map(([name, engine]) => [name, engine.metrics()]));
      return {
        region: options.region,
        tables,
        replicationLagMs: Object.fromEntries(Object.entries(tables).map(([name, figures]) => [name, figures.replicationLagMs ?? {}])),
        residency: residency.report(),
        peerSendFailures: peerClient.failures,
        peerMessagesDropped: peerClient.dropped,
      };
    },
    control: (body) => control(replicated, outboxes, body),
  }, options.replicationPort ?? 0);
  const ticker = setInterval(() => {
    for (const engine of replicated.values()) engine.tick();
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

/** A control command for one table: `{ table, command }`. */
/** `pause-replication` adds or lifts a pause of a table's outgoing replication (pauses stack); the rest go to the table's engine. */
type RegionControlCommand = ControlCommand | { readonly kind: 'pause-replication'; readonly paused: boolean };

async function control(replicated: ReadonlyMap<string, ReplicatedTableEngine>, outboxes: ReadonlyMap<string, ReplicationOutbox>, body: unknown): Promise<readonly [number, unknown]> {
  const { table, command } = (body ?? {}) as { table?: unknown; command?: RegionControlCommand };
  const engine = typeof table === 'string' ? replicated.get(table) : undefined;
  if (engine === undefined) return [404, { error: `no replicated table ${JSON.stringify(table)} in this region` }];
  if (command?.kind === 'pause-replication') {
    const outbox = outboxes.get(table as string);
    if (typeof command.paused !== 'boolean' || outbox === undefined) return [400, { error: 'pause-replication takes paused: true or false' }];
    if (command.paused) outbox.pause();
    else outbox.resume();
    return [200, { table, paused: outbox.paused }];
  }
  if (engine.control === undefined || typeof command?.kind !== 'string') return [400, { error: `table ${table} (${engine.mode}) takes no control command ${JSON.stringify(command?.kind)}` }];
  try {
    return [200, await engine.control(command)];
  } catch (error) {
    if (error instanceof ControlCommandError) return [409, { error: error.message }];
    throw error;
  }
}

main().catch((error: unknown) => {
  const options = JSON.parse(process.env.MERIDIAN_REGION_OPTIONS ?? '{}') as Partial<RegionStartOptions>;
  send({ kind: 'failed', region: options.region ?? '?', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
