import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { QuorumMessage } from '../../src/core/replication/quorum-state.ts';
import { mulberry32 } from '../../src/core/replication/testing/adversarial-network.ts';
import { startDataNode, type DataNode } from '../../src/lab/data/data-node-server.ts';
import { QuorumTableEngine, type QuorumLimits } from '../../src/lab/replication/quorum-table-engine.ts';
import { canonicalKey, type Outbox } from '../../src/lab/replication/replicated-table-engine.ts';
import { sleep } from './lab-support.ts';

// Three data nodes in one process, each table a QuorumTableEngine, driven through the real AWS SDK.
// Replication messages travel on an in-test bus: JSON on the wire, a seeded one-way delay of 10–35 ms
// (delivery order between two regions is not kept), and a region can be cut off both ways. Nothing here
// decides on timing alone: waits poll with generous timeouts, and latencies are only compared with the
// bus's minimum delay, a lower bound.

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2'];
const TABLE = 'ledger';
const SEED = 20_240_611;
const DELAY_MS_MIN = 10;
const DELAY_MS_MAX = 35;
const TICK_MS = 20;
const TIMING = { heartbeatIntervalMs: 50, electionTimeoutMs: 500, requestTimeoutMs: 2000 };
/** Refusals that say "not now" (no majority, unknown outcome, full queue): a client may retry them. */
const TRANSIENT = new Set(['ServiceUnavailable', 'InternalServerError', 'ThrottlingException']);

console.log(`quorum-table-engine.test seed ${SEED}`);

interface Delivery {
  readonly seq: number;
  readonly from: string;
  readonly to: string;
  readonly message: QuorumMessage;
  readonly delayMs: number;
}

/** The WAN of the test: delays, cuts, and a record of every message delivered. */
class Bus {
  readonly engines = new Map<string, QuorumTableEngine>();
  readonly cut = new Set<string>();
  /** Regions whose incoming log entries wait in `held` until released (they still get everything else). */
  readonly holdEntriesTo = new Set<string>();
  readonly #held: (() => void)[] = [];
  readonly deliveries: Delivery[] = [];
  readonly errors: unknown[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #random;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  outbox(from: string): Outbox {
    return (to, message) => {
      if (this.cut.has(from) || this.cut.has(to)) return;
      const delayMs = DELAY_MS_MIN + this.#random.nextInt(DELAY_MS_MAX - DELAY_MS_MIN + 1);
      const wire = JSON.stringify(message);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const parsed = JSON.parse(wire) as QuorumMessage;
        if (this.holdEntriesTo.has(to) && parsed.kind === 'append' && parsed.entries.length > 0) this.#held.push(() => this.#deliver(from, to, parsed, delayMs));
        else this.#deliver(from, to, parsed, delayMs);
      }, delayMs);
      this.#timers.add(timer);
    };
  }

  /** Delivers everything held for `region` at once, in the order it arrived. */
  release(region: string): void {
    this.holdEntriesTo.delete(region);
    for (const deliver of this.#held.splice(0)) deliver();
  }

  #deliver(from: string, to: string, message: QuorumMessage, delayMs: number): void {
    const engine = this.engines.get(to);
    if (engine === undefined || this.cut.has(from) || this.cut.has(to)) return;
    this.deliveries.push({ seq: this.deliveries.length, from, to, message, delayMs });
    engine.receive(from, message).catch((error: unknown) => this.errors.push(error));
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}

interface ClusterOptions {
  readonly witness?: string;
  readonly limits?: Partial<QuorumLimits>;
}

interface Cluster {
  readonly seed: number;
  readonly options: ClusterOptions;
  readonly directory: string;
  readonly bus: Bus;
  readonly nodes: Map<string, DataNode>;
  readonly clients: Map<string, DynamoDBClient>;
  /** The highest term each region ever reported, across restarts, and every time one went down. */
  readonly highestTerm: Map<string, number>;
  readonly termRegressions: string[];
  /** Each engine's figures at construction, before it handled anything (a restarted one: what it restored). */
  readonly createdWith: Map<string, Record<string, unknown>>;
  /** Engines of reopened nodes held off the bus until the test has looked at what they restored. */
  readonly heldBack: Map<string, QuorumTableEngine>;
  opened: number;
  ticker?: NodeJS.Timeout;
}

