import { getRandomValues } from 'node:crypto';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import type { Random } from '../../core/random.ts';

/**
 * The simulator's source of randomness: one decimal seed for the whole run, and a named stream per
 * subsystem forked from it.
 *
 * A stream's state is a hash of the seed and its label path, never a draw from its parent: forking
 * `network` does not consume anything from the root, and adding a `chaos` stream later does not shift
 * the numbers `network` sees. So a run replays bit for bit from its seed, and stays comparable when the
 * model grows.
 *
 * The generator is pure-rand's xoroshiro128+ (mutable, so no allocation per draw), seeded through
 * SplitMix64 as its authors recommend, so that neighbouring seeds give unrelated streams.
 */

/** Seeds are integers 0 … 2^53 − 1, so that they print and parse as plain decimal numbers. */
export const SEED_MAX = Number.MAX_SAFE_INTEGER;

/** A `--seed` value that is not a decimal integer in range. */
export class SeedFormatError extends Error {
  readonly code = 'SEED_FORMAT';
  constructor(readonly text: string) {
    super(`seed must be a decimal integer from 0 to ${SEED_MAX}, got ${JSON.stringify(text)}`);
    this.name = 'SeedFormatError';
  }
}

export function isSeed(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Reads a seed as the user typed it (`--seed 42`). */
export function parseSeed(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,16}$/.test(trimmed)) throw new SeedFormatError(text);
  const seed = Number(trimmed);
  if (!isSeed(seed)) throw new SeedFormatError(text);
  return seed;
}

/** A fresh seed for a run started without `--seed`; the caller prints it so the run can be replayed. */
export function randomSeed(): number {
  const [high, low] = getRandomValues(new Uint32Array(2));
  return (high! % 2 ** 21) * 2 ** 32 + low!;
}

const MASK_64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** The SplitMix64 finaliser: a bijection on 64 bits with full avalanche. */
function mix64(value: bigint): bigint {
  let z = value & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/** FNV-1a over the label's UTF-8 bytes, so a label means the same stream on every platform. */
function hashLabel(label: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(label)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK_64;
  }
  return hash;
}

/** Two SplitMix64 outputs from the key: consecutive outputs differ, so the state is never all zero. */
function generatorFromKey(key: bigint): JumpableRandomGenerator {
  const first = mix64(key + GOLDEN_GAMMA);
  const second = mix64(key + 2n * GOLDEN_GAMMA);
  const words = [first >> 32n, first & 0xffffffffn, second >> 32n, second & 0xffffffffn].map((word) => Number(BigInt.asIntN(32, word)));
  return xoroshiro128plusFromState(words);
}

/** 2^-53: turns a 53-bit integer into a float in [0, 1). */
const FLOAT_PER_UNIT = 1 / 2 ** 53;
const HIGH_PART_SCALE = 2 ** 26;

export class SeededRandom implements Random {
  private readonly generator: JumpableRandomGenerator;

  private constructor(
    /** The run's seed, shared by every stream forked from it. */
    readonly seed: number,
    /** Labels from the root, joined by `/` (`network/eu-west-1`); empty for the root stream. */
    readonly path: string,
    private readonly key: bigint,
  ) {
    this.generator = generatorFromKey(key);
  }

  static fromSeed(seed: number): SeededRandom {
    if (!isSeed(seed)) throw new SeedFormatError(String(seed));
    return new SeededRandom(seed, '', mix64(BigInt(seed)));
  }

  /** An independent stream for a subsystem; the same label always gives the same stream. */
  fork(label: string): SeededRandom {
    // A slash would make two different streams print the same path (`a/b` forked once, or `a` then `b`).
    if (label.length === 0 || label.includes('/')) throw new RangeError(`SeededRandom.fork: a label must be non-empty and without '/', got ${JSON.stringify(label)}`);
    const childKey = mix64(this.key ^ mix64(hashLabel(label)));
    return new SeededRandom(this.seed, this.path === '' ? label : `${this.path}/${label}`, childKey);
  }

  /**
   * A float in [0, 1) with 53 random bits. It takes the high 27 and 26 bits of two outputs, because the
   * lowest bits of xoroshiro128+ are its weakest.
   */
  nextFloat(): number {
    const high = this.generator.next() >>> 5;
    const low = this.generator.next() >>> 6;
    return (high * HIGH_PART_SCALE + low) * FLOAT_PER_UNIT;
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    return this.generator.next() >>> 0;
  }

  /** How to name this stream in a failure message: `seed 42, stream network/eu-west-1`. */
  describe(): string {
    return `seed ${this.seed}, stream ${this.path === '' ? '(root)' : this.path}`;
  }
}
