import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stepSingleWriter } from './single-writer-member.ts';
import { restoreSingleWriterMember, singleWriterDurable, type SingleWriterDurable } from './single-writer-restore.ts';
import { createSingleWriterMember, type SingleWriterEffect, type SingleWriterEvent, type SingleWriterMember, type SingleWriterMessage, type SingleWriterOptions } from './single-writer-state.ts';

const PRIMARY = 'us-east-1';
const REGIONS = [PRIMARY, 'us-west-2', 'eu-west-1'];

/** A small group on a FIFO network whose links can be cut; every delivery goes through JSON, as on a wire. */
interface Group {
  readonly members: Map<string, SingleWriterMember>;
  readonly options: Partial<SingleWriterOptions>;
  queue: { from: string; to: string; message: SingleWriterMessage }[];
  readonly cut: Set<string>;
  readonly replies: { region: string; ok: boolean; code?: string; seq?: number }[];
  readonly reports: SingleWriterEffect[];
  nowMs: number;
  nextRequestId: number;
}

function createGroup(options: Partial<SingleWriterOptions> = {}): Group {
  const members = new Map(REGIONS.map((region) => [region, createSingleWriterMember(optionsFor(region, options))]));
  return { members, options, queue: [], cut: new Set(), replies: [], reports: [], nowMs: 1000, nextRequestId: 1 };
}

function optionsFor(region: string, options: Partial<SingleWriterOptions>): SingleWriterOptions {
  return { region, regions: REGIONS, primaryRegion: PRIMARY, retransmitAfterMs: 50, heartbeatIntervalMs: 100, ...options };
}

function step(group: Group, region: string, event: SingleWriterEvent): SingleWriterEffect[] {
  const { effects } = stepSingleWriter(group.members.get(region)!, event, group.nowMs);
  for (const effect of effects) {
    if (effect.kind === 'send') group.queue.push({ from: region, to: effect.to, message: JSON.parse(JSON.stringify(effect.message)) as SingleWriterMessage });
    else if (effect.kind === 'reply') {
      const { reply } = effect;
      group.replies.push(reply.ok ? { region, ok: true, seq: reply.seq } : { region, ok: false, code: reply.error.code });
    } else group.reports.push(effect);
  }
  return effects;
}

function write(group: Group, region: string, key: string, value: string | null): void {
  step(group, region, { kind: 'write', requestId: group.nextRequestId++, key, value, dataClass: 'orders' });
}

function deliverAll(group: Group): void {
  while (group.queue.length > 0) {
    const { from, to, message } = group.queue.shift()!;
    if (group.cut.has(from) || group.cut.has(to)) continue;
    step(group, to, { kind: 'receive', from, message });
  }
}

function rounds(group: Group, count: number, advanceMs = 60): void {
  for (let round = 0; round < count; round += 1) {
    group.nowMs += advanceMs;
    for (const region of REGIONS) if (!group.cut.has(region)) step(group, region, { kind: 'tick' });
    deliverAll(group);
  }
}

/** What a shell writes and reads back: the durable parts through JSON. */
function onDisk(member: SingleWriterMember): SingleWriterDurable {
  return JSON.parse(JSON.stringify(singleWriterDurable(member))) as SingleWriterDurable;
}

/** A crash: the member is rebuilt from its durable parts alone; what was in flight to or from it is gone. */
function crashAndRestore(group: Group, region: string): SingleWriterMember {
  const restored = restoreSingleWriterMember(optionsFor(region, group.options), onDisk(group.members.get(region)!));
  group.members.set(region, restored);
  group.queue = group.queue.filter((envelope) => envelope.from !== region && envelope.to !== region);
  return restored;
}