async function startCluster(label: string, seed: number, options: ClusterOptions = {}): Promise<Cluster> {
  const cluster: Cluster = {
    seed,
    options,
    directory: mkdtempSync(join(tmpdir(), `meridian-quorum-${label}-`)),
    bus: new Bus(seed),
    nodes: new Map(),
    clients: new Map(),
    highestTerm: new Map(),
    termRegressions: [],
    createdWith: new Map(),
    heldBack: new Map(),
    opened: 0,
  };
  for (const region of REGIONS) await openNode(cluster, region);
  for (const region of REGIONS) {
    await client(cluster, region).send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  cluster.ticker = setInterval(() => tickAll(cluster), TICK_MS);
  await waitFor('a leader is elected', async () => leaderRegion(cluster) !== undefined, 10_000);
  return cluster;
}

/** Opens (or reopens) a region's node; its engine joins the bus unless `joinBus` is false (see rejoin). */
async function openNode(cluster: Cluster, region: string, joinBus = true): Promise<void> {
  const random = mulberry32(cluster.seed + 1000 * ++cluster.opened);
  const node = await startDataNode({
    dbPath: join(cluster.directory, `${region}.db`),
    region,
    engineFor: (_schema, local) => {
      const options = { region, members: REGIONS, witness: cluster.options.witness, random, timing: TIMING, limits: cluster.options.limits };
      const engine = new QuorumTableEngine(local, options, cluster.bus.outbox(region));
      cluster.createdWith.set(region, engine.metrics());
      if (joinBus) cluster.bus.engines.set(region, engine);
      else cluster.heldBack.set(region, engine);
      return engine;
    },
  });
  cluster.nodes.set(region, node);
  cluster.clients.set(region, new DynamoDBClient({ endpoint: node.url, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }));
}

function rejoin(cluster: Cluster, region: string): void {
  cluster.bus.engines.set(region, cluster.heldBack.get(region)!);
  cluster.heldBack.delete(region);
}

/** Takes the region's engine off the bus and the ticker, lets steps already queued finish, then closes its node. */
async function closeNode(cluster: Cluster, region: string): Promise<{ metrics: Record<string, unknown>; items: Map<string, string> }> {
  const engine = cluster.bus.engines.get(region)!;
  cluster.bus.engines.delete(region);
  await new Promise((resolve) => setImmediate(resolve));
  const final = { metrics: engine.metrics(), items: await scanAll(cluster, region, false) };
  client(cluster, region).destroy();
  cluster.clients.delete(region);
  await cluster.nodes.get(region)!.close();
  cluster.nodes.delete(region);
  return final;
}

async function stopCluster(cluster: Cluster): Promise<void> {
  clearInterval(cluster.ticker);
  cluster.bus.close();
  for (const region of [...cluster.nodes.keys()]) {
    cluster.bus.engines.delete(region);
    client(cluster, region).destroy();
    await cluster.nodes.get(region)!.close();
  }
  rmSync(cluster.directory, { recursive: true, force: true });
}

function tickAll(cluster: Cluster): void {
  for (const [region, engine] of cluster.bus.engines) {
    engine.tick();
    const term = engine.metrics().term as number;
    const highest = cluster.highestTerm.get(region) ?? 0;
    if (term < highest) cluster.termRegressions.push(`${region}: term ${highest} → ${term}`);
    cluster.highestTerm.set(region, Math.max(term, highest));
  }
}

function leaderRegion(cluster: Cluster): string | undefined {
  const leaders = [...cluster.bus.engines].filter(([region, engine]) => !cluster.bus.cut.has(region) && engine.metrics().role === 'leader');
  return leaders.length === 1 ? leaders[0]![0] : undefined;
}

function client(cluster: Cluster, region: string): DynamoDBClient {
  return cluster.clients.get(region)!;
}

const keyOf = (pk: string) => ({ pk: { S: pk }, sk: { S: 'item' } });

async function put(cluster: Cluster, region: string, pk: string, value: string, condition?: string): Promise<string> {
  await client(cluster, region).send(new PutItemCommand({ TableName: TABLE, Item: { ...keyOf(pk), value: { S: value } }, ConditionExpression: condition }));
  return value;
}

async function get(cluster: Cluster, region: string, pk: string, consistent: boolean): Promise<string | undefined> {
  const answer = await client(cluster, region).send(new GetItemCommand({ TableName: TABLE, Key: keyOf(pk), ConsistentRead: consistent }));
  return answer.Item?.value?.S;
}

/** Every item of the region's table, pk → value (a strongly consistent Scan when `consistent`). */
async function scanAll(cluster: Cluster, region: string, consistent: boolean): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let start: Record<string, never> | undefined;
  do {
    const page = await client(cluster, region).send(new ScanCommand({ TableName: TABLE, ConsistentRead: consistent, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.set(item.pk!.S!, item.value!.S!);
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start !== undefined);
  return items;
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? String(error);
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Retries what a region refuses for now (a leader change, a cut), never anything else. */
async function retrying<T>(work: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!TRANSIENT.has(errorName(error)) || Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms (seed ${SEED})`);
}

/**
 * The write's acknowledgement came after its entry crossed the bus to a follower and that follower's
 * acknowledgement crossed back: the proof that a majority held it, and that the write paid a round trip.
 */
function assertMajorityRoundTrip(deliveries: readonly Delivery[], pk: string, value: string): void {
  const itemKey = canonicalKey(keyOf(pk));
  const carried = deliveries.flatMap((delivery) => {
    if (delivery.message.kind !== 'append') return [];
    const entry = delivery.message.entries.find((candidate) => candidate.command.kind === 'write' && candidate.command.key === itemKey && candidate.command.value?.includes(value));
    return entry === undefined ? [] : [{ append: delivery, entryIndex: entry.index }];
  });
  assert.ok(carried.length > 0, `no append carried ${pk} to a follower before the acknowledgement`);
  const roundTrip = carried.find(({ append, entryIndex }) =>
    deliveries.some(
      (answer) =>
        answer.seq > append.seq &&
        answer.from === append.to &&
        answer.to === append.from &&
        answer.message.kind === 'append-result' &&
        answer.message.success &&
        answer.message.matchIndex >= entryIndex &&
        append.delayMs + answer.delayMs >= 2 * DELAY_MS_MIN,
    ),
  );
  assert.ok(roundTrip !== undefined, `no follower acknowledged the entry of ${pk} before the write was acknowledged`);
}

describe('strongly consistent tables (QuorumTableEngine) across three regions', () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await startCluster('main', SEED);
  });

  after(async () => {
    await stopCluster(cluster);
    assert.deepEqual(cluster.bus.errors, []);
    assert.deepEqual(cluster.termRegressions, []);
  });

  test('a write acknowledged in one region is returned by a ConsistentRead in each other region right after the ack', async () => {
    for (const [index, origin] of REGIONS.entries()) {
      const pk = `ack-${index}`;
      const value = `written in ${origin}`;
      const firstDelivery = cluster.bus.deliveries.length;
      const startedMs = performance.now();
      await retrying(() => put(cluster, origin, pk, value));
      const latencyMs = performance.now() - startedMs;
      const deliveredBeforeAck = cluster.bus.deliveries.slice(firstDelivery);
      const others = REGIONS.filter((region) => region !== origin);
      const reads = await Promise.all(others.map((region) => retrying(() => get(cluster, region, pk, true))));
      assert.deepEqual(reads, [value, value], `strong reads after the ack in ${others.join(', ')}`);
      assertMajorityRoundTrip(deliveredBeforeAck, pk, value);
      assert.ok(latencyMs >= 2 * DELAY_MS_MIN, `write latency ${latencyMs.toFixed(1)} ms is less than one round trip of the bus's minimum delay`);
    }
    // Eventually consistent reads read each region's own copy: it catches up.
    await waitFor('every region holds the three items', async () => {
      const views = await Promise.all(REGIONS.map((region) => scanAll(cluster, region, false)));
      return views.every((view) => view.size >= 3 && view.get('ack-2') === 'written in us-west-2');
    }, 10_000);
    const page = await retrying(() => client(cluster, 'us-east-2').send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ack-0' } }, ConsistentRead: true })));
    assert.equal(page.Items?.[0]?.value?.S, 'written in us-east-1');
    const metrics = cluster.bus.engines.get('us-east-1')!.metrics() as { writeLatencyMs: { count: number }; stats: { proposals: number } };
    assert.ok(metrics.writeLatencyMs.count >= 1);
  });

  test('concurrent writes to one item from two regions: some fail with ReplicatedWriteConflictException, and the regions converge', async () => {
    const [first, second, third] = REGIONS as [string, string, string];
    let conflicts = 0;
    const unexpected: string[] = [];
    for (let round = 0; round < 8; round += 1) {
      const outcomes = await Promise.allSettled([put(cluster, first, 'hot', `${first}#${round}`), put(cluster, second, 'hot', `${second}#${round}`)]);
      const succeeded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        const name = errorName(outcome.reason);
        if (name === 'ReplicatedWriteConflictException') {
          conflicts += 1;
          assert.equal(httpStatus(outcome.reason), 400);
        } else if (!TRANSIENT.has(name)) unexpected.push(name);
      }
      const seen = await retrying(() => get(cluster, third, 'hot', true));
      if (succeeded.length > 0) assert.ok(succeeded.includes(seen!), `round ${round}: ${third} reads ${seen}, not one of the acknowledged ${succeeded.join(', ')}`);
    }
    assert.deepEqual(unexpected, []);
    assert.ok(conflicts > 0, 'no write was refused as a conflict in 8 rounds of concurrent writes');
    const final = await retrying(() => get(cluster, third, 'hot', true));
    await waitFor('the three regions hold the same value', async () => {
      const values = await Promise.all(REGIONS.map((region) => get(cluster, region, 'hot', false)));
      return values.every((value) => value === final);
    }, 10_000);
  });

  test('conditional writes (attribute_not_exists) on one key from three regions at once: at most one succeeds', async () => {
    let winners = 0;
    for (let round = 0; round < 4; round += 1) {
      const pk = `once-${round}`;
      const outcomes = await Promise.allSettled(REGIONS.map((region) => put(cluster, region, pk, region, 'attribute_not_exists(pk)')));
      const succeeded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [errorName(outcome.reason)] : []));
      assert.ok(succeeded.length <= 1, `round ${round}: ${succeeded.length} conditional creations succeeded (${succeeded.join(', ')})`);
      for (const name of failures) assert.ok(['ConditionalCheckFailedException', 'ReplicatedWriteConflictException'].includes(name) || TRANSIENT.has(name), `round ${round}: ${name}`);
      const stored = await retrying(() => get(cluster, REGIONS[round % 3]!, pk, true));
      if (succeeded.length === 1) assert.equal(stored, succeeded[0]);
      else if (!failures.some((name) => TRANSIENT.has(name))) assert.equal(stored, undefined, `round ${round}: an item nobody was told was written`);
      winners += succeeded.length;
    }
    assert.ok(winners > 0, 'no conditional creation ever succeeded');
    // Once the item exists, the condition fails everywhere, as it would in one region.
    for (const region of REGIONS) {
      await assert.rejects(retrying(() => put(cluster, region, 'once-0', 'again', 'attribute_not_exists(pk)')), (error) => errorName(error) === 'ConditionalCheckFailedException');
    }
  });

  test('a lagging region waits until it has applied what its strong read saw, and decides on that', async () => {
    const leader = leaderRegion(cluster)!;
    const lagging = REGIONS.find((region) => region !== leader)!;
    cluster.bus.holdEntriesTo.add(lagging);
    try {
      await retrying(() => put(cluster, leader, 'lag', 'one'));
      // The condition holds on the acknowledged item; the lagging region has not applied it yet.
      const conditional = client(cluster, lagging).send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { ...keyOf('lag'), value: { S: 'two' } },
          ConditionExpression: '#value = :expected',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':expected': { S: 'one' } },
        }),
      );
      await waitFor(`${lagging} waits to apply the version its read saw`, async () => {
        const metrics = cluster.bus.engines.get(lagging)!.metrics() as { pending: { appliedWaits: number } };
        return metrics.pending.appliedWaits > 0;
      }, 5_000);
      assert.equal(await get(cluster, lagging, 'lag', false), undefined, 'the lagging region had not applied the write');
      cluster.bus.release(lagging);
      await conditional;
    } finally {
      cluster.bus.release(lagging);
    }
    assert.equal(await retrying(() => get(cluster, leader, 'lag', true)), 'two');
  });

  test('a region cut off from the other two refuses with 503 instead of diverging; the majority goes on; after healing it catches up', async () => {
    const isolated = leaderRegion(cluster) ?? REGIONS[0]!;
    const majority = REGIONS.filter((region) => region !== isolated);
    cluster.bus.cut.add(isolated);
    await waitFor(`${isolated} refuses writes with 503 ServiceUnavailable`, async () => {
      try {
        await put(cluster, isolated, 'doomed', 'never');
      } catch (error) {
        return errorName(error) === 'ServiceUnavailable' && httpStatus(error) === 503;
      }
      assert.fail(`${isolated} acknowledged a write while cut off from the majority`);
    }, 15_000);
    await assert.rejects(get(cluster, isolated, 'ack-0', true), (error) => errorName(error) === 'ServiceUnavailable');
    const acknowledged = new Map<string, string>();
    for (let index = 0; index < 6; index += 1) {
      const pk = `majority-${index}`;
      acknowledged.set(pk, await retrying(() => put(cluster, majority[index % 2]!, pk, `v${index}`)));
    }
    for (const [pk, value] of acknowledged) assert.equal(await retrying(() => get(cluster, majority[1]!, pk, true)), value);
    for (const pk of acknowledged.keys()) assert.equal(await get(cluster, isolated, pk, false), undefined, `${isolated} got ${pk} while cut off`);

    cluster.bus.cut.delete(isolated);
    await waitFor(`${isolated} caught up after healing`, async () => {
      const view = await scanAll(cluster, isolated, false);
      return [...acknowledged].every(([pk, value]) => view.get(pk) === value);
    }, 15_000);
    assert.equal(await retrying(() => put(cluster, isolated, 'healed', 'yes')), 'yes');
    assert.equal(await retrying(() => get(cluster, majority[0]!, 'healed', true)), 'yes');
    assert.equal(await retrying(() => get(cluster, majority[0]!, 'doomed', true)), undefined, 'a write refused in the minority appeared');
  });
});

