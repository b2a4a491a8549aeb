import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareHlc, formatHlc, type HlcTimestamp } from './hybrid-logical-clock.ts';
import {
  createMultiWriterReplica,
  peerLag,
  readValue,
  stepMultiWriter,
  type MultiWriterEffect,
  type MultiWriterEvent,
  type MultiWriterMessage,
  type MultiWriterOptions,
  type MultiWriterReplica,
} from './multi-writer-replica.ts';
import { createNetwork, heal, mulberry32, send, takeRandom, type AdversarialNetwork, type TestRandom } from './testing/adversarial-network.ts';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];

interface Cluster {
  readonly replicas: Map<string, MultiWriterReplica>;
  readonly network: AdversarialNetwork<MultiWriterMessage>;
  readonly skewMs: Map<string, number>;
  readonly accepted: { key: string; value: string | null; timestamp: HlcTimestamp }[];
  readonly writes: Map<number, { key: string; value: string | null }>;
  nowMs: number;
  nextRequestId: number;
}

function createCluster(random: TestRandom, options: Partial<MultiWriterOptions> = {}, lossRate = 0, duplicateRate = 0): Cluster {
  const replicas = new Map(REGIONS.map((region) => [region, createMultiWriterReplica({ region, regions: REGIONS, retransmitAfterMs: 50, ...options })]));
  return {
    replicas,
    network: createNetwork<MultiWriterMessage>(random, { lossRate, duplicateRate }),
    skewMs: new Map(REGIONS.map((region) => [region, 0])),
    accepted: [],
    writes: new Map(),
    nowMs: 1000,
    nextRequestId: 1,
  };
}

function step(cluster: Cluster, region: string, event: MultiWriterEvent): MultiWriterEffect[] {
  const physicalMs = cluster.nowMs + cluster.skewMs.get(region)!;
  const { effects } = stepMultiWriter(cluster.replicas.get(region)!, event, physicalMs);
  for (const effect of effects) {
    if (effect.kind === 'send') send(cluster.network, region, effect.to, effect.message);
    else if (effect.reply.ok) cluster.accepted.push({ ...cluster.writes.get(effect.reply.requestId)!, timestamp: effect.reply.timestamp });
  }
  return effects;
}

function write(cluster: Cluster, region: string, key: string, value: string | null): void {
  const requestId = cluster.nextRequestId++;
  cluster.writes.set(requestId, { key, value });
  step(cluster, region, { kind: 'write', requestId, key, value, dataClass: 'profiles' });
}

function deliverOne(cluster: Cluster): void {
  const envelope = takeRandom(cluster.network);
  if (envelope) step(cluster, envelope.to, { kind: 'receive', from: envelope.from, message: envelope.message });
}

function fullyReplicated(cluster: Cluster): boolean {
  for (const replica of cluster.replicas.values()) {
    for (const cursor of replica.log.cursors.values()) if (cursor.ackedSeq < replica.log.lastSeq) return false;
  }
  return cluster.network.inFlight.length === 0;
}

/** Heals the network, then ticks and delivers until every write is everywhere; returns the rounds taken. */
function settle(cluster: Cluster, label: string): number {
  heal(cluster.network);
  for (let round = 0; round < 200; round += 1) {
    if (fullyReplicated(cluster)) return round;
    cluster.nowMs += 60;
    for (const region of REGIONS) step(cluster, region, { kind: 'tick' });
    while (cluster.network.inFlight.length > 0) deliverOne(cluster);
  }
  assert.fail(`${label}: replication did not complete`);
}

