/**
 * A source of uniform numbers in [0, 1). Core logic never calls Math.random: whoever drives it (the
 * simulator with a seeded generator, the lab with its own) passes one in, so a seed replays a run.
 */
export interface Random {
  nextFloat(): number;
}
