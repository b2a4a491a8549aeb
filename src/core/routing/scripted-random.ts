import type { Random } from '../random.ts';
import { invariant } from './routing-errors.ts';

/**
 * A Random that replays a fixed list of draws, cycling when it runs out. Tests and the shared
 * routing-policy cases use it so an expected answer can name the exact draws that produce it, and so the
 * live router can replay the same cases later.
 */
export function scriptedRandom(draws: readonly number[]): Random & { readonly drawsTaken: () => number } {
  invariant(draws.length > 0, 'scriptedRandom needs at least one draw');
  invariant(draws.every((value) => value >= 0 && value < 1), 'scripted draws must be in [0, 1)');
  let taken = 0;
  return {
    nextFloat: () => draws[taken++ % draws.length]!,
    drawsTaken: () => taken,
  };
}

/** An evenly spread, deterministic sequence: (offset + k/period) mod 1 for k = 0, 1, 2, ... */
export function counterRandom(period: number, offset = 0): Random {
  invariant(Number.isInteger(period) && period > 0, `counterRandom needs a positive integer period, got ${period}`);
  let counter = 0;
  return {
    nextFloat: () => {
      const value = (offset + (counter % period) / period) % 1;
      counter++;
      return value;
    },
  };
}
