import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mulberry32, type TestRandom } from '../../src/core/replication/testing/adversarial-network.ts';
import type { SingleWriterMember } from '../../src/core/replication/single-writer-state.ts';
import { entriesAfter } from '../../src/core/replication/replication-log.ts';
import { startDataNode, type DataNode } from '../../src/lab/data/data-node-server.ts';
import { LocalTableEngine } from '../../src/lab/data/local-table-engine.ts';
import { SqliteStore } from '../../src/lab/data/storage/sqlite-store.ts';
import type { TableSchema } from '../../src/lab/data/table-engine.ts';
import { ControlCommandError } from '../../src/lab/replication/replicated-table-engine.ts';
import { SingleWriterTableEngine, type LostWrite, type SingleWriterTableEngineOptions } from '../../src/lab/replication/single-writer-table-engine.ts';
import { sleep } from './lab-support.ts';

// Three regions of a single-writer table, each a real data node on its own SQLite file, driven through
// the real AWS SDK client. The engines' messages go through an in-test bus that delivers after a delay
// and can hold one direction of a link (a partition; held messages are delivered on heal). Every wait
// polls for an outcome with a generous deadline: timing never decides a test.

const TABLE = 'orders';
const PRIMARY = 'us-east-1';
const REGIONS = [PRIMARY, 'us-west-2', 'eu-west-1'];
const BUS_DELAY_MS = 3;
const TICK_MS = 20;

interface Status {
  role: string;
  epoch: number;
  primaryRegion: string;
  epochStartSeq: number;
  lastSeq: number;
  awaitingSnapshot: boolean;
  switchover: { target: string; epoch: number; phase: string } | null;
  stats: { writes: number; forwardedWrites: number; appliedEntries: number; duplicatesIgnored: number; snapshotsInstalled: number; discardedEntries: number };
  lostWrites: { count: number; complete: boolean; recent: LostWrite[] };
  replicationLagMs: Record<string, { entries: number }>;
  restoredFromJournal: boolean;
  failure: string | null;
}

/** Delivers engine messages between regions after a delay, through JSON as on a wire; holds what a partition cuts. */
class MessageBus {
  readonly engines = new Map<string, SingleWriterTableEngine>();
  readonly errors: unknown[] = [];
  private readonly cut = new Set<string>();
  private held: { from: string; to: string; wire: string }[] = [];

  send(from: string, to: string, message: unknown): void {
    const wire = JSON.stringify(message);
    if (this.cut.has(`${from}>${to}`)) this.held.push({ from, to, wire });
    else setTimeout(() => this.deliver(from, to, wire), BUS_DELAY_MS);
  }

