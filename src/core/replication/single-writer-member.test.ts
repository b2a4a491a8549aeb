import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lostOnFailover } from './single-writer-handover.ts';
import { stepSingleWriter } from './single-writer-member.ts';
import {
  createSingleWriterMember,
  peerLag,
  readValue,
  restartSingleWriterMember,
  secondaryLag,
  type SingleWriterEffect,
  type SingleWriterEvent,
  type SingleWriterMember,
  type SingleWriterMessage,
  type SingleWriterOptions,
} from './single-writer-state.ts';
import { createNetwork, heal, mulberry32, send, takeRandom, type AdversarialNetwork, type TestRandom } from './testing/adversarial-network.ts';

const PRIMARY = 'us-east-1';
const REGIONS = [PRIMARY, 'us-west-2', 'eu-west-1'];

interface AckedWrite {
  readonly key: string;
  readonly value: string | null;
  readonly seq: number;
  readonly epoch: number;
  readonly region: string;
}

interface Group {
  readonly members: Map<string, SingleWriterMember>;
  readonly network: AdversarialNetwork<SingleWriterMessage>;
  readonly pendingWrites: Map<number, { key: string; value: string | null; region: string }>;
  readonly acked: AckedWrite[];
  /** Every write a primary applied, acknowledged or not (a forwarded write's answer may be lost). */
  readonly history: AckedWrite[];
  readonly refused: { region: string; code: string }[];
  readonly reports: SingleWriterEffect[];
  nowMs: number;
  nextRequestId: number;
}

function createGroup(random: TestRandom, options: Partial<SingleWriterOptions> = {}, lossRate = 0, duplicateRate = 0): Group {
  const members = new Map(
    REGIONS.map((region) => [region, createSingleWriterMember({ region, regions: REGIONS, primaryRegion: PRIMARY, retransmitAfterMs: 50, heartbeatIntervalMs: 100, ...options })]),
  );
  return { members, network: createNetwork(random, { lossRate, duplicateRate }), pendingWrites: new Map(), acked: [], history: [], refused: [], reports: [], nowMs: 1000, nextRequestId: 1 };
}

function step(group: Group, region: string, event: SingleWriterEvent): SingleWriterEffect[] {
  if (group.network.down.has(region)) return [];
  const { effects } = stepSingleWriter(group.members.get(region)!, event, group.nowMs);
  for (const effect of effects) {
    if (effect.kind === 'send') {
      send(group.network, region, effect.to, effect.message);
      recordForwarded(group, event, effect.message, effect.to);
    } else if (effect.kind !== 'reply') group.reports.push(effect);
    else if (effect.reply.ok) {
      const acked = { ...group.pendingWrites.get(effect.reply.requestId)!, seq: effect.reply.seq, epoch: effect.reply.epoch };
      group.acked.push(acked);
      if (event.kind === 'write') group.history.push(acked);
    } else group.refused.push({ region, code: effect.reply.error.code });
  }
  return effects;
}

/** A primary's answer to a forwarded write is where the write is applied, whether or not the answer arrives. */
function recordForwarded(group: Group, event: SingleWriterEvent, sent: SingleWriterMessage, to: string): void {
  if (event.kind !== 'receive' || event.message.kind !== 'forward-write' || sent.kind !== 'forward-result' || !sent.result.ok) return;
  const { seq, epoch } = sent.result;
  if (group.history.some((write) => write.seq === seq && write.epoch === epoch)) return;
  group.history.push({ key: event.message.key, value: event.message.value, seq, epoch, region: to });
}

function write(group: Group, region: string, key: string, value: string | null): SingleWriterEffect[] {
  const requestId = group.nextRequestId++;
  group.pendingWrites.set(requestId, { key, value, region });
  return step(group, region, { kind: 'write', requestId, key, value, dataClass: 'orders' });
}

function deliverAll(group: Group): void {
  while (group.network.inFlight.length > 0) {
    const envelope = takeRandom(group.network);
    if (envelope) step(group, envelope.to, { kind: 'receive', from: envelope.from, message: envelope.message });
  }
}