function tableOf(member: SingleWriterMember): [string, string | null][] {
  return [...member.items.values()].map((entry): [string, string | null] => [entry.key, entry.value]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const member = (group: Group, region: string) => group.members.get(region)!;

describe('restoring a single-writer member from its durable parts', () => {
  test('a primary comes back recovering with its table, log and epoch, and writes again once a secondary confirms its epoch', () => {
    const group = createGroup();
    for (let index = 0; index < 5; index += 1) write(group, PRIMARY, `k${index}`, `v${index}`);
    rounds(group, 2);
    group.cut.add('us-west-2');
    group.cut.add('eu-west-1');
    for (let index = 5; index < 8; index += 1) write(group, PRIMARY, `k${index}`, `v${index}`);
    const before = member(group, PRIMARY);
    const restored = crashAndRestore(group, PRIMARY);
    assert.equal(restored.role, 'recovering');
    assert.equal(restored.epoch, 1);
    assert.deepEqual(tableOf(restored), tableOf(before));
    assert.equal(restored.log.lastSeq, 8);
    assert.equal(restored.log.truncatedSeq, before.log.truncatedSeq);
    assert.deepEqual(restored.stats, before.stats);
    assert.deepEqual([...restored.log.cursors.values()].map((cursor) => cursor.state), ['probing', 'probing']);

    write(group, PRIMARY, 'refused', 'x');
    assert.deepEqual(group.replies.at(-1), { region: PRIMARY, ok: false, code: 'WRITES_SUSPENDED' });
    group.cut.clear();
    rounds(group, 3);
    assert.equal(member(group, PRIMARY).role, 'primary');
    write(group, PRIMARY, 'k8', 'v8');
    assert.deepEqual(group.replies.at(-1), { region: PRIMARY, ok: true, seq: 9 });
    rounds(group, 3);
    for (const region of REGIONS) assert.deepEqual(tableOf(member(group, region)), tableOf(member(group, PRIMARY)));
    for (const region of ['us-west-2', 'eu-west-1']) assert.equal(member(group, region).stats.appliedEntries, 9, `${region} applied an entry twice or missed one`);
  });

  test('a secondary restores its table and history and resumes where it stopped, applying nothing twice', () => {
    const group = createGroup();
    for (let index = 0; index < 6; index += 1) write(group, PRIMARY, `k${index}`, `v${index}`);
    rounds(group, 2);
    const restored = crashAndRestore(group, 'eu-west-1');
    assert.equal(restored.role, 'secondary');
    assert.equal(restored.log.lastSeq, 6);
    assert.equal(restored.stats.appliedEntries, 6);
    for (let index = 6; index < 10; index += 1) write(group, PRIMARY, `k${index}`, `v${index}`);
    rounds(group, 4);
    assert.deepEqual(tableOf(member(group, 'eu-west-1')), tableOf(member(group, PRIMARY)));
    assert.equal(member(group, 'eu-west-1').stats.appliedEntries, 10);
  });

  test('the restored clock never issues a timestamp below one held before the crash, even when physical time went back', () => {
    const group = createGroup();
    write(group, PRIMARY, 'a', '1');
    write(group, PRIMARY, 'a', '2');
    rounds(group, 2);
    const latest = member(group, PRIMARY).items.get('a')!.timestamp;
    crashAndRestore(group, PRIMARY);
    rounds(group, 2);
    group.nowMs = 10;
    write(group, PRIMARY, 'b', '1');
    const issued = member(group, PRIMARY).items.get('b')!.timestamp;
    assert.ok(issued.wallMs > latest.wallMs || (issued.wallMs === latest.wallMs && issued.logical > latest.logical), `issued ${JSON.stringify(issued)} after ${JSON.stringify(latest)}`);
  });

  test('a former primary that discarded its tail restores awaiting the snapshot, refuses promotion, and then converges', () => {
    const group = createGroup();
    write(group, PRIMARY, 'a', '1');
    rounds(group, 2);
    group.cut.add(PRIMARY);
    write(group, PRIMARY, 'lost', '1');
    step(group, 'us-west-2', { kind: 'failover', epoch: 2 });
    step(group, PRIMARY, { kind: 'fence', epoch: 2, primaryRegion: 'us-west-2', epochStartSeq: 1 });
    const restored = crashAndRestore(group, PRIMARY);
    assert.equal(restored.awaitingSnapshot, true);
    assert.equal(restored.role, 'secondary');
    assert.equal(restored.epoch, 2);
    step(group, PRIMARY, { kind: 'failover', epoch: 3 });
    assert.equal(group.reports.at(-1)?.kind, 'promotion-refused');
    group.cut.clear();
    write(group, 'us-west-2', 'b', '1');
    rounds(group, 6);
    assert.equal(member(group, PRIMARY).awaitingSnapshot, false);
    for (const region of REGIONS) assert.deepEqual(tableOf(member(group, region)), [['a', '1'], ['b', '1']]);
  });

  test('a primary demoted by a switchover keeps handing over after a crash, so the group is not left without a primary', () => {
    const group = createGroup();
    write(group, PRIMARY, 'a', '1');
    rounds(group, 2);
    step(group, PRIMARY, { kind: 'switchover', target: 'us-west-2', epoch: 2 });
    assert.equal(member(group, PRIMARY).role, 'secondary', 'the target had everything: demoted at once');
    const restored = crashAndRestore(group, PRIMARY);
    assert.equal(restored.switchover?.phase, 'handing-over');
    rounds(group, 4);
    assert.equal(member(group, 'us-west-2').role, 'primary');
    assert.equal(member(group, PRIMARY).switchover, undefined);
    write(group, 'us-west-2', 'b', '1');
    rounds(group, 3);
    assert.deepEqual(tableOf(member(group, PRIMARY)), [['a', '1'], ['b', '1']]);
  });

  test('a restored primary whose log no longer holds what a secondary lacks resyncs it from a snapshot', () => {
    const group = createGroup({ logCapacity: 3 });
    group.cut.add('eu-west-1');
    for (let index = 0; index < 8; index += 1) {
      write(group, PRIMARY, `k${index}`, `v${index}`);
      rounds(group, 1);
    }
    crashAndRestore(group, PRIMARY);
    group.cut.clear();
    rounds(group, 6);
    assert.equal(member(group, 'eu-west-1').stats.snapshotsInstalled, 1);
    assert.deepEqual(tableOf(member(group, 'eu-west-1')), tableOf(member(group, PRIMARY)));
  });

  test('a durable log with a gap is a corrupt file and fails loudly', () => {
    const group = createGroup();
    for (let index = 0; index < 3; index += 1) write(group, PRIMARY, `k${index}`, `v${index}`);
    const durable = onDisk(member(group, PRIMARY));
    const broken: SingleWriterDurable = { ...durable, log: durable.log.filter((entry) => entry.seq !== 2) };
    assert.throws(() => restoreSingleWriterMember(optionsFor(PRIMARY, {}), broken), /appended after/);
  });
});
