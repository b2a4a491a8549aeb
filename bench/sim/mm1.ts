/**
 * The M/M/1 queue in Meridian's engine and in SimPy 2, side by side.
 *
 * Both simulate the same queue (λ = 0.9, μ = 1.0, 500 000 customers by default, a fixed seed) and
 * report simulated customers per second of wall time and their mean wait against the closed form. The
 * run fails (exit 1) when either engine's mean wait in queue or mean time in system is more than 3 %
 * from theory, or when SimPy cannot be run; speed is reported, never judged, because it depends on
 * the machine.
 *
 *   node --import tsx bench/sim/mm1.ts [--customers 500000] [--seed 2] [--repeats 3]
 *                                      [--python /usr/bin/python3] [--simpy-timeout-seconds 300]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { runMm1, mm1Theory, type Mm1Theory } from '../../src/sim/engine/mm1-queue.ts';
import { SeededRandom, parseSeed } from '../../src/sim/engine/seeded-random.ts';
import { textTable } from '../../src/report/text-table.ts';
import { EXIT_BAD_USAGE, errorMessage, formatRate, median, positiveInteger } from './bench-args.ts';

const ARRIVAL_RATE = 0.9;
const SERVICE_RATE = 1.0;
const TOLERANCE = 0.03;
const RATIO_GOAL = 20;
const SIMPY_SCRIPT = fileURLToPath(new URL('./mm1_simpy.py', import.meta.url));

interface BenchOptions {
  readonly customers: number;
  readonly seed: number;
  readonly repeats: number;
  readonly python: string;
  readonly simpyTimeoutSeconds: number;
}

interface EngineRun {
  readonly engine: string;
  readonly customers: number;
  readonly wallSeconds: number;
  readonly meanWaitInQueue: number;
  readonly meanTimeInSystem: number;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '500000' },
      seed: { type: 'string', default: '2' },
      repeats: { type: 'string', default: '3' },
      python: { type: 'string', default: '/usr/bin/python3' },
      'simpy-timeout-seconds': { type: 'string', default: '300' },
    },
  });
  return {
    customers: positiveInteger(values.customers, '--customers', 20_000_000),
    seed: parseSeed(values.seed),
    repeats: positiveInteger(values.repeats, '--repeats', 20),
    python: values.python,
    simpyTimeoutSeconds: positiveInteger(values['simpy-timeout-seconds'], '--simpy-timeout-seconds', 3600),
  };
}

/**
 * Runs the engine `repeats` times on the same seed and keeps the median time, so one slow run (a JIT
 * warm-up, a noisy neighbour) does not decide the figure. Every repeat must give the same means: that
 * is the engine's determinism, checked on the way.
 */
function runMeridian(options: BenchOptions): EngineRun {
  const wallSeconds: number[] = [];
  const means = new Set<string>();
  let last: ReturnType<typeof runMm1> | undefined;
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    const started = performance.now();
    last = runMm1({
      arrivalRatePerMs: ARRIVAL_RATE,
      serviceRatePerMs: SERVICE_RATE,
      customers: options.customers,
      random: SeededRandom.fromSeed(options.seed),
    });
    wallSeconds.push((performance.now() - started) / 1000);
    means.add(`${last.meanWaitInQueueMs} ${last.meanTimeInSystemMs}`);
  }
  if (means.size !== 1) throw new Error(`the same seed gave different results across repeats: ${[...means].join(', ')}`);
  return {
    engine: `Meridian (median of ${options.repeats})`,
    customers: last!.customers,
    wallSeconds: median(wallSeconds),
    meanWaitInQueue: last!.meanWaitInQueueMs,
    meanTimeInSystem: last!.meanTimeInSystemMs,
  };
}

/** SimPy runs once, in its own process, killed if it outlives its time bound. */
function runSimPy(options: BenchOptions): EngineRun {
  const args = [SIMPY_SCRIPT, '--customers', String(options.customers), '--seed', String(options.seed)];
  args.push('--arrival-rate', String(ARRIVAL_RATE), '--service-rate', String(SERVICE_RATE));
  const result = spawnSync(options.python, args, { encoding: 'utf8', timeout: options.simpyTimeoutSeconds * 1000, killSignal: 'SIGKILL' });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (timedOut) throw new Error(`SimPy did not finish within ${options.simpyTimeoutSeconds} s and was killed`);
  if (result.error) throw new Error(`could not run SimPy with ${options.python}: ${result.error.message}`);
  if (result.signal) throw new Error(`SimPy was killed by ${result.signal}`);
  if (result.status !== 0) throw new Error(`SimPy failed (exit ${result.status}): ${result.stderr.trim()}`);
  const report = JSON.parse(result.stdout) as Omit<EngineRun, 'engine'>;
  return { engine: 'SimPy 2 (1 run)', ...report };
}

