/**
 * GetItem and PutItem throughput and latency of one Meridian data node against dynalite, with the same
 * workload and the same load client, each server in its own process.
 *
 *   node --import tsx bench/data/dynamodb-throughput.ts [--duration-seconds 5] [--warmup-seconds 1]
 *        [--rounds 3] [--connections 64] [--items 10000] [--dynalite-storage disk|memory]
 *
 * Both servers start, each gets a table with `items` items (~100 bytes each); then, for PutItem and
 * GetItem, `rounds` rounds that run the two servers one after the other (a warm-up, then a measured
 * run of fixed duration with `connections` keep-alive connections, one request outstanding on each).
 * Alternating spreads the noise of a shared machine over both; the round with the median throughput
 * is reported per server. Prints requests/s, p50 and p99 latency, errors, the CPU share (of one core)
 * of the load client and of the server, the server's CPU time per request, then the Meridian/dynalite
 * ratios. Exit 0 when every answer was right, 1 when any was not or a server failed, 2 for a bad
 * option. Speed is reported, never judged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { textTable } from '../../src/report/text-table.ts';
import { EXIT_BAD_USAGE, errorMessage, formatRate, positiveInteger } from '../sim/bench-args.ts';
import { call, quantile, runLoad, type LoadResult } from './load-client.ts';
import { startServerProcess, type ServerProcess } from '../../src/lab/server-process.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MERIDIAN_MAIN = join(REPO_ROOT, 'src/lab/data/data-node-main.ts');
const DYNALITE_MAIN = join(REPO_ROOT, 'bench/data/dynalite-main.ts');
const TABLE = 'bench';
const RATIO_GOAL = 2;
const ACTIVE_POLLS_MAX = 100;
const PAYLOAD = 'x'.repeat(64);

interface BenchOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly rounds: number;
  readonly connections: number;
  readonly items: number;
  readonly dynaliteStorage: 'disk' | 'memory';
}

interface Measurement {
  readonly server: string;
  readonly operation: 'PutItem' | 'GetItem';
  readonly result: LoadResult;
  /** CPU the server process used during the measured run. */
  readonly serverCpuMs: number;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      'duration-seconds': { type: 'string', default: '5' },
      'warmup-seconds': { type: 'string', default: '1' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      items: { type: 'string', default: '10000' },
      'dynalite-storage': { type: 'string', default: 'disk' },
    },
  });
  const storage = values['dynalite-storage'];
  if (storage !== 'disk' && storage !== 'memory') throw new RangeError(`--dynalite-storage must be disk or memory, got ${JSON.stringify(storage)}`);
  return {
    durationMs: positiveInteger(values['duration-seconds'], '--duration-seconds', 120) * 1000,
    warmupMs: positiveInteger(values['warmup-seconds'], '--warmup-seconds', 30) * 1000,
    rounds: positiveInteger(values.rounds, '--rounds', 20),
    connections: positiveInteger(values.connections, '--connections', 256),
    items: positiveInteger(values.items, '--items', 1_000_000),
    dynaliteStorage: storage,
  };
}

function itemBody(key: string, index: number): object {
  return { TableName: TABLE, Item: { pk: { S: key }, payload: { S: PAYLOAD }, n: { N: String(index) } } };
}