  /** Holds messages from `from` to `to` until heal(). */
  hold(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Holds everything to and from `region`. */
  isolate(region: string): void {
    for (const other of REGIONS) {
      if (other === region) continue;
      this.hold(region, other);
      this.hold(other, region);
    }
  }

  /** Ends every partition and delivers what was held, in order. */
  heal(): void {
    this.cut.clear();
    const held = this.held;
    this.held = [];
    for (const { from, to, wire } of held) setTimeout(() => this.deliver(from, to, wire), BUS_DELAY_MS);
  }

  private deliver(from: string, to: string, wire: string): void {
    const engine = this.engines.get(to);
    if (engine === undefined) return; // The region is down: the message is lost.
    engine.receive(from, JSON.parse(wire)).catch((error: unknown) => {
      if (this.engines.get(to) === engine) this.errors.push(error);
    });
  }
}

interface Cluster {
  readonly directory: string;
  readonly bus: MessageBus;
  readonly nodes: Map<string, DataNode>;
  readonly clients: Map<string, DynamoDBClient>;
  readonly writeForwarding: boolean;
  readonly ticker: NodeJS.Timeout;
}

async function startCluster(writeForwarding = false): Promise<Cluster> {
  const bus = new MessageBus();
  const ticker = setInterval(() => {
    for (const engine of bus.engines.values()) engine.tick();
  }, TICK_MS);
  const cluster: Cluster = { directory: mkdtempSync(join(tmpdir(), 'meridian-single-writer-')), bus, nodes: new Map(), clients: new Map(), writeForwarding, ticker };
  for (const region of REGIONS) {
    await startRegion(cluster, region);
    await client(cluster, region).send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  return cluster;
}

/** Opens (or reopens) the region's data node on its SQLite file; its table engine is built, or restored, there. */
async function startRegion(cluster: Cluster, region: string): Promise<void> {
  const node = await startDataNode({
    dbPath: join(cluster.directory, `${region}.db`),
    region,
    engineFor: (_schema, local) => {
      const options = { region, regions: REGIONS, primaryRegion: PRIMARY, writeForwarding: cluster.writeForwarding, heartbeatIntervalMs: 200, retransmitAfterMs: 300 };
      const engine = new SingleWriterTableEngine(local, options, (to, message) => cluster.bus.send(region, to, message));
      cluster.bus.engines.set(region, engine);
      return engine;
    },
  });
  cluster.nodes.set(region, node);
  cluster.clients.set(region, new DynamoDBClient({ endpoint: node.url, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }));
}

/** The region's process dies: its engine gets nothing more, its node closes, nothing is flushed on the way out. */
async function stopRegion(cluster: Cluster, region: string): Promise<void> {
  cluster.bus.engines.delete(region);
  cluster.clients.get(region)!.destroy();
  await cluster.nodes.get(region)!.close();
}

async function stopCluster(cluster: Cluster): Promise<void> {
  clearInterval(cluster.ticker);
  for (const region of [...cluster.bus.engines.keys()]) await stopRegion(cluster, region);
  rmSync(cluster.directory, { recursive: true, force: true });
}

const client = (cluster: Cluster, region: string) => cluster.clients.get(region)!;
const engine = (cluster: Cluster, region: string) => cluster.bus.engines.get(region)!;
const status = async (cluster: Cluster, region: string) => (await engine(cluster, region).control({ kind: 'status' })) as unknown as Status;

async function put(cluster: Cluster, region: string, pk: string, value: string): Promise<void> {
  await client(cluster, region).send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'item' }, value: { S: value } } }));
}

async function get(cluster: Cluster, region: string, pk: string): Promise<string | undefined> {
  const answer = await client(cluster, region).send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: 'item' } } }));
  return answer.Item?.value?.S;
}

/** The region's table as pk → value. */
async function tableOf(cluster: Cluster, region: string): Promise<Map<string, string>> {
  const page = await client(cluster, region).send(new ScanCommand({ TableName: TABLE }));
  assert.equal(page.LastEvaluatedKey, undefined, 'the test tables fit in one page');
  return new Map((page.Items ?? []).map((item) => [item.pk!.S!, item.value!.S!]));
}

const sorted = (table: Map<string, string>) => [...table].sort((a, b) => (a[0] < b[0] ? -1 : 1));

interface ServiceError extends Error {
  $metadata: { httpStatusCode?: number };
}

async function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    const serviceError = error as ServiceError;
    assert.equal(serviceError.name, name, `expected ${name}, got ${serviceError.name}: ${serviceError.message}`);
    if (message !== undefined) assert.match(serviceError.message, message);
    return serviceError;
  }
  assert.fail(`expected ${name}, but the request succeeded`);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

/** Every region holds `lastSeq` entries and the same table as the primary. */
async function waitForConvergence(cluster: Cluster, what: string): Promise<Map<string, string>> {
  let reference = new Map<string, string>();
  await waitFor(what, async () => {
    const statuses = await Promise.all(REGIONS.map((region) => status(cluster, region)));
    const primaries = statuses.filter((entry) => entry.role === 'primary');
    if (primaries.length !== 1) return false;
    if (!statuses.every((entry) => entry.epoch === primaries[0]!.epoch && entry.lastSeq === primaries[0]!.lastSeq && !entry.awaitingSnapshot && entry.switchover === null)) return false;
    const tables = await Promise.all(REGIONS.map((region) => tableOf(cluster, region)));
    reference = tables[0]!;
    return tables.every((table) => JSON.stringify(sorted(table)) === JSON.stringify(sorted(tables[0]!)));
  });
  return reference;
}

function assertNoEngineErrors(cluster: Cluster): void {
  assert.deepEqual(cluster.bus.errors, []);
}