/**
 * One standard deviation of the mean wait in queue over `customers` customers, from its asymptotic
 * variance ρ(2 + 5ρ − 4ρ² + ρ³) / (μ²(1 − ρ)⁴) (Daley 1968). At ρ = 0.9 the customers' waits are so
 * correlated that 500 000 of them pin the mean only to about ±3 %: the 3 % bound is a check on gross
 * errors, not a fine one, and this figure is printed so that nobody reads more into it.
 */
function meanWaitStandardError(theory: Mm1Theory, customers: number): number {
  const rho = theory.utilisation;
  const variance = (rho * (2 + 5 * rho - 4 * rho ** 2 + rho ** 3)) / (SERVICE_RATE ** 2 * (1 - rho) ** 4);
  return Math.sqrt(variance / customers) / theory.meanWaitInQueueMs;
}

function deviation(measured: number, expected: number): number {
  return measured / expected - 1;
}

function formatDeviation(fraction: number): string {
  const mark = Math.abs(fraction) > TOLERANCE ? ' ✗' : '';
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)} %${mark}`;
}

function renderTable(runs: readonly EngineRun[], theory: Mm1Theory): string {
  const versus = (value: number): string => `vs ${value.toFixed(1)}`;
  const header = ['engine', 'customers', 'wall s', 'customers/s', 'mean Wq', versus(theory.meanWaitInQueueMs), 'mean W', versus(theory.meanTimeInSystemMs)];
  const rows = runs.map((run) => [
    run.engine,
    String(run.customers),
    run.wallSeconds.toFixed(3),
    formatRate(run.customers / run.wallSeconds),
    run.meanWaitInQueue.toFixed(3),
    formatDeviation(deviation(run.meanWaitInQueue, theory.meanWaitInQueueMs)),
    run.meanTimeInSystem.toFixed(3),
    formatDeviation(deviation(run.meanTimeInSystem, theory.meanTimeInSystemMs)),
  ]);
  return textTable(header, rows);
}

function withinTolerance(run: EngineRun, theory: Mm1Theory): boolean {
  return (
    Math.abs(deviation(run.meanWaitInQueue, theory.meanWaitInQueueMs)) <= TOLERANCE &&
    Math.abs(deviation(run.meanTimeInSystem, theory.meanTimeInSystemMs)) <= TOLERANCE
  );
}

function main(): number {
  let options: BenchOptions;
  try {
    options = readOptions();
  } catch (error) {
    console.error(`mm1 bench: ${errorMessage(error)}`);
    return EXIT_BAD_USAGE;
  }
  const theory = mm1Theory(ARRIVAL_RATE, SERVICE_RATE);
  console.log(`M/M/1, λ = ${ARRIVAL_RATE}, μ = ${SERVICE_RATE}, ρ = ${theory.utilisation}, ${options.customers} customers, seed ${options.seed}`);
  console.log(`theory: Wq = ρ/(μ−λ) = ${theory.meanWaitInQueueMs.toFixed(3)}, W = 1/(μ−λ) = ${theory.meanTimeInSystemMs.toFixed(3)}`);
  const runs = [runMeridian(options), runSimPy(options)];
  console.log(`\n${renderTable(runs, theory)}\n`);
  const [meridian, simpy] = runs.map((run) => run.customers / run.wallSeconds) as [number, number];
  const ratio = meridian / simpy;
  console.log(`Meridian / SimPy: ${ratio.toFixed(1)}x customers per second (goal ≥ ${RATIO_GOAL}x: ${ratio >= RATIO_GOAL ? 'met' : 'NOT met'})`);
  const standardErrorPercent = (meanWaitStandardError(theory, options.customers) * 100).toFixed(1);
  console.log(`statistical error of a mean wait at ${options.customers} customers: ±${standardErrorPercent} % (1 σ); bound ±${TOLERANCE * 100} %`);
  const failing = runs.filter((run) => !withinTolerance(run, theory));
  for (const run of failing) console.error(`FAIL: ${run.engine} is more than ${TOLERANCE * 100} % from theory`);
  return failing.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`mm1 bench: ${errorMessage(error)}`);
  process.exitCode = 1;
}