function tableOf(replica: MultiWriterReplica): [string, string | null, string][] {
  return [...replica.items.values()].map((entry): [string, string | null, string] => [entry.key, entry.value, formatHlc(entry.timestamp)]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const conflicts = (cluster: Cluster) => [...cluster.replicas.values()].reduce((sum, replica) => sum + replica.stats.conflictsResolved, 0);

describe('multi-writer replica', () => {
  test('a write is acknowledged locally at once and reaches the other regions', () => {
    const cluster = createCluster(mulberry32(1));
    write(cluster, 'eu-west-1', 'user#1', 'Ada');
    assert.equal(readValue(cluster.replicas.get('eu-west-1')!, 'user#1'), 'Ada');
    assert.equal(readValue(cluster.replicas.get('us-east-1')!, 'user#1'), undefined);
    assert.deepEqual(peerLag(cluster.replicas.get('eu-west-1')!, 'us-east-1', cluster.nowMs + 250), { entries: 1, ms: 250 });
    settle(cluster, 'one write');
    for (const region of REGIONS) assert.equal(readValue(cluster.replicas.get(region)!, 'user#1'), 'Ada');
    assert.deepEqual(peerLag(cluster.replicas.get('eu-west-1')!, 'us-east-1', cluster.nowMs), { entries: 0, ms: 0 });
    assert.equal(cluster.replicas.get('eu-west-1')!.log.truncatedSeq, 1, 'the log keeps nothing every peer has');
  });

  test('concurrent writes in two regions: the later timestamp wins everywhere, one conflict is counted', () => {
    const cluster = createCluster(mulberry32(2));
    write(cluster, 'eu-west-1', 'cart#9', 'eu');
    cluster.nowMs += 5;
    write(cluster, 'us-east-1', 'cart#9', 'us');
    settle(cluster, 'two writers');
    for (const region of REGIONS) assert.equal(readValue(cluster.replicas.get(region)!, 'cart#9'), 'us');
    assert.equal(cluster.replicas.get('eu-west-1')!.stats.conflictsResolved, 1);
    assert.equal(conflicts(cluster), 1);
  });

  test('an overwrite made after seeing the first write is not a conflict', () => {
    const cluster = createCluster(mulberry32(3));
    write(cluster, 'eu-west-1', 'cart#9', 'eu');
    settle(cluster, 'first');
    write(cluster, 'us-east-1', 'cart#9', 'us');
    settle(cluster, 'second');
    assert.equal(conflicts(cluster), 0);
  });

  test('a delete is a tombstone that wins over older writes and loses to newer ones', () => {
    const cluster = createCluster(mulberry32(4));
    write(cluster, 'eu-west-1', 'session#1', 'open');
    settle(cluster, 'write');
    write(cluster, 'us-east-1', 'session#1', null);
    settle(cluster, 'delete');
    for (const region of REGIONS) {
      assert.equal(readValue(cluster.replicas.get(region)!, 'session#1'), undefined);
      assert.equal(cluster.replicas.get(region)!.items.get('session#1')?.value, null, 'the tombstone is kept');
    }
    write(cluster, 'ap-southeast-2', 'session#1', 'reopened');
    settle(cluster, 'rewrite');
    for (const region of REGIONS) assert.equal(readValue(cluster.replicas.get(region)!, 'session#1'), 'reopened');
  });

  test('a clock running ahead wins ties it should not, but every region agrees', () => {
    const cluster = createCluster(mulberry32(5));
    cluster.skewMs.set('ap-southeast-2', 500);
    write(cluster, 'ap-southeast-2', 'k', 'fast clock');
    cluster.nowMs += 100;
    write(cluster, 'eu-west-1', 'k', 'later in real time');
    settle(cluster, 'skew');
    for (const region of REGIONS) assert.equal(readValue(cluster.replicas.get(region)!, 'k'), 'fast clock');
  });

  test('re-delivered batches do nothing', () => {
    const cluster = createCluster(mulberry32(6));
    write(cluster, 'eu-west-1', 'k', 'v');
    const sends = step(cluster, 'eu-west-1', { kind: 'tick' }).filter((effect) => effect.kind === 'send' && effect.to === 'us-east-1');
    const message = (sends[0] as Extract<MultiWriterEffect, { kind: 'send' }>).message;
    const us = cluster.replicas.get('us-east-1')!;
    for (let copy = 0; copy < 3; copy += 1) stepMultiWriter(us, { kind: 'receive', from: 'eu-west-1', message }, cluster.nowMs);
    assert.equal(us.stats.replicatedApplied, 1);
    assert.equal(us.stats.duplicatesIgnored, 2);
  });

  test('backpressure: a full log refuses writes with a typed error until peers catch up', () => {
    const cluster = createCluster(mulberry32(7), { logCapacity: 2 });
    write(cluster, 'eu-west-1', 'a', '1');
    write(cluster, 'eu-west-1', 'b', '2');
    const [effect] = step(cluster, 'eu-west-1', { kind: 'write', requestId: 99, key: 'c', value: '3', dataClass: 'profiles' });
    assert.ok(effect?.kind === 'reply' && !effect.reply.ok && effect.reply.error.code === 'REPLICATION_LOG_FULL');
    settle(cluster, 'drain');
    write(cluster, 'eu-west-1', 'c', '3');
    assert.equal(readValue(cluster.replicas.get('eu-west-1')!, 'c'), '3');
  });

  test('a region whose clock is too far ahead is held back until the receiver catches up, then applied', () => {
    const cluster = createCluster(mulberry32(8), { clock: { driftMsMax: 200 } });
    cluster.skewMs.set('ap-southeast-2', 1000);
    write(cluster, 'ap-southeast-2', 'k', 'v');
    step(cluster, 'ap-southeast-2', { kind: 'tick' });
    while (cluster.network.inFlight.length > 0) deliverOne(cluster);
    assert.equal(readValue(cluster.replicas.get('eu-west-1')!, 'k'), undefined);
    assert.ok(cluster.replicas.get('eu-west-1')!.stats.driftRefusals > 0);
    cluster.nowMs += 900;
    settle(cluster, 'drift');
    assert.equal(readValue(cluster.replicas.get('eu-west-1')!, 'k'), 'v');
  });

  test('property: replicas converge to the last writer by timestamp under loss, duplication and reordering (250 seeds)', () => {
    for (let seed = 1; seed <= 250; seed += 1) {
      const random = mulberry32(seed);
      const cluster = createCluster(random, { batchEntriesMax: 1 + random.nextInt(4), inFlightEntriesMax: 2 + random.nextInt(8), logCapacity: 1000 }, 0.2, 0.2);
      for (const region of REGIONS) cluster.skewMs.set(region, random.nextInt(40) - 20);
      for (let action = 0; action < 400; action += 1) {
        cluster.nowMs += random.nextInt(4);
        const region = REGIONS[random.nextInt(REGIONS.length)]!;
        const roll = random.nextFloat();
        if (roll < 0.3) write(cluster, region, `k${random.nextInt(5)}`, random.chance(0.15) ? null : `${region}@${action}`);
        else if (roll < 0.5) step(cluster, region, { kind: 'tick' });
        else deliverOne(cluster);
      }
      settle(cluster, `seed ${seed}`);
      const tables = REGIONS.map((region) => tableOf(cluster.replicas.get(region)!));
      for (const table of tables.slice(1)) assert.deepEqual(table, tables[0], `seed ${seed}: replicas diverged`);
      const winners = new Map<string, (typeof cluster.accepted)[number]>();
      for (const write of cluster.accepted) {
        const best = winners.get(write.key);
        if (best === undefined || compareHlc(write.timestamp, best.timestamp) > 0) winners.set(write.key, write);
      }
      const expected = [...winners.values()].map((w): [string, string | null, string] => [w.key, w.value, formatHlc(w.timestamp)]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      assert.deepEqual(tables[0], expected, `seed ${seed}: the table is not the last writer per item`);
      assert.ok(conflicts(cluster) <= cluster.accepted.length - winners.size, `seed ${seed}: more conflicts than overwritten writes`);
    }
  });

  test('property: writes each made after the previous one replicated never count as conflicts (200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = mulberry32(seed);
      const cluster = createCluster(random, {}, 0.2, 0.2);
      for (let index = 0; index < 6; index += 1) {
        write(cluster, REGIONS[random.nextInt(REGIONS.length)]!, 'k', `v${index}`);
        settle(cluster, `seed ${seed}`);
        cluster.network.faults.lossRate = 0.2;
        cluster.network.faults.duplicateRate = 0.2;
      }
      assert.equal(conflicts(cluster), 0, `seed ${seed}: a causal overwrite was counted as a conflict`);
    }
  });

  test('property: two regions writing one item without hearing from each other count exactly one conflict (200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = mulberry32(seed);
      const cluster = createCluster(random, {}, 0.2, 0.2);
      const [first, second] = random.chance(0.5) ? [REGIONS[0]!, REGIONS[2]!] : [REGIONS[1]!, REGIONS[0]!];
      write(cluster, first, 'k', 'first');
      cluster.nowMs += random.nextInt(3);
      write(cluster, second, 'k', 'second');
      settle(cluster, `seed ${seed}`);
      assert.equal(conflicts(cluster), 1, `seed ${seed}: expected one conflict`);
    }
  });
});
