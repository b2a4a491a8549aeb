import type { Random } from '../random.ts';
import { invariant } from './routing-errors.ts';

/**
 * The few random choices the traffic layer makes, each from explicit draws of the injected Random so a
 * seed replays every answer. Every function draws a known number of times, which keeps runs comparable
 * when one policy is swapped for another.
 */

function draw(random: Random): number {
  const value = random.nextFloat();
  invariant(value >= 0 && value < 1, `Random.nextFloat() must be in [0, 1), got ${value}`);
  return value;
}

/** A uniform index in [0, count), from one draw. */
export function pickIndexUniform(count: number, random: Random): number {
  invariant(Number.isInteger(count) && count > 0, `pickIndexUniform needs a positive count, got ${count}`);
  return Math.min(count - 1, Math.floor(draw(random) * count));
}

/** An index chosen with probability weight / total, from one draw. Zero weights are never chosen. */
export function pickIndexByWeight(weights: readonly number[], random: Random): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  invariant(total > 0 && weights.every((weight) => weight >= 0), 'pickIndexByWeight needs non-negative weights with a positive sum');
  const point = draw(random) * total;
  let cumulative = 0;
  let lastPositive = 0;
  for (let index = 0; index < weights.length; index++) {
    if (weights[index]! <= 0) continue;
    cumulative += weights[index]!;
    lastPositive = index;
    if (point < cumulative) return index;
  }
  // Rounding can leave `point` a hair above the last cumulative sum; the last eligible index owns it.
  return lastPositive;
}

/**
 * The first `count` items of a uniformly random permutation (a partial Fisher–Yates shuffle), drawing
 * exactly min(count, items.length) times. Order matters: DNS clients usually try the first address.
 */
export function shuffledPrefix<T>(items: readonly T[], count: number, random: Random): T[] {
  invariant(Number.isInteger(count) && count >= 0, `shuffledPrefix needs a non-negative count, got ${count}`);
  const pool = [...items];
  const taken = Math.min(count, pool.length);
  for (let index = 0; index < taken; index++) {
    const swapWith = index + Math.min(pool.length - index - 1, Math.floor(draw(random) * (pool.length - index)));
    [pool[index], pool[swapWith]] = [pool[swapWith]!, pool[index]!];
  }
  return pool.slice(0, taken);
}
