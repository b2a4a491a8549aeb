import type { Random } from '../../random.ts';

/**
 * Test support, not product code: a seeded generator and a hostile network for the property tests of the
 * replication protocols. Messages in flight are delivered in a random order (not FIFO), may be dropped or
 * duplicated, and are lost when either end is down or the two ends are on different sides of a partition.
 * Everything is driven by one seed, so a failing seed replays exactly.
 */

/** mulberry32: a tiny 32-bit generator, good enough to shuffle test schedules and replayable from its seed. */
export function mulberry32(seed: number): Random & { nextInt(maxExclusive: number): number; chance(probability: number): boolean } {
  let state = seed >>> 0;
  const nextFloat = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    nextFloat,
    nextInt: (maxExclusive) => Math.floor(nextFloat() * maxExclusive),
    chance: (probability) => nextFloat() < probability,
  };
}

export type TestRandom = ReturnType<typeof mulberry32>;

export interface Envelope<Message> {
  readonly from: string;
  readonly to: string;
  readonly message: Message;
}

export interface NetworkFaults {
  /** Share of sent messages dropped. */
  lossRate: number;
  /** Share of sent messages delivered twice. */
  duplicateRate: number;
}

export interface AdversarialNetwork<Message> {
  readonly random: TestRandom;
  readonly faults: NetworkFaults;
  readonly inFlight: Envelope<Message>[];
  /** Members that are down: they neither send nor receive. */
  readonly down: Set<string>;
  /** Partition side per member; members on different sides cannot talk. Absent = side 0. */
  readonly side: Map<string, number>;
  delivered: number;
}

export function createNetwork<Message>(random: TestRandom, faults: NetworkFaults): AdversarialNetwork<Message> {
  return { random, faults: { ...faults }, inFlight: [], down: new Set(), side: new Map(), delivered: 0 };
}

function connected(network: AdversarialNetwork<unknown>, from: string, to: string): boolean {
  if (network.down.has(from) || network.down.has(to)) return false;
  return (network.side.get(from) ?? 0) === (network.side.get(to) ?? 0);
}

export function send<Message>(network: AdversarialNetwork<Message>, from: string, to: string, message: Message): void {
  if (network.random.chance(network.faults.lossRate)) return;
  network.inFlight.push({ from, to, message });
  if (network.random.chance(network.faults.duplicateRate)) network.inFlight.push({ from, to, message });
}

/** Takes one message in flight, chosen at random; undefined when it was lost (or nothing is in flight). */
export function takeRandom<Message>(network: AdversarialNetwork<Message>): Envelope<Message> | undefined {
  if (network.inFlight.length === 0) return undefined;
  const index = network.random.nextInt(network.inFlight.length);
  const envelope = network.inFlight[index]!;
  network.inFlight[index] = network.inFlight[network.inFlight.length - 1]!;
  network.inFlight.pop();
  if (!connected(network, envelope.from, envelope.to)) return undefined;
  network.delivered += 1;
  return envelope;
}

/** Ends every fault: nothing is lost or duplicated any more, everyone is up and on one side. */
export function heal(network: AdversarialNetwork<unknown>): void {
  network.faults.lossRate = 0;
  network.faults.duplicateRate = 0;
  network.down.clear();
  network.side.clear();
}
