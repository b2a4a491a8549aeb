import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stepQuorum } from './quorum-member.ts';
import { lastIndex } from './quorum-log.ts';
import { createQuorumMember, readApplied, restartQuorumMember, type QuorumEffect, type QuorumEvent, type QuorumMember, type QuorumMessage, type QuorumOptions } from './quorum-state.ts';
import { ReplicatedWriteConflictError } from './replication-errors.ts';
import { createNetwork, heal, mulberry32, send, takeRandom, type AdversarialNetwork, type TestRandom } from './testing/adversarial-network.ts';

const US = ['us-east-1', 'us-east-2', 'us-west-2'];

interface Request {
  readonly region: string;
  readonly kind: 'write' | 'read';
  readonly key: string;
  readonly value?: string | null;
  readonly issuedAt: number;
}

interface Outcome {
  readonly request: Request;
  readonly ok: boolean;
  readonly version?: number;
  readonly value?: string | undefined;
  readonly code?: string;
  readonly repliedAt: number;
}

interface Group {
  readonly members: Map<string, QuorumMember>;
  readonly network: AdversarialNetwork<QuorumMessage>;
  readonly requests: Map<number, Request>;
  readonly outcomes: Outcome[];
  /** Index → the entry every member applied there (state machine safety is checked as entries are applied). */
  readonly applied: Map<number, string>;
  readonly appliedEntries: Map<number, Extract<QuorumEffect, { kind: 'applied' }>['entry']>;
  readonly leaders: Extract<QuorumEffect, { kind: 'became-leader' }>[];
  nowMs: number;
  action: number;
  nextRequestId: number;
  label: string;
}

function createGroup(random: TestRandom, options: Partial<QuorumOptions> = {}, lossRate = 0, duplicateRate = 0, regions = US): Group {
  const members = new Map(regions.map((region) => [region, createQuorumMember({ region, members: regions, random, emitApplied: true, ...options }, 0)]));
  return { members, network: createNetwork(random, { lossRate, duplicateRate }), requests: new Map(), outcomes: [], applied: new Map(), appliedEntries: new Map(), leaders: [], nowMs: 0, action: 0, nextRequestId: 1, label: '' };
}

function signature(entry: Extract<QuorumEffect, { kind: 'applied' }>['entry']): string {
  const command = entry.command;
  return command.kind === 'noop' ? `${entry.term}:noop` : `${entry.term}:${command.originRegion}#${command.proposalId}:${command.key}=${command.value}`;
}

function step(group: Group, region: string, event: QuorumEvent): QuorumEffect[] {
  if (group.network.down.has(region)) return [];
  const { effects } = stepQuorum(group.members.get(region)!, event, group.nowMs);
  for (const effect of effects) {
    if (effect.kind === 'send') send(group.network, region, effect.to, effect.message);
    else if (effect.kind === 'became-leader') group.leaders.push(effect);
    else if (effect.kind === 'applied') recordApplied(group, effect);
    else recordOutcome(group, effect.reply);
  }
  return effects;
}

function recordApplied(group: Group, effect: Extract<QuorumEffect, { kind: 'applied' }>): void {
  const known = group.applied.get(effect.entry.index);
  const entry = signature(effect.entry);
  assert.ok(known === undefined || known === entry, `${group.label}: ${effect.region} applied ${entry} at ${effect.entry.index}, another member applied ${known}`);
  group.applied.set(effect.entry.index, entry);
  group.appliedEntries.set(effect.entry.index, effect.entry);
}

function recordOutcome(group: Group, reply: Extract<QuorumEffect, { kind: 'reply' }>['reply']): void {
  const request = group.requests.get(reply.requestId)!;
  if (!reply.ok) group.outcomes.push({ request, ok: false, code: reply.error.code, repliedAt: group.action });
  else if (reply.operation === 'write') group.outcomes.push({ request, ok: true, version: reply.version, repliedAt: group.action });
  else group.outcomes.push({ request, ok: true, version: reply.version, value: reply.value, repliedAt: group.action });
}

function request(group: Group, region: string, kind: 'write' | 'read', key: string, value?: string | null): QuorumEffect[] {
  const requestId = group.nextRequestId++;
  group.requests.set(requestId, { region, kind, key, value, issuedAt: group.action });
  const event: QuorumEvent = kind === 'write' ? { kind, requestId, key, value: value ?? null, dataClass: 'ledger' } : { kind, requestId, key };
  return step(group, region, event);
}

function deliverOne(group: Group): void {
  const envelope = takeRandom(group.network);
  if (envelope) step(group, envelope.to, { kind: 'receive', from: envelope.from, message: envelope.message });
}