describe('durability: a region closed and reopened on its SQLite file mid-run', () => {
  test('it restores term, log and table from its journal, rejoins, and no acknowledged write is lost', async () => {
    const cluster = await startCluster('restart', SEED + 1, { limits: { compactAfterEntries: 16 } });
    try {
      const acknowledged = new Map<string, string>();
      let next = 0;
      const writeOnce = async (region: string): Promise<void> => {
        const pk = `d-${next++}`;
        try {
          acknowledged.set(pk, await put(cluster, region, pk, `${pk}@${region}`));
        } catch (error) {
          // An unknown outcome (500) or a refusal is not an acknowledgement: nothing to check.
          if (!TRANSIENT.has(errorName(error)) && errorName(error) !== 'ReplicatedWriteConflictException') throw error;
          await sleep(20);
        }
      };
      for (let index = 0; index < 9; index += 1) await writeOnce(REGIONS[index % 3]!);

      const victim = leaderRegion(cluster) ?? REGIONS[0]!;
      const survivors = REGIONS.filter((region) => region !== victim);
      let writing = true;
      const writers = survivors.flatMap((region) => [0, 1, 2].map(async () => {
        while (writing) await writeOnce(region);
      }));
      const ackedBefore = acknowledged.size;
      await waitFor('writes go on before the close', async () => acknowledged.size >= ackedBefore + 10, 10_000);

      const closed = await closeNode(cluster, victim);
      const ackedAtClose = acknowledged.size;
      await waitFor('the two survivors elect a leader and take 40 more writes', async () => acknowledged.size >= ackedAtClose + 40, 15_000);

      await openNode(cluster, victim, false);
      const restored = cluster.createdWith.get(victim)!;
      for (const field of ['term', 'lastApplied', 'lastLogIndex', 'snapshotIndex']) assert.equal(restored[field], closed.metrics[field], `restored ${field}`);
      assert.equal(restored.role, 'follower');
      assert.deepEqual(await scanAll(cluster, victim, false), closed.items, 'the reopened table holds exactly what was applied at the close');
      rejoin(cluster, victim);

      await waitFor('writes go on after the rejoin', async () => acknowledged.size >= ackedAtClose + 50, 10_000);
      writing = false;
      await Promise.all(writers);

      await waitFor(`${victim} holds every acknowledged write`, async () => {
        const view = await scanAll(cluster, victim, false);
        return [...acknowledged].every(([pk, value]) => view.get(pk) === value);
      }, 15_000);
      for (const region of REGIONS) {
        const view = await retrying(() => scanAll(cluster, region, true));
        const missing = [...acknowledged].filter(([pk, value]) => view.get(pk) !== value);
        assert.deepEqual(missing, [], `${region} lost acknowledged writes`);
      }
      for (const pk of [...acknowledged.keys()].slice(-5)) assert.equal(await retrying(() => get(cluster, victim, pk, true)), acknowledged.get(pk));
      const metrics = cluster.bus.engines.get(victim)!.metrics() as { stats: { snapshotsInstalled: number } };
      assert.ok(metrics.stats.snapshotsInstalled >= 1, 'the rejoining region was sent a snapshot (the leader compacted what it missed)');
      assert.deepEqual(cluster.termRegressions, [], 'a term went backwards');
      assert.ok((cluster.highestTerm.get(victim) ?? 0) >= (closed.metrics.term as number));
      assert.deepEqual(cluster.bus.errors, []);
    } finally {
      await stopCluster(cluster);
    }
  });
});

