/**
 * Toxics, as in Toxiproxy's API: named faults on a link's stream, which compose into the link's
 * LinkFaults. `upstream` is client → target, `downstream` target → client (Toxiproxy's default), and
 * Meridian adds `both`. Types: `latency` {latency, jitter} ms, `bandwidth` {rate} KB/s (1 KB = 1000 bytes,
 * as Toxiproxy) or {bytesPerSecond}, `partition` {mode: hold | drop}, `reset_peer` {} (new connections are
 * reset with probability `toxicity`). Several toxics stack: latencies add, the lowest bandwidth wins, drop
 * beats hold, reset probabilities combine as independent draws.
 */
import { z } from 'zod';
import { LinkConfigError } from './link-errors.ts';
import { DELAY_MS_MAX, DIRECTIONS, type Direction, type DirectionFaults, type LinkFaultsInput } from './link-faults.ts';
import { parseInput } from './input-errors.ts';

export const TOXIC_TYPES = ['latency', 'bandwidth', 'partition', 'reset_peer'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];
export type ToxicStream = Direction | 'both';

export interface Toxic {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: ToxicStream;
  /** Probability per new connection; below 1 only for reset_peer. */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number | string>>;
}

/** Toxics on one link; more is a script gone wrong. */
export const TOXICS_PER_LINK_MAX = 64;
const BYTES_PER_KILOBYTE = 1000;
const delayMs = z.number().min(0).max(DELAY_MS_MAX);

const attributeSchemas: Record<ToxicType, z.ZodType<Record<string, number | string>>> = {
  latency: z.strictObject({ latency: delayMs, jitter: delayMs.default(0) }),
  bandwidth: z
    .strictObject({ rate: z.number().positive().optional(), bytesPerSecond: z.number().min(1).optional() })
    .refine((value) => (value.rate === undefined) !== (value.bytesPerSecond === undefined), {
      message: 'give exactly one of rate (KB/s) or bytesPerSecond',
      path: ['rate'],
    }) as z.ZodType<Record<string, number>>,
  partition: z.strictObject({ mode: z.enum(['hold', 'drop']).default('hold') }),
  reset_peer: z.strictObject({}),
};

const toxicNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits or . _ -');

export const toxicCreateSchema = z.strictObject({
  name: toxicNameSchema.optional(),
  type: z.enum(TOXIC_TYPES),
  stream: z.enum(['upstream', 'downstream', 'both']).default('downstream'),
  toxicity: z.number().min(0).max(1).default(1),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type ToxicCreateInput = z.input<typeof toxicCreateSchema>;

export const toxicUpdateSchema = z.strictObject({
  toxicity: z.number().min(0).max(1).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type ToxicUpdateInput = z.input<typeof toxicUpdateSchema>;

function checkedToxic(name: string, type: ToxicType, stream: ToxicStream, toxicity: number, attributes: unknown): Toxic {
  if (toxicity < 1 && type !== 'reset_peer') {
    throw new LinkConfigError('toxicity', `only reset_peer applies per connection; a ${type} toxic needs toxicity 1`);
  }
  const parsed = parseInput(attributeSchemas[type], attributes, 'attributes');
  return Object.freeze({ name, type, stream, toxicity, attributes: Object.freeze({ ...parsed }) });
}

/** Validates a new toxic; its name defaults to `<type>_<stream>` as in Toxiproxy. */
export function createToxic(input: unknown): Toxic {
  const parsed = parseInput(toxicCreateSchema, input);
  return checkedToxic(parsed.name ?? `${parsed.type}_${parsed.stream}`, parsed.type, parsed.stream, parsed.toxicity, parsed.attributes);
}

/** Applies an update: toxicity replaced, attributes merged over the current ones, then checked again. */
export function updateToxic(current: Toxic, input: unknown): Toxic {
  const parsed = parseInput(toxicUpdateSchema, input);
  const attributes = { ...current.attributes, ...(parsed.attributes ?? {}) };
  return checkedToxic(current.name, current.type, current.stream, parsed.toxicity ?? current.toxicity, attributes);
}

interface DirectionAccumulator {
  extraLatencyMs: number;
  extraJitterMs: number;
  bandwidthBytesPerSecond: number | null;
  partition: DirectionFaults['partition'];
}

function applyToDirection(toxic: Toxic, direction: DirectionAccumulator): void {
  const attributes = toxic.attributes;
  if (toxic.type === 'latency') {
    direction.extraLatencyMs += Number(attributes.latency);
    direction.extraJitterMs += Number(attributes.jitter ?? 0);
  } else if (toxic.type === 'bandwidth') {
    const bytesPerSecond = attributes.bytesPerSecond !== undefined ? Number(attributes.bytesPerSecond) : Number(attributes.rate) * BYTES_PER_KILOBYTE;
    direction.bandwidthBytesPerSecond = Math.min(direction.bandwidthBytesPerSecond ?? Infinity, bytesPerSecond);
  } else if (toxic.type === 'partition') {
    direction.partition = attributes.mode === 'drop' || direction.partition === 'drop' ? 'drop' : 'hold';
  }
}

/** The faults a set of toxics amounts to. */
export function faultsFromToxics(toxics: Iterable<Toxic>): LinkFaultsInput {
  const directions: Record<Direction, DirectionAccumulator> = {
    upstream: { extraLatencyMs: 0, extraJitterMs: 0, bandwidthBytesPerSecond: null, partition: 'none' },
    downstream: { extraLatencyMs: 0, extraJitterMs: 0, bandwidthBytesPerSecond: null, partition: 'none' },
  };
  let passProbability = 1;
  for (const toxic of toxics) {
    if (toxic.type === 'reset_peer') passProbability *= 1 - toxic.toxicity;
    for (const direction of DIRECTIONS) {
      if (toxic.stream === direction || toxic.stream === 'both') applyToDirection(toxic, directions[direction]);
    }
  }
  return { upstream: directions.upstream, downstream: directions.downstream, resetProbability: 1 - passProbability };
}