describe('single-writer table engine (three data nodes, real AWS SDK client)', () => {
  test('the primary replicates its writes and deletes; a secondary refuses writes naming the writer', async () => {
    const cluster = await startCluster();
    try {
      for (let index = 0; index < 10; index += 1) await put(cluster, PRIMARY, `k${index}`, `v${index}`);
      await client(cluster, PRIMARY).send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: 'k3' }, sk: { S: 'item' } } }));
      const table = await waitForConvergence(cluster, 'the secondaries have every write');
      assert.equal(table.size, 9);
      assert.equal(table.has('k3'), false);
      for (const region of ['us-west-2', 'eu-west-1']) {
        const secondary = await status(cluster, region);
        assert.equal(secondary.stats.appliedEntries, 11);
        assert.equal(secondary.replicationLagMs[PRIMARY]?.entries, 11, 'the apply lag of every entry is measured');
      }
      const refused = await rejectsWith(put(cluster, 'eu-west-1', 'k0', 'refused'), 'NotPrimaryException', /the writer is us-east-1 \(epoch 1\)/);
      assert.equal(refused.$metadata.httpStatusCode, 400);
      assert.equal(await get(cluster, PRIMARY, 'k0'), 'v0');
      assertNoEngineErrors(cluster);
    } finally {
      await stopCluster(cluster);
    }
  });

  test('with write forwarding a secondary takes writes through the primary', async () => {
    const cluster = await startCluster(true);
    try {
      await put(cluster, PRIMARY, 'a', 'from-primary');
      await put(cluster, 'eu-west-1', 'b', 'forwarded');
      assert.equal(await get(cluster, PRIMARY, 'b'), 'forwarded', 'acknowledged only once the primary has it');
      await waitFor('the forwarded write replicated back to eu-west-1', async () => (await get(cluster, 'eu-west-1', 'b')) === 'forwarded');
      const table = await waitForConvergence(cluster, 'every region has both writes');
      assert.deepEqual(sorted(table), [['a', 'from-primary'], ['b', 'forwarded']]);
      assert.equal((await status(cluster, PRIMARY)).stats.forwardedWrites, 1);
      // The condition is evaluated on the secondary's copy (here up to date): an existing item fails it.
      const conditional = new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'a' }, sk: { S: 'item' }, value: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(pk)' });
      await rejectsWith(client(cluster, 'us-west-2').send(conditional), 'ConditionalCheckFailedException');
      assertNoEngineErrors(cluster);
    } finally {
      await stopCluster(cluster);
    }
  });

  test('switchover during steady writes loses no acknowledged write; the old primary then refuses writes', async () => {
    const cluster = await startCluster();
    const acknowledged = new Map<string, string>();
    const acknowledgedBy = new Map<string, number>();
    let writer = PRIMARY;
    let stop = false;
    let attempt = 0;
    const writes = (async () => {
      while (!stop) {
        const pk = `k${attempt % 25}`;
        const value = `v${attempt}`;
        attempt += 1;
        try {
          await put(cluster, writer, pk, value);
          acknowledged.set(pk, value);
          acknowledgedBy.set(writer, (acknowledgedBy.get(writer) ?? 0) + 1);
        } catch (error) {
          const named = /the writer is ([a-z0-9-]+)/.exec((error as Error).message);
          if ((error as Error).name === 'NotPrimaryException' && named !== null) writer = named[1]!;
          else if ((error as Error).name === 'ServiceUnavailable') await sleep(5);
          else throw error;
        }
      }
    })();
    try {
      await waitFor('writes before the switchover', () => (acknowledgedBy.get(PRIMARY) ?? 0) >= 40);
      const answer = await engine(cluster, PRIMARY).control({ kind: 'switchover', target: 'us-west-2', epoch: 2 });
      assert.equal((answer.switchover as { target: string }).target, 'us-west-2');
      await waitFor('us-west-2 is primary of epoch 2', async () => (await status(cluster, 'us-west-2')).role === 'primary');
      await waitFor('writes after the switchover', () => (acknowledgedBy.get('us-west-2') ?? 0) >= 40);
      stop = true;
      await writes;
      const table = await waitForConvergence(cluster, 'every region has every acknowledged write');
      assert.deepEqual(sorted(table), sorted(acknowledged));
      for (const region of REGIONS) {
        const member = await status(cluster, region);
        assert.equal(member.epoch, 2);
        assert.equal(member.primaryRegion, 'us-west-2');
        assert.equal(member.lostWrites.count, 0, `${region} lost writes in a switchover`);
      }
      await rejectsWith(put(cluster, PRIMARY, 'late', 'x'), 'NotPrimaryException', /the writer is us-west-2 \(epoch 2\)/);
      await put(cluster, 'us-west-2', 'late', 'y');
      assert.equal(await get(cluster, 'us-west-2', 'late'), 'y');
      await rejectsWith(engine(cluster, PRIMARY).control({ kind: 'switchover', target: 'eu-west-1', epoch: 3 }), 'ControlCommandError');
      assertNoEngineErrors(cluster);
    } finally {
      stop = true;
      await writes.catch(() => undefined);
      await stopCluster(cluster);
    }
  });

  for (const rejoin of ['fenced by the control plane', 'hearing the new epoch'] as const) {
    test(`failover while the primary's link is held: the old primary, ${rejoin}, reports exactly the acknowledged writes that had not shipped`, async () => {
      const cluster = await startCluster();
      try {
        const writtenOnOldPrimary: string[] = [];
        const writeOld = async (pk: string) => {
          await put(cluster, PRIMARY, pk, `value-of-${pk}`);
          writtenOnOldPrimary.push(pk);
        };
        for (let index = 1; index <= 10; index += 1) await writeOld(`w${index}`);
        await waitForConvergence(cluster, 'the first writes everywhere');
        // us-west-2 stops hearing from the primary; eu-west-1 still gets five more, then nobody does.
        cluster.bus.hold(PRIMARY, 'us-west-2');
        for (let index = 11; index <= 15; index += 1) await writeOld(`w${index}`);
        await waitFor('eu-west-1 has 15 entries', async () => (await status(cluster, 'eu-west-1')).lastSeq === 15);
        cluster.bus.isolate(PRIMARY);
        for (let index = 16; index <= 20; index += 1) await writeOld(`w${index}`);

        const promoted = await engine(cluster, 'us-west-2').control({ kind: 'failover', epoch: 2 });
        assert.deepEqual(promoted.promoted, { epoch: 2, epochStartSeq: 10, planned: false });
        for (let index = 1; index <= 3; index += 1) await put(cluster, 'us-west-2', `n${index}`, `new-${index}`);
        if (rejoin === 'fenced by the control plane') {
          const fenced = await engine(cluster, PRIMARY).control({ kind: 'fence', epoch: 2, primaryRegion: 'us-west-2', epochStartSeq: 10 });
          assert.equal((fenced.discarded as { count: number }).count, 10);
          await rejectsWith(put(cluster, PRIMARY, 'after-fence', 'x'), 'NotPrimaryException', /the writer is us-west-2 \(epoch 2\)/);
        } else {
          // Cut off and not told, the old primary still takes writes: they are lost too, and reported.
          await writeOld('w21');
        }
        cluster.bus.heal();
        const table = await waitForConvergence(cluster, 'the group converged on the new primary');

        const expectedLost = writtenOnOldPrimary.filter((pk) => !table.has(pk)).sort();
        assert.deepEqual(expectedLost, writtenOnOldPrimary.slice(10).sort(), 'what the new primary lacks is what it never received');
        const oldPrimary = await status(cluster, PRIMARY);
        assert.deepEqual(oldPrimary.lostWrites.recent.map((lost) => lost.key.pk).map((value) => (value as { S: string }).S).sort(), expectedLost);
        assert.equal(oldPrimary.lostWrites.count, expectedLost.length);
        assert.equal(oldPrimary.lostWrites.complete, true);
        assert.ok(oldPrimary.lostWrites.recent.every((lost) => lost.epoch === 1 && lost.seq > 10));
        // eu-west-1 discards what it got past the new epoch's start: at least w11–w15, and w16 or later too if a
        // held epoch-1 batch reached it before the new primary did (both orders are legitimate).
        const otherLost = (await status(cluster, 'eu-west-1')).lostWrites.recent.map((lost) => (lost.key.pk as { S: string }).S);
        assert.ok(writtenOnOldPrimary.slice(10, 15).every((pk) => otherLost.includes(pk)) && otherLost.every((pk) => expectedLost.includes(pk)), `eu-west-1 reported ${otherLost.join(', ')}`);

        for (let index = 1; index <= 3; index += 1) assert.equal(table.get(`n${index}`), `new-${index}`);
        const writesBefore = oldPrimary.stats.writes;
        await rejectsWith(put(cluster, PRIMARY, 'w1', 'after'), 'NotPrimaryException', /the writer is us-west-2 \(epoch 2\)/);
        assert.equal((await status(cluster, PRIMARY)).stats.writes, writesBefore);
        assert.equal(await get(cluster, PRIMARY, 'w1'), 'value-of-w1');
        assertNoEngineErrors(cluster);
      } finally {
        await stopCluster(cluster);
      }
    });
  }

  test('items, log, epoch and role survive a restart; the primary resumes once confirmed and nothing is applied twice', async () => {
    const cluster = await startCluster();
    try {
      for (let index = 0; index < 10; index += 1) await put(cluster, PRIMARY, `k${index}`, `v${index}`);
      await waitForConvergence(cluster, 'the first writes everywhere');
      await engine(cluster, PRIMARY).control({ kind: 'switchover', target: 'us-west-2', epoch: 2 });
      await waitFor('us-west-2 is primary', async () => (await status(cluster, 'us-west-2')).role === 'primary');
      for (let index = 10; index < 20; index += 1) await put(cluster, 'us-west-2', `k${index}`, `v${index}`);
      await waitForConvergence(cluster, 'epoch 2 writes everywhere');
      // Five acknowledged writes that never ship before the primary dies.
      cluster.bus.isolate('us-west-2');
      for (let index = 20; index < 25; index += 1) await put(cluster, 'us-west-2', `k${index}`, `v${index}`);
      await stopRegion(cluster, 'us-west-2');
      await stopRegion(cluster, PRIMARY);
      await startRegion(cluster, 'us-west-2');
      await startRegion(cluster, PRIMARY);

      const restarted = await status(cluster, 'us-west-2');
      assert.deepEqual([restarted.role, restarted.epoch, restarted.primaryRegion, restarted.lastSeq, restarted.restoredFromJournal], ['recovering', 2, 'us-west-2', 25, true]);
      assert.equal((await tableOf(cluster, 'us-west-2')).size, 25);
      const demoted = await status(cluster, PRIMARY);
      assert.deepEqual([demoted.role, demoted.epoch, demoted.primaryRegion, demoted.lastSeq], ['secondary', 2, 'us-west-2', 20]);
      assert.equal((await rejectsWith(put(cluster, 'us-west-2', 'early', 'x'), 'ServiceUnavailable', /epoch-unconfirmed/)).$metadata.httpStatusCode, 503);
      await rejectsWith(put(cluster, PRIMARY, 'early', 'x'), 'NotPrimaryException', /the writer is us-west-2/);

      cluster.bus.heal();
      await waitFor('the restarted primary confirmed its epoch', async () => (await status(cluster, 'us-west-2')).role === 'primary');
      for (let index = 25; index < 30; index += 1) await put(cluster, 'us-west-2', `k${index}`, `v${index}`);
      await waitFor('eu-west-1 applied 30 entries', async () => (await status(cluster, 'eu-west-1')).lastSeq === 30);
      // A secondary dies while writes go on, and comes back with what it had applied.
      await stopRegion(cluster, 'eu-west-1');
      for (let index = 30; index < 35; index += 1) await put(cluster, 'us-west-2', `k${index}`, `v${index}`);
      await startRegion(cluster, 'eu-west-1');
      assert.equal((await status(cluster, 'eu-west-1')).lastSeq, 30);
      const table = await waitForConvergence(cluster, 'every region has all 35 writes');
      assert.deepEqual(sorted(table), sorted(new Map(Array.from({ length: 35 }, (_, index) => [`k${index}`, `v${index}`]))));
      // Applied exactly once: us-east-1 wrote 1–10 itself and applied 11–35; eu-west-1 applied all 35.
      assert.equal((await status(cluster, PRIMARY)).stats.appliedEntries, 25);
      assert.equal((await status(cluster, 'eu-west-1')).stats.appliedEntries, 35);
      for (const region of REGIONS) assert.equal((await status(cluster, region)).lostWrites.count, 0);
      assertNoEngineErrors(cluster);
    } finally {
      await stopCluster(cluster);
    }
  });
});