function round(group: Group, advanceMs = 60): void {
  group.nowMs += advanceMs;
  for (const region of REGIONS) step(group, region, { kind: 'tick' });
  deliverAll(group);
}

function settled(group: Group): boolean {
  const members = [...group.members.values()];
  const primaries = members.filter((member) => member.role === 'primary');
  if (primaries.length !== 1 || group.network.inFlight.length > 0) return false;
  const primary = primaries[0]!;
  return members.every((member) => member.epoch === primary.epoch && !member.awaitingSnapshot && member.log.lastSeq === primary.log.lastSeq && member.switchover === undefined);
}

function settle(group: Group, label: string): void {
  heal(group.network);
  for (let rounds = 0; rounds < 300; rounds += 1) {
    if (settled(group)) return;
    round(group);
  }
  assert.fail(`${label}: the group did not settle`);
}

function tableOf(member: SingleWriterMember): [string, string | null][] {
  return [...member.items.values()].map((entry): [string, string | null] => [entry.key, entry.value]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The table that replaying the surviving writes in sequence order gives. */
function replay(writes: readonly AckedWrite[]): [string, string | null][] {
  const table = new Map<string, string | null>();
  for (const write of [...writes].sort((a, b) => a.seq - b.seq)) table.set(write.key, write.value);
  return [...table.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const member = (group: Group, region: string) => group.members.get(region)!;
const reportsOf = <K extends SingleWriterEffect['kind']>(group: Group, kind: K) => group.reports.filter((effect): effect is Extract<SingleWriterEffect, { kind: K }> => effect.kind === kind);
const writeId = (write: { seq: number; epoch: number }) => `${write.epoch}:${write.seq}`;

describe('single-writer group', () => {
  test('the primary ships its log; a secondary reports its lag and catches up', () => {
    const group = createGroup(mulberry32(1));
    write(group, PRIMARY, 'order#1', 'placed');
    write(group, PRIMARY, 'order#2', 'placed');
    step(group, PRIMARY, { kind: 'tick' });
    assert.deepEqual(peerLag(member(group, PRIMARY), 'eu-west-1', group.nowMs + 300), { entries: 2, ms: 300 });
    deliverAll(group);
    group.nowMs += 50;
    write(group, PRIMARY, 'order#3', 'placed');
    round(group, 0);
    const secondary = member(group, 'eu-west-1');
    assert.equal(readValue(secondary, 'order#3'), 'placed');
    assert.deepEqual(secondaryLag(secondary), { entries: 0, ms: 0 });
    assert.equal(member(group, PRIMARY).log.truncatedSeq, 3, 'entries every secondary has are truncated');
  });

  test('a secondary measures its lag against the position the primary last reported', () => {
    const group = createGroup(mulberry32(2));
    write(group, PRIMARY, 'a', '1');
    round(group);
    const secondary = member(group, 'eu-west-1');
    const heartbeat: SingleWriterMessage = { kind: 'replicate', epoch: 1, epochStartSeq: 0, entries: [], primaryLastSeq: 3, primaryLastWriteMs: secondary.appliedWriteMs + 400 };
    step(group, 'eu-west-1', { kind: 'receive', from: PRIMARY, message: heartbeat });
    assert.deepEqual(secondaryLag(secondary), { entries: 2, ms: 400 });
    assert.deepEqual(secondaryLag(member(group, PRIMARY)), { entries: 0, ms: 0 });
  });

  test('a write at a secondary is refused with a typed error naming the primary', () => {
    const group = createGroup(mulberry32(3));
    const [effect] = write(group, 'eu-west-1', 'order#1', 'placed');
    assert.ok(effect?.kind === 'reply' && !effect.reply.ok);
    assert.equal(effect.reply.error.code, 'NOT_PRIMARY');
    assert.match(effect.reply.error.message, /writer is us-east-1 \(epoch 1\)/);
  });

  test('with write forwarding a secondary forwards the write, once even if the network repeats it', () => {
    const group = createGroup(mulberry32(4), { writeForwarding: true });
    const effects = write(group, 'eu-west-1', 'order#1', 'placed');
    const forward = effects.find((effect) => effect.kind === 'send');
    assert.ok(forward?.kind === 'send' && forward.to === PRIMARY);
    send(group.network, 'eu-west-1', PRIMARY, forward.message);
    deliverAll(group);
    assert.equal(group.acked.length, 1);
    assert.equal(member(group, PRIMARY).stats.writes, 1);
    round(group);
    assert.equal(readValue(member(group, 'eu-west-1'), 'order#1'), 'placed');
  });

  test('a forwarded write without an answer fails with an unknown outcome', () => {
    const group = createGroup(mulberry32(5), { writeForwarding: true, forwardTimeoutMs: 500 });
    write(group, 'eu-west-1', 'order#1', 'placed');
    group.network.inFlight.length = 0;
    group.nowMs += 500;
    step(group, 'eu-west-1', { kind: 'tick' });
    assert.deepEqual(group.refused, [{ region: 'eu-west-1', code: 'WRITE_OUTCOME_UNKNOWN' }]);
  });

  test('switchover: writes pause, the target gets everything, epoch 2 starts, nothing is lost', () => {
    const group = createGroup(mulberry32(6));
    for (let index = 0; index < 5; index += 1) write(group, PRIMARY, `k${index}`, `v${index}`);
    step(group, PRIMARY, { kind: 'switchover', target: 'us-west-2', epoch: 2 });
    write(group, PRIMARY, 'late', 'refused');
    assert.deepEqual(group.refused, [{ region: PRIMARY, code: 'WRITES_SUSPENDED' }]);
    settle(group, 'switchover');
    assert.equal(member(group, 'us-west-2').role, 'primary');
    assert.equal(member(group, PRIMARY).role, 'secondary');
    assert.deepEqual(reportsOf(group, 'promoted'), [{ kind: 'promoted', region: 'us-west-2', epoch: 2, epochStartSeq: 5, planned: true }]);
    assert.deepEqual(reportsOf(group, 'discarded'), []);
    write(group, 'us-west-2', 'k0', 'after');
    settle(group, 'after switchover');
    for (const region of REGIONS) assert.deepEqual(tableOf(member(group, region)), replay(group.acked));
  });

  test('a switchover that cannot complete is abandoned and the primary writes again', () => {
    const group = createGroup(mulberry32(7), { switchoverTimeoutMs: 1000 });
    group.network.down.add('us-west-2');
    write(group, PRIMARY, 'k', 'v');
    step(group, PRIMARY, { kind: 'switchover', target: 'us-west-2', epoch: 2 });
    for (let rounds = 0; rounds < 20; rounds += 1) round(group);
    assert.equal(reportsOf(group, 'switchover-abandoned').length, 1);
    write(group, PRIMARY, 'k', 'again');
    assert.equal(group.acked.length, 2);
  });

  test('failover loses exactly the writes past the promoted secondary; the restarted primary is fenced and reports them', () => {
    const group = createGroup(mulberry32(8));
    write(group, PRIMARY, 'a', '1');
    write(group, PRIMARY, 'b', '1');
    round(group);
    write(group, PRIMARY, 'b', '2');
    write(group, PRIMARY, 'c', '1');
    group.network.down.add(PRIMARY);
    step(group, 'us-west-2', { kind: 'failover', epoch: 2 });
    const [promoted] = reportsOf(group, 'promoted');
    assert.deepEqual(promoted, { kind: 'promoted', region: 'us-west-2', epoch: 2, epochStartSeq: 2, planned: false });
    assert.deepEqual(lostOnFailover(group.acked, promoted!).map(writeId), ['1:3', '1:4']);
    write(group, 'us-west-2', 'd', 'new');
    group.network.down.delete(PRIMARY);
    restartSingleWriterMember(member(group, PRIMARY));
    write(group, PRIMARY, 'e', 'refused');
    assert.deepEqual(group.refused, [{ region: PRIMARY, code: 'WRITES_SUSPENDED' }]);
    settle(group, 'failover');
    const [discarded] = reportsOf(group, 'discarded');
    assert.equal(discarded?.region, PRIMARY);
    assert.deepEqual(discarded?.entries.map(writeId), ['1:3', '1:4']);
    assert.equal(discarded?.complete, true);
    write(group, PRIMARY, 'e', 'refused');
    assert.equal(group.refused.at(-1)?.code, 'NOT_PRIMARY');
    for (const region of REGIONS) assert.deepEqual(tableOf(member(group, region)), [['a', '1'], ['b', '1'], ['d', 'new']]);
  });

  test('the control plane can fence a reachable former primary directly', () => {
    const group = createGroup(mulberry32(9));
    write(group, PRIMARY, 'a', '1');
    step(group, 'eu-west-1', { kind: 'failover', epoch: 2 });
    step(group, PRIMARY, { kind: 'fence', epoch: 2, primaryRegion: 'eu-west-1', epochStartSeq: 0 });
    assert.equal(reportsOf(group, 'discarded')[0]?.entries.length, 1);
    write(group, PRIMARY, 'b', '1');
    assert.equal(group.refused.at(-1)?.code, 'NOT_PRIMARY');
  });

  test('a failover asked of a member that cannot take over is refused, not applied', () => {
    const group = createGroup(mulberry32(12));
    write(group, PRIMARY, 'a', '1');
    step(group, 'eu-west-1', { kind: 'failover', epoch: 2 });
    step(group, PRIMARY, { kind: 'fence', epoch: 2, primaryRegion: 'eu-west-1', epochStartSeq: 0 });
    step(group, PRIMARY, { kind: 'failover', epoch: 3 });
    assert.deepEqual(reportsOf(group, 'promotion-refused'), [{ kind: 'promotion-refused', region: PRIMARY, epoch: 3, reason: 'awaiting-snapshot' }]);
    step(group, 'eu-west-1', { kind: 'failover', epoch: 3 });
    assert.equal(reportsOf(group, 'promotion-refused')[1]?.reason, 'not-secondary');
    assert.equal(member(group, PRIMARY).role, 'secondary');
  });

  test('a secondary that fell out of the bounded log resyncs from a snapshot', () => {
    const group = createGroup(mulberry32(10), { logCapacity: 4 });
    group.network.down.add('eu-west-1');
    for (let index = 0; index < 10; index += 1) {
      write(group, PRIMARY, `k${index % 3}`, `v${index}`);
      round(group);
    }
    assert.equal(member(group, PRIMARY).log.cursors.get('eu-west-1')?.state, 'needs-snapshot');
    settle(group, 'snapshot');
    assert.equal(member(group, 'eu-west-1').stats.snapshotsInstalled, 1);
    assert.deepEqual(tableOf(member(group, 'eu-west-1')), tableOf(member(group, PRIMARY)));
  });

  test('property: failover loses exactly the acknowledged writes past the promoted secondary, switchover none, and the fenced primary accepts nothing (250 seeds)', () => {
    for (let seed = 1; seed <= 250; seed += 1) runScenario(seed);
  });
});

function randomWrites(group: Group, random: TestRandom, actions: number, writers: readonly string[]): void {
  for (let action = 0; action < actions; action += 1) {
    group.nowMs += random.nextInt(20);
    const roll = random.nextFloat();
    if (roll < 0.35) write(group, writers[random.nextInt(writers.length)]!, `k${random.nextInt(6)}`, random.chance(0.1) ? null : `v${action}`);
    else if (roll < 0.55) step(group, REGIONS[random.nextInt(REGIONS.length)]!, { kind: 'tick' });
    else {
      const envelope = takeRandom(group.network);
      if (envelope) step(group, envelope.to, { kind: 'receive', from: envelope.from, message: envelope.message });
    }
  }
}

function runScenario(seed: number): void {
  const random = mulberry32(seed);
  const forwarding = random.chance(0.5);
  const group = createGroup(random, { writeForwarding: forwarding, logCapacity: 10_000, batchEntriesMax: 1 + random.nextInt(4) }, 0.15, 0.15);
  const label = `seed ${seed}`;
  randomWrites(group, random, 150, forwarding ? REGIONS : [PRIMARY]);
  const target = REGIONS[1 + random.nextInt(2)]!;
  const survivors = REGIONS.filter((region) => region !== PRIMARY);
  let promoted: { epoch: number; epochStartSeq: number } | undefined;
  if (random.chance(0.4)) {
    step(group, PRIMARY, { kind: 'switchover', target, epoch: 2 });
    randomWrites(group, random, 100, survivors);
    settle(group, label);
    assert.equal(member(group, target).role, 'primary', `${label}: switchover did not complete`);
    assert.deepEqual(reportsOf(group, 'discarded'), [], `${label}: a switchover discarded writes`);
  } else {
    promoted = failOver(group, random, target, forwarding, label);
  }
  const lost = promoted === undefined ? [] : lostOnFailover(group.history, promoted);
  const lostIds = new Set(lost.map(writeId));
  const expected = replay(group.history.filter((write) => !lostIds.has(writeId(write))));
  for (const region of REGIONS) assert.deepEqual(tableOf(member(group, region)), expected, `${label}: ${region} does not hold exactly the surviving writes`);
  assert.ok(group.acked.every((write) => group.history.some((applied) => writeId(applied) === writeId(write))), `${label}: an acknowledged write is missing from the history`);
}

/** Isolates or crashes the primary, promotes `target`, brings the old primary back and checks the loss report and the fencing. */
function failOver(group: Group, random: TestRandom, target: string, forwarding: boolean, label: string): { epoch: number; epochStartSeq: number } {
  const crash = random.chance(0.5);
  if (crash) group.network.down.add(PRIMARY);
  else group.network.side.set(PRIMARY, 1);
  randomWrites(group, random, 30, forwarding ? REGIONS : [PRIMARY]);
  const appliedAtFailover = member(group, target).log.lastSeq;
  step(group, target, { kind: 'failover', epoch: 2 });
  const promoted = reportsOf(group, 'promoted')[0]!;
  assert.equal(promoted.epochStartSeq, appliedAtFailover, `${label}: promoted at another sequence than it had applied`);
  randomWrites(group, random, 100, REGIONS.filter((region) => region !== PRIMARY || !crash));
  if (crash) {
    group.network.down.delete(PRIMARY);
    restartSingleWriterMember(member(group, PRIMARY));
    const ackedBefore = group.acked.length;
    for (let attempt = 0; attempt < 3; attempt += 1) write(group, PRIMARY, 'fenced', `restarted${attempt}`);
    assert.equal(group.acked.length, ackedBefore, `${label}: the restarted primary accepted a write before confirming its epoch`);
  }
  settle(group, label);
  const ackedBefore = group.acked.length;
  for (let attempt = 0; attempt < 3; attempt += 1) write(group, PRIMARY, 'fenced', `after${attempt}`);
  assert.equal(group.acked.length, ackedBefore, `${label}: the fenced primary accepted a write`);
  const lost = lostOnFailover(group.history, promoted).map(writeId).sort();
  const reported = reportsOf(group, 'discarded').filter((report) => report.region === PRIMARY).flatMap((report) => report.entries.map(writeId)).sort();
  assert.deepEqual(reported, lost, `${label}: the old primary did not report exactly the lost writes`);
  const ackedLost = lostOnFailover(group.acked, promoted).map(writeId);
  assert.ok(ackedLost.every((id) => reported.includes(id)), `${label}: a lost acknowledged write went unreported`);
  return promoted;
}