function round(group: Group, advanceMs = 50): void {
  group.nowMs += advanceMs;
  for (const region of group.members.keys()) step(group, region, { kind: 'tick' });
  while (group.network.inFlight.length > 0) deliverOne(group);
}

function leaderOf(group: Group): QuorumMember | undefined {
  return [...group.members.values()].find((member) => member.role === 'leader' && !group.network.down.has(member.region));
}

function settled(group: Group): boolean {
  const leader = leaderOf(group);
  if (leader === undefined || group.network.inFlight.length > 0 || leader.commitIndex !== lastIndex(leader.log)) return false;
  return [...group.members.values()].every((member) => group.network.down.has(member.region) || member.lastApplied === leader.commitIndex);
}

function settle(group: Group, rounds = 400): void {
  for (let count = 0; count < rounds; count += 1) {
    if (settled(group)) return;
    round(group);
  }
  assert.fail(`${group.label}: no leader committed everything after ${rounds} rounds`);
}

const lastOutcome = (group: Group) => group.outcomes[group.outcomes.length - 1]!;

describe('strongly consistent group', () => {
  test('elects a leader; a write is acknowledged once a majority has it; any replica can read it strongly', () => {
    const group = createGroup(mulberry32(1));
    settle(group);
    const leader = leaderOf(group)!;
    const follower = US.find((region) => region !== leader.region)!;
    request(group, follower, 'write', 'account#1', '100');
    assert.equal(group.outcomes.length, 0, 'not acknowledged before the majority has it');
    settle(group);
    assert.deepEqual(lastOutcome(group), { request: group.requests.get(1), ok: true, version: 2, repliedAt: 0 });
    const other = US.find((region) => region !== leader.region && region !== follower)!;
    request(group, other, 'read', 'account#1');
    settle(group);
    assert.equal(lastOutcome(group).value, '100');
    for (const member of group.members.values()) assert.equal(readApplied(member, 'account#1').value, '100');
  });

  test('concurrent writes to one item from two Regions: one fails with ReplicatedWriteConflictException', () => {
    const group = createGroup(mulberry32(2));
    settle(group);
    const leader = leaderOf(group)!;
    const follower = US.find((region) => region !== leader.region)!;
    const effects = request(group, follower, 'write', 'account#1', 'from follower');
    request(group, leader.region, 'write', 'account#1', 'from leader');
    for (const effect of effects) if (effect.kind === 'send') step(group, effect.to, { kind: 'receive', from: follower, message: effect.message });
    settle(group);
    const failures = group.outcomes.filter((outcome) => !outcome.ok);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.code, 'REPLICATED_WRITE_CONFLICT');
    assert.equal(failures[0]!.request.region, follower);
    request(group, follower, 'write', 'account#1', 'retried');
    settle(group);
    assert.ok(lastOutcome(group).ok, 'the retry succeeds once the item is no longer being modified');
  });

  test('the conflict error has the DynamoDB shape', () => {
    const error = new ReplicatedWriteConflictError('k', 'us-east-2');
    assert.deepEqual([error.awsType, error.httpStatus, error.retryable, error.code], ['ReplicatedWriteConflictException', 400, true, 'REPLICATED_WRITE_CONFLICT']);
  });

  test('writes from the same Region serialize without conflict', () => {
    const group = createGroup(mulberry32(3));
    settle(group);
    const leader = leaderOf(group)!;
    request(group, leader.region, 'write', 'k', '1');
    request(group, leader.region, 'write', 'k', '2');
    settle(group);
    assert.deepEqual(group.outcomes.map((outcome) => outcome.ok), [true, true]);
    assert.equal(readApplied(leader, 'k').value, '2');
  });

  test('a member cut off from the majority refuses writes; the majority elects a leader and keeps writing', () => {
    const group = createGroup(mulberry32(4), { requestTimeoutMs: 500 });
    settle(group);
    const isolated = leaderOf(group)!.region;
    group.network.side.set(isolated, 1);
    request(group, isolated, 'write', 'k', 'doomed');
    for (let count = 0; count < 40; count += 1) round(group);
    assert.equal(group.members.get(isolated)!.role === 'leader', false, 'the isolated leader stepped down');
    assert.equal(group.outcomes[0]?.code, 'WRITE_OUTCOME_UNKNOWN');
    request(group, isolated, 'write', 'k', 'refused');
    assert.equal(lastOutcome(group).code, 'QUORUM_UNAVAILABLE');
    const majority = US.find((region) => region !== isolated)!;
    request(group, majority, 'write', 'k', 'majority');
    for (let count = 0; count < 10; count += 1) round(group);
    assert.ok(lastOutcome(group).ok);
    heal(group.network);
    settle(group);
    assert.equal(readApplied(group.members.get(isolated)!, 'k').value, 'majority', 'the isolated member never diverged');
  });

  test('a deposed leader that still believes in its majority does not serve a stale read', () => {
    const group = createGroup(mulberry32(11), { heartbeatIntervalMs: 50, electionTimeoutMs: 300 });
    settle(group);
    const old = leaderOf(group)!;
    request(group, old.region, 'write', 'k', 'old');
    settle(group);
    const others = US.filter((region) => region !== old.region);
    group.nowMs += 60;
    step(group, old.region, { kind: 'tick' });
    for (const heartbeat of group.network.inFlight.splice(0)) step(group, heartbeat.to, { kind: 'receive', from: heartbeat.from, message: heartbeat.message });
    const heldAnswers = group.network.inFlight.splice(0);
    assert.equal(heldAnswers.length, 2, 'both followers answered the heartbeat');
    group.network.side.set(old.region, 1);
    for (let count = 0; count < 40 && !others.some((region) => group.members.get(region)!.role === 'leader'); count += 1) {
      group.nowMs += 50;
      for (const region of others) step(group, region, { kind: 'tick' });
      while (group.network.inFlight.length > 0) deliverOne(group);
    }
    const successor = others.find((region) => group.members.get(region)!.role === 'leader')!;
    request(group, successor, 'write', 'k', 'new');
    for (let count = 0; count < 5; count += 1) {
      group.nowMs += 10;
      for (const region of others) step(group, region, { kind: 'tick' });
      while (group.network.inFlight.length > 0) deliverOne(group);
    }
    assert.ok(lastOutcome(group).ok, 'the majority committed a newer write');
    const [first, second] = heldAnswers;
    step(group, old.region, { kind: 'receive', from: first!.from, message: first!.message });
    assert.equal(group.members.get(old.region)!.role, 'leader', 'the old leader still believes it leads');
    request(group, old.region, 'read', 'k');
    step(group, old.region, { kind: 'receive', from: second!.from, message: second!.message });
    for (let count = 0; count < 10; count += 1) round(group);
    const read = lastOutcome(group);
    assert.equal(read.request.kind, 'read');
    assert.ok(!read.ok || read.value === 'new', `stale read: ${JSON.stringify(read)}`);
  });

  test('two replicas and a witness: the witness keeps the log but no table, and completes a majority', () => {
    const regions = ['eu-west-1', 'eu-west-2', 'eu-central-1'];
    const group = createGroup(mulberry32(5), { witness: 'eu-central-1' }, 0, 0, regions);
    settle(group);
    const leader = leaderOf(group)!;
    assert.notEqual(leader.region, 'eu-central-1', 'the witness never leads');
    const replica = regions.find((region) => region !== leader.region && region !== 'eu-central-1')!;
    group.network.down.add(replica);
    request(group, leader.region, 'write', 'k', 'v');
    settle(group);
    assert.ok(lastOutcome(group).ok, 'leader + witness are a majority');
    const witness = group.members.get('eu-central-1')!;
    assert.equal(witness.table.size, 0);
    assert.equal(lastIndex(witness.log), lastIndex(leader.log));
    assert.throws(() => request(group, 'eu-central-1', 'write', 'k', 'no'), /witness serves no requests/);
  });

  test('a restarted member keeps its log and table and catches up; a lagging one gets a snapshot', () => {
    const group = createGroup(mulberry32(6), { compactAfterEntries: 8 });
    settle(group);
    const leader = leaderOf(group)!;
    const lagging = US.find((region) => region !== leader.region)!;
    group.network.down.add(lagging);
    for (let index = 0; index < 30; index += 1) {
      request(group, leader.region, 'write', `k${index % 4}`, `v${index}`);
      round(group, 10);
    }
    assert.ok(leader.log.snapshotIndex > 0, 'the leader compacted its log');
    group.network.down.delete(lagging);
    restartQuorumMember(group.members.get(lagging)!, group.nowMs);
    settle(group);
    const member = group.members.get(lagging)!;
    assert.equal(member.stats.snapshotsInstalled, 1);
    assert.deepEqual([...member.table.entries()].sort(), [...leader.table.entries()].sort());
  });

  test('bounded: a leader refuses proposals past the pending limit', () => {
    const group = createGroup(mulberry32(7), { pendingRequestsMax: 3 });
    settle(group);
    const leader = leaderOf(group)!;
    group.network.faults.lossRate = 1;
    for (let index = 0; index < 4; index += 1) request(group, leader.region, 'write', `k${index}`, 'v');
    assert.equal(lastOutcome(group).code, 'PENDING_REQUESTS_FULL');
  });

  test('property: no acknowledged write is lost, conflicting writes never both succeed, reads see every earlier acknowledged write (250 seeds)', () => {
    for (let seed = 1; seed <= 250; seed += 1) runScenario(seed);
  });
});