// The persistence is a diff of each step; this checks it against the member itself. Three engines on
// one in-memory SQLite file are driven step by step from a seed (virtual clock, a network that drops,
// repeats and reorders, crashes that rebuild an engine from its journal alone, a switchover or a
// failover with fencing), and after every action an engine freshly restored from each journal must hold
// exactly what the live member holds, and the SQLite table exactly its items.
describe('the journal always holds what the member holds (seeded, with crashes)', () => {
  const SEEDS = 40;
  const ACTIONS = 220;
  const SCHEMA: TableSchema = { tableName: TABLE, partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } };

  interface Run {
    readonly random: TestRandom;
    readonly locals: Map<string, LocalTableEngine>;
    readonly engines: Map<string, SingleWriterTableEngine>;
    readonly options: (region: string) => SingleWriterTableEngineOptions;
    inFlight: { from: string; to: string; wire: string }[];
    nowMs: number;
    nextEpoch: number;
    readonly errors: unknown[];
  }

  const memberOf = (engine: SingleWriterTableEngine) => (engine as unknown as { member: SingleWriterMember }).member;

  function open(run: Run, region: string): void {
    const outbox = (to: string, message: unknown) => run.inFlight.push({ from: region, to, wire: JSON.stringify(message) });
    run.engines.set(region, new SingleWriterTableEngine(run.locals.get(region)!, run.options(region), outbox, () => run.nowMs));
  }

  async function checkJournal(run: Run, label: string): Promise<void> {
    for (const [region, engine] of run.engines) {
      const live = memberOf(engine);
      const restored = memberOf(new SingleWriterTableEngine(run.locals.get(region)!, run.options(region), () => {}, () => run.nowMs));
      const where = `${label}, ${region}`;
      assert.equal(restored.role, live.role === 'primary' ? 'recovering' : live.role, where);
      for (const field of ['epoch', 'primaryRegion', 'epochStartSeq', 'awaitingSnapshot', 'primaryLastSeq', 'primaryLastWriteMs', 'appliedWriteMs'] as const) {
        assert.equal(restored[field], live[field], `${where}: ${field}`);
      }
      assert.deepEqual(restored.stats, live.stats, `${where}: stats`);
      assert.deepEqual([restored.clock.wallMs, restored.clock.logical], [live.clock.wallMs, live.clock.logical], `${where}: clock`);
      assert.deepEqual([restored.log.truncatedSeq, restored.log.lastSeq], [live.log.truncatedSeq, live.log.lastSeq], `${where}: log bounds`);
      const retained = (member: SingleWriterMember) => entriesAfter(member.log, member.log.truncatedSeq, member.log.lastSeq - member.log.truncatedSeq);
      assert.deepEqual(retained(restored), retained(live), `${where}: log`);
      assert.deepEqual(new Map([...restored.items].sort()), new Map([...live.items].sort()), `${where}: items`);
      assert.equal(restored.switchover?.phase === 'handing-over', live.switchover?.phase === 'handing-over', `${where}: handover`);
      const page = await run.locals.get(region)!.scan({ consistentRead: true });
      const rows = page.items.map((item) => JSON.stringify(item)).sort();
      const values = [...live.items.values()].flatMap((entry) => (entry.value === null ? [] : [entry.value])).sort();
      assert.deepEqual(rows, values, `${where}: SQLite table`);
    }
  }

  async function act(run: Run, action: number, handover: 'switchover' | 'failover'): Promise<void> {
    const { random } = run;
    const region = REGIONS[random.nextInt(REGIONS.length)]!;
    const engine = run.engines.get(region)!;
    const roll = random.nextFloat();
    if (action === 80) await handOver(run, handover);
    else if (action === 130 && handover === 'failover') await fenceOldPrimary(run);
    else if (roll < 0.3) {
      const pk = `k${random.nextInt(6)}`;
      const decision = random.chance(0.15) ? ({ kind: 'delete' } as const) : ({ kind: 'put', item: { pk: { S: pk }, sk: { S: 'item' }, value: { S: `v${action}` } } } as const);
      void engine.mutateItem({ pk: { S: pk }, sk: { S: 'item' } }, () => decision).catch(() => undefined);
      await engine.control({ kind: 'status' }); // the queue is FIFO: the write's job has run
    } else if (roll < 0.5) {
      run.nowMs += random.nextInt(60);
      engine.tick();
    } else if (roll < 0.95) await deliverOne(run, 0.1);
    else open(run, region); // kill -9 and restart: what was in flight inside the process is gone
  }

  async function deliverOne(run: Run, faultRate: number): Promise<void> {
    if (run.inFlight.length === 0) return;
    const index = run.random.nextInt(run.inFlight.length);
    const envelope = run.inFlight[index]!;
    run.inFlight.splice(index, 1);
    if (run.random.chance(faultRate)) return;
    if (run.random.chance(faultRate)) run.inFlight.push(envelope);
    await run.engines.get(envelope.to)!.receive(envelope.from, JSON.parse(envelope.wire)).catch((error: unknown) => run.errors.push(error));
  }

  async function handOver(run: Run, kind: 'switchover' | 'failover'): Promise<void> {
    const target = REGIONS[1 + run.random.nextInt(2)]!;
    const command = kind === 'switchover' ? ({ kind, target, epoch: run.nextEpoch++ } as const) : ({ kind, epoch: run.nextEpoch++ } as const);
    await run.engines.get(kind === 'switchover' ? PRIMARY : target)!.control(command).catch((error: unknown) => {
      if (!(error instanceof ControlCommandError)) throw error;
    });
  }

  async function fenceOldPrimary(run: Run): Promise<void> {
    const primary = [...run.engines.values()].map(memberOf).find((member) => member.role === 'primary' && member.epoch > 1);
    if (primary === undefined) return;
    const command = { kind: 'fence', epoch: primary.epoch, primaryRegion: primary.region, epochStartSeq: primary.epochStartSeq } as const;
    await run.engines.get(PRIMARY)!.control(command).catch((error: unknown) => {
      if (!(error instanceof ControlCommandError)) throw error;
    });
  }

  async function settle(run: Run, label: string): Promise<void> {
    for (let round = 0; round < 400; round += 1) {
      const members = [...run.engines.values()].map(memberOf);
      const primaries = members.filter((member) => member.role === 'primary');
      const settled = run.inFlight.length === 0 && primaries.length === 1 && members.every((member) => member.epoch === primaries[0]!.epoch && member.log.lastSeq === primaries[0]!.log.lastSeq && !member.awaitingSnapshot && member.switchover === undefined);
      if (settled) return;
      run.nowMs += 50;
      for (const engine of run.engines.values()) engine.tick();
      while (run.inFlight.length > 0) await deliverOne(run, 0);
    }
    assert.fail(`${label}: the group did not settle`);
  }

  test(`${SEEDS} seeds`, async () => {
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const label = `seed ${seed}`;
      const store = new SqliteStore(':memory:');
      try {
        const locals = new Map(REGIONS.map((region) => [region, new LocalTableEngine(store, store.insertTable(`${TABLE}-${region}`, '{}')!, SCHEMA)]));
        const writeForwarding = seed % 2 === 0;
        const options = (region: string): SingleWriterTableEngineOptions => ({ region, regions: REGIONS, primaryRegion: PRIMARY, writeForwarding, logCapacity: 12, heartbeatIntervalMs: 100, retransmitAfterMs: 100 });
        const run: Run = { random: mulberry32(seed), locals, engines: new Map(), options, inFlight: [], nowMs: 1_000_000, nextEpoch: 2, errors: [] };
        for (const region of REGIONS) open(run, region);
        const handover = run.random.chance(0.5) ? 'switchover' : 'failover';
        for (let action = 0; action < ACTIONS; action += 1) {
          await act(run, action, handover);
          await checkJournal(run, `${label}, action ${action}`);
        }
        await settle(run, label);
        await checkJournal(run, `${label}, settled`);
        const tables = await Promise.all(REGIONS.map(async (region) => JSON.stringify((await locals.get(region)!.scan({ consistentRead: true })).items)));
        assert.ok(tables.every((table) => table === tables[0]), `${label}: the regions' tables differ after settling`);
        assert.deepEqual(run.errors, [], label);
      } finally {
        store.close();
      }
    }
  });
});