/** Creates the table and waits until it is ACTIVE (dynalite flips its status on a timer). */
async function createTable(pool: Pool): Promise<void> {
  const created = await call(pool, 'DynamoDB_20120810.CreateTable', {
    TableName: TABLE,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  if (created.status !== 200) throw new Error(`CreateTable failed: ${created.status} ${created.text}`);
  for (let poll = 0; poll < ACTIVE_POLLS_MAX; poll++) {
    const described = await call(pool, 'DynamoDB_20120810.DescribeTable', { TableName: TABLE });
    if (described.status === 200 && described.text.includes('"ACTIVE"')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the table did not become ACTIVE');
}

/** Writes every GetItem target once, `connections` at a time. */
async function preload(pool: Pool, options: BenchOptions): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.items) {
      const index = next++;
      const answer = await call(pool, 'DynamoDB_20120810.PutItem', itemBody(`item-${index}`, index));
      if (answer.status !== 200) throw new Error(`preload PutItem failed: ${answer.status} ${answer.text}`);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
}

interface Workload {
  readonly operation: 'PutItem' | 'GetItem';
  readonly bodies: readonly Buffer[];
  readonly readBody: boolean;
  readonly accept: (status: number, body: string) => boolean;
}

interface Target {
  readonly name: string;
  readonly server: ServerProcess;
  readonly pool: Pool;
}

function workloads(options: BenchOptions): Workload[] {
  const indexes = Array.from({ length: options.items }, (_, index) => index);
  return [
    {
      operation: 'PutItem',
      bodies: indexes.map((index) => Buffer.from(JSON.stringify(itemBody(`put-${index}`, index)))),
      readBody: false,
      accept: (status) => status === 200,
    },
    {
      operation: 'GetItem',
      bodies: indexes.map((index) => Buffer.from(JSON.stringify({ TableName: TABLE, Key: { pk: { S: `item-${index}` } } }))),
      readBody: true,
      accept: (status, body) => status === 200 && body.includes('"Item"'),
    },
  ];
}

/** A warm-up, then one measured run, with the server's CPU read around the measured part. */
async function measureOnce(target: Target, workload: Workload, options: BenchOptions): Promise<Measurement> {
  const load = {
    pool: target.pool,
    target: `DynamoDB_20120810.${workload.operation}`,
    bodies: workload.bodies,
    connections: options.connections,
    accept: workload.accept,
    readBody: workload.readBody,
  };
  await runLoad({ ...load, durationMs: options.warmupMs });
  const serverCpuBefore = target.server.cpuMs();
  const result = await runLoad({ ...load, durationMs: options.durationMs });
  const serverCpuMs = target.server.cpuMs() - serverCpuBefore;
  console.error(`  ${target.name} ${workload.operation}: ${formatRate((result.requests / result.wallMs) * 1000)} requests/s`);
  return { server: target.name, operation: workload.operation, result, serverCpuMs };
}

/** Runs every workload `rounds` times on each target, alternating targets; keeps the median round of each. */
async function measureAll(targets: readonly Target[], options: BenchOptions): Promise<Measurement[]> {
  const kept: Measurement[] = [];
  for (const workload of workloads(options)) {
    const rounds = new Map<string, Measurement[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const target of targets) rounds.get(target.name)!.push(await measureOnce(target, workload, options));
    }
    for (const target of targets) kept.push(medianRound(rounds.get(target.name)!));
  }
  return kept;
}

function medianRound(measurements: readonly Measurement[]): Measurement {
  const rate = (measurement: Measurement): number => measurement.result.requests / measurement.result.wallMs;
  const sorted = [...measurements].sort((a, b) => rate(a) - rate(b));
  const errors = measurements.reduce((sum, measurement) => sum + measurement.result.errors, 0);
  const median = sorted[sorted.length >> 1]!;
  return { ...median, result: { ...median.result, errors } };
}

function renderTable(measurements: readonly Measurement[]): string {
  const header = ['server', 'operation', 'requests', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'client CPU', 'server CPU', 'server µs/request'];
  const rows = measurements.map(({ server, operation, result, serverCpuMs }) => [
    server,
    operation,
    String(result.requests),
    formatRate((result.requests / result.wallMs) * 1000),
    quantile(result.latenciesMs, 0.5).toFixed(3),
    quantile(result.latenciesMs, 0.99).toFixed(3),
    String(result.errors),
    `${((result.clientCpuMs / result.wallMs) * 100).toFixed(0)} %`,
    `${((serverCpuMs / result.wallMs) * 100).toFixed(0)} %`,
    ((serverCpuMs * 1000) / result.requests).toFixed(0),
  ]);
  return textTable(header, rows);
}

function cpuPerRequest(measurements: readonly Measurement[], server: string, operation: string): number {
  const measurement = measurements.find((m) => m.server === server && m.operation === operation)!;
  return measurement.serverCpuMs / measurement.result.requests;
}

function renderRatios(measurements: readonly Measurement[]): string[] {
  const lines: string[] = [];
  for (const operation of ['PutItem', 'GetItem'] as const) {
    const [meridian, dynalite] = ['meridian', 'dynalite'].map((server) => measurements.find((m) => m.server === server && m.operation === operation)!.result);
    const throughput = (meridian!.requests / meridian!.wallMs) / (dynalite!.requests / dynalite!.wallMs);
    const p50 = quantile(dynalite!.latenciesMs, 0.5) / quantile(meridian!.latenciesMs, 0.5);
    const p99 = quantile(dynalite!.latenciesMs, 0.99) / quantile(meridian!.latenciesMs, 0.99);
    const cpu = cpuPerRequest(measurements, 'dynalite', operation) / cpuPerRequest(measurements, 'meridian', operation);
    const verdict = throughput >= RATIO_GOAL ? 'met' : 'NOT met';
    lines.push(
      `${operation}: Meridian/dynalite ${throughput.toFixed(2)}x requests/s (goal ≥ ${RATIO_GOAL}x: ${verdict}); ` +
        `latency ${p50.toFixed(2)}x lower at p50, ${p99.toFixed(2)}x at p99; server CPU per request ${cpu.toFixed(2)}x lower`,
    );
  }
  return lines;
}

/** Starts both servers, loads them, measures them, and always stops them. */
async function runBench(options: BenchOptions, scratch: string): Promise<Measurement[]> {
  const servers: [string, string, string[]][] = [
    ['meridian', MERIDIAN_MAIN, ['--db', join(scratch, 'meridian.db')]],
    ['dynalite', DYNALITE_MAIN, options.dynaliteStorage === 'disk' ? ['--path', join(scratch, 'dynalite')] : []],
  ];
  const targets: Target[] = [];
  try {
    for (const [name, script, args] of servers) {
      const server = await startServerProcess(script, args, REPO_ROOT);
      targets.push({ name, server, pool: new Pool(server.url, { connections: options.connections, pipelining: 1 }) });
    }
    for (const target of targets) {
      await createTable(target.pool);
      await preload(target.pool, options);
    }
    return await measureAll(targets, options);
  } finally {
    for (const target of targets) {
      await target.pool.close();
      await target.server.stop();
    }
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = readOptions();
  } catch (error) {
    console.error(`data bench: ${errorMessage(error)}`);
    return EXIT_BAD_USAGE;
  }
  const seconds = (ms: number) => ms / 1000;
  console.log(
    `${options.items} items of ~100 bytes, ${options.connections} connections, ${options.rounds} alternating rounds of ` +
      `${seconds(options.warmupMs)} s warm-up + ${seconds(options.durationMs)} s per server and operation; Node ${process.version}`,
  );
  console.log(`Meridian: SQLite WAL file; dynalite 4: LevelDB ${options.dynaliteStorage === 'disk' ? 'on disk' : 'in memory'}`);
  const scratch = mkdtempSync(join(tmpdir(), 'meridian-bench-data-'));
  try {
    const measurements = await runBench(options, scratch);
    console.log(`\n${renderTable(measurements)}\n`);
    for (const line of renderRatios(measurements)) console.log(line);
    const errors = measurements.reduce((sum, measurement) => sum + measurement.result.errors, 0);
    if (errors > 0) console.error(`FAIL: ${errors} requests were answered wrongly`);
    return errors === 0 ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`data bench: ${errorMessage(error)}`);
    process.exitCode = 1;
  },
);