function runScenario(seed: number): void {
  const random = mulberry32(seed);
  const witness = random.chance(0.4) ? US[random.nextInt(3)] : undefined;
  const group = createGroup(random, { witness, compactAfterEntries: 5 + random.nextInt(40), batchEntriesMax: 1 + random.nextInt(8), heartbeatIntervalMs: 50, electionTimeoutMs: 300, requestTimeoutMs: 1000 }, 0.1, 0.1);
  group.label = `seed ${seed}`;
  const replicas = US.filter((region) => region !== witness);
  for (group.action = 0; group.action < 700; group.action += 1) {
    group.nowMs += random.nextInt(25);
    const roll = random.nextFloat();
    if (roll < 0.02) injectFault(group, random);
    else if (roll < 0.15) {
      const region = replicas[random.nextInt(replicas.length)]!;
      if (!group.network.down.has(region)) request(group, region, random.chance(0.7) ? 'write' : 'read', `k${random.nextInt(3)}`, random.chance(0.1) ? null : `v${group.action}`);
    } else if (roll < 0.35) step(group, US[random.nextInt(3)]!, { kind: 'tick' });
    else deliverOne(group);
  }
  heal(group.network);
  for (const member of group.members.values()) if (group.network.down.has(member.region)) restartQuorumMember(member, group.nowMs);
  settle(group);
  const final = replicas[random.nextInt(replicas.length)]!;
  request(group, final, 'write', 'k0', 'final');
  settle(group);
  const finalOutcome = group.outcomes.find((outcome) => outcome.request === group.requests.get(group.nextRequestId - 1));
  assert.ok(finalOutcome?.ok, `${group.label}: the healed group does not take writes`);
  checkInvariants(group, replicas);
}

