import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareHlc } from './hybrid-logical-clock.ts';
import { createMultiWriterReplica, readValue, stepMultiWriter, type MultiWriterMessage, type MultiWriterReplica } from './multi-writer-replica.ts';
import { durableStateOf, restoreMultiWriterReplica } from './multi-writer-restore.ts';

const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2'];

/** A tiny synchronous network: messages wait in a queue until delivered or dropped. */
function cluster() {
  const replicas = new Map(REGIONS.map((region) => [region, createMultiWriterReplica({ region, regions: REGIONS, retransmitAfterMs: 10 })]));
  const queue: { from: string; to: string; message: MultiWriterMessage }[] = [];
  let nowMs = 1000;
  const step = (region: string, event: Parameters<typeof stepMultiWriter>[1]) => {
    for (const effect of stepMultiWriter(replicas.get(region)!, event, nowMs).effects) if (effect.kind === 'send') queue.push({ from: region, to: effect.to, message: effect.message });
  };
  return {
    replicas,
    queue,
    advance: (ms: number) => (nowMs += ms),
    write: (region: string, key: string, value: string | null) => step(region, { kind: 'write', requestId: 1, key, value, dataClass: 'profiles' }),
    tick: () => REGIONS.forEach((region) => step(region, { kind: 'tick' })),
    deliverAll: (down: ReadonlySet<string> = new Set()) => {
      while (queue.length > 0) {
        const { from, to, message } = queue.shift()!;
        if (!down.has(to) && !down.has(from)) step(to, { kind: 'receive', from, message });
      }
    },
    crash: (region: string) => {
      const durable = JSON.parse(JSON.stringify(durableStateOf(replicas.get(region)!))) as ReturnType<typeof durableStateOf>;
      replicas.set(region, restoreMultiWriterReplica({ region, regions: REGIONS, retransmitAfterMs: 10 }, durable));
    },
  };
}

function converge(lab: ReturnType<typeof cluster>): void {
  for (let round = 0; round < 20; round += 1) {
    lab.advance(20);
    lab.tick();
    lab.deliverAll();
  }
}

const table = (replica: MultiWriterReplica) => Object.fromEntries([...replica.items].map(([key]) => [key, readValue(replica, key)]));

test('a replica restored from its durable state resends what peers lack, and nothing is applied twice', () => {
  const lab = cluster();
  for (let index = 0; index < 30; index += 1) lab.write('us-east-1', `k${index % 7}`, `east-${index}`);
  lab.tick();
  lab.deliverAll();
  // More writes that never leave: us-east-1 crashes before shipping them.
  for (let index = 30; index < 45; index += 1) lab.write('us-east-1', `k${index % 7}`, `east-${index}`);
  lab.crash('us-east-1');
  // A peer crashes too, after applying what it got.
  lab.crash('eu-west-1');
  converge(lab);
  const east = lab.replicas.get('us-east-1')!;
  for (const region of REGIONS) assert.deepEqual(table(lab.replicas.get(region)!), table(east), `${region} converged`);
  assert.equal(readValue(east, 'k2'), 'east-44');
  for (const region of ['eu-west-1', 'us-west-2']) {
    assert.equal(lab.replicas.get(region)!.appliedSeqs[REGIONS.indexOf('us-east-1')], 45, `${region} applied every entry of us-east-1 once`);
  }
  // us-west-2 never crashed: it applied 45 entries of us-east-1 in total, every resent one was recognised.
  assert.equal(lab.replicas.get('us-west-2')!.stats.replicatedApplied, 45);
});

test('the restored clock never issues a timestamp below one it issued before', () => {
  const lab = cluster();
  lab.advance(10_000);
  lab.write('us-east-1', 'a', 'before');
  const before = lab.replicas.get('us-east-1')!.items.get('a')!.timestamp;
  lab.crash('us-east-1');
  lab.advance(-5_000); // the machine's clock went back
  lab.write('us-east-1', 'a', 'after');
  const after = lab.replicas.get('us-east-1')!.items.get('a')!.timestamp;
  assert.equal(compareHlc(after, before), 1);
});

test('tombstones survive a restart, so an older write cannot resurrect a deleted item', () => {
  const lab = cluster();
  lab.write('us-west-2', 'x', 'old');
  lab.advance(5);
  lab.write('us-east-1', 'x', null);
  lab.crash('us-east-1');
  converge(lab);
  for (const region of REGIONS) assert.equal(readValue(lab.replicas.get(region)!, 'x'), undefined, region);
});