describe('two replicas and a witness', () => {
  test('the witness serves no requests but completes a majority when a replica is cut off', async () => {
    const witness = 'us-west-2';
    const cluster = await startCluster('witness', SEED + 2, { witness });
    try {
      const leader = leaderRegion(cluster)!;
      assert.notEqual(leader, witness, 'the witness never leads');
      assert.equal(await retrying(() => put(cluster, 'us-east-1', 'w', 'one')), 'one');
      assert.equal(await retrying(() => get(cluster, 'us-east-2', 'w', true)), 'one');
      for (const request of [() => get(cluster, witness, 'w', false), () => put(cluster, witness, 'w', 'two')]) {
        await assert.rejects(request(), (error) => errorName(error) === 'ValidationException' && httpStatus(error) === 400 && /witness/.test((error as Error).message));
      }
      const replica = REGIONS.find((region) => region !== leader && region !== witness)!;
      cluster.bus.cut.add(replica);
      assert.equal(await retrying(() => put(cluster, leader, 'w', 'with the witness')), 'with the witness');
      const witnessMetrics = cluster.bus.engines.get(witness)!.metrics();
      assert.ok((witnessMetrics.lastLogIndex as number) >= (cluster.bus.engines.get(leader)!.metrics().commitIndex as number), 'the witness holds every committed entry');
      cluster.bus.cut.delete(replica);
      await waitFor(`${replica} catches up`, async () => (await get(cluster, replica, 'w', false)) === 'with the witness', 10_000);
      assert.deepEqual(cluster.bus.errors, []);
    } finally {
      await stopCluster(cluster);
    }
  });
});