/** At most one member is faulty at a time: crash one (it restarts later), cut one off, or heal. */
function injectFault(group: Group, random: TestRandom): void {
  const faulty = [...group.network.down, ...group.network.side.keys()];
  if (faulty.length > 0) {
    for (const region of group.network.down) restartQuorumMember(group.members.get(region)!, group.nowMs);
    group.network.down.clear();
    group.network.side.clear();
    return;
  }
  const region = US[random.nextInt(3)]!;
  if (random.chance(0.5)) group.network.down.add(region);
  else group.network.side.set(region, 1);
}

function checkInvariants(group: Group, replicas: readonly string[]): void {
  const label = group.label;
  const writes = group.outcomes.filter((outcome) => outcome.ok && outcome.request.kind === 'write');
  for (const write of writes) {
    const entry = group.appliedEntries.get(write.version!);
    const command = entry?.command;
    assert.ok(command?.kind === 'write' && command.originRegion === write.request.region && command.key === write.request.key && command.value === (write.request.value ?? null), `${label}: acknowledged write at ${write.version} was lost or replaced`);
  }
  const committed = [...group.appliedEntries.values()].filter((entry) => entry.command.kind === 'write');
  for (const entry of committed) {
    const command = entry.command as Extract<typeof entry.command, { kind: 'write' }>;
    const unseen = committed.find((other) => {
      const otherCommand = other.command as typeof command;
      return otherCommand.key === command.key && otherCommand.originRegion !== command.originRegion && other.index > command.baseVersion && other.index < entry.index;
    });
    assert.equal(unseen, undefined, `${label}: write at ${entry.index} committed over a concurrent write from another Region at ${unseen?.index}`);
  }
  for (const a of writes) {
    for (const b of writes) {
      if (a.request.key !== b.request.key || a.request.region === b.request.region || a.version! >= b.version!) continue;
      const later = group.appliedEntries.get(b.version!)!.command as { baseVersion: number };
      assert.ok(later.baseVersion >= a.version!, `${label}: two concurrent writes to ${a.request.key} from two Regions both succeeded`);
    }
  }
  for (const read of group.outcomes.filter((outcome) => outcome.ok && outcome.request.kind === 'read')) {
    const before = writes.filter((write) => write.request.key === read.request.key && write.repliedAt < read.request.issuedAt);
    const newest = Math.max(0, ...before.map((write) => write.version!));
    assert.ok(read.version! >= newest, `${label}: a strong read returned version ${read.version} after version ${newest} was acknowledged`);
  }
  const tables = replicas.map((region) => JSON.stringify([...group.members.get(region)!.table.entries()].sort()));
  assert.ok(tables.every((table) => table === tables[0]), `${label}: replicas differ after healing`);
}
