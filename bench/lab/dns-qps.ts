/**
 * Queries per second of Meridian's authoritative DNS server against unbound, both serving the same
 * static zone (bench/lab/dns-static-zone.ts) on loopback, measured by dnsperf.
 *
 * Unbound runs with one thread from a temporary config (local-zone/local-data, everything else refused,
 * no remote control, no chroot, foreground); Meridian runs in its own process (dns-server-main.ts),
 * answering through decide(). First both are asked every query of the mix and must give the same
 * answers (rcode, records, TTLs), so that they do the same work. Then, after a short warm-up of each,
 * dnsperf runs against them alternately for a few rounds; the medians and their ratio are printed, with
 * each server's and dnsperf's CPU share (from /proc/PID/stat), so that the reader sees which side was the
 * bottleneck: on two cores a server at ~100 % is saturated, a dnsperf at ~100 % means the server was not.
 *
 * Exit 0: both servers ran and agreed. Exit 1: dnsperf or unbound missing (the apt command is printed),
 * a server failed or disagreed, or dnsperf failed. Exit 2: a bad option. Speed is reported, never judged.
 *
 *   node --import tsx bench/lab/dns-qps.ts [--seconds 10] [--rounds 3] [--clients 4] [--outstanding 100]
 *                                         [--max-qps N] [--warmup-seconds 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeQuery, sendUdp, viewResponse, type ResponseView } from '../../src/lab/dns/dns-client.ts';
import { processCpuMs } from '../../src/lab/proc-stat.ts';
import { startServerProcess, type ServerProcess } from '../../src/lab/server-process.ts';
import { textTable } from '../../src/report/text-table.ts';
import { EXIT_BAD_USAGE, errorMessage, median, positiveInteger } from '../sim/bench-args.ts';
import { benchQueryLines, unboundZoneLines } from './dns-static-zone.ts';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL('./dns-server-main.ts', import.meta.url));
const EXIT_FAILURE = 1;
const APT_COMMAND = 'apt-get update && apt-get install -y dnsperf unbound';
const STARTUP_TIMEOUT_MS = 15_000;

interface BenchOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly clients: number;
  readonly outstanding: number;
  readonly maxQps: number | undefined;
  readonly warmupSeconds: number;
}

interface Target {
  readonly name: 'meridian' | 'unbound';
  readonly port: number;
  readonly pid: number;
}

interface DnsperfRun {
  readonly queriesPerSecond: number;
  readonly averageLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly lostPercent: number;
  readonly responseBytes: number;
  readonly serverCpuPercent: number;
  readonly dnsperfCpuPercent: number;
}

class BenchFailure extends Error {}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      clients: { type: 'string', default: '4' },
      outstanding: { type: 'string', default: '100' },
      'max-qps': { type: 'string' },
      'warmup-seconds': { type: 'string', default: '2' },
    },
  });
  return {
    seconds: positiveInteger(values.seconds, '--seconds', 120),
    rounds: positiveInteger(values.rounds, '--rounds', 20),
    clients: positiveInteger(values.clients, '--clients', 256),
    outstanding: positiveInteger(values.outstanding, '--outstanding', 10_000),
    maxQps: values['max-qps'] === undefined ? undefined : positiveInteger(values['max-qps'], '--max-qps', 10_000_000),
    warmupSeconds: positiveInteger(values['warmup-seconds'], '--warmup-seconds', 60),
  };
}

function findBinary(name: string): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const directory of directories.filter((entry) => entry !== '')) {
    try {
      accessSync(join(directory, name), constants.X_OK);
      return join(directory, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}


/** A port free for both UDP and TCP on 127.0.0.1 (unbound needs its port in its config file). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new BenchFailure('found no port free for both UDP and TCP');
}

function unboundConfig(port: number, directory: string): string {
  const server = [
    `interface: 127.0.0.1@${port}`, `port: ${port}`, 'do-ip6: no', 'num-threads: 1', 'username: ""', 'chroot: ""',
    `directory: "${directory}"`, 'pidfile: ""', 'logfile: ""', 'use-syslog: no', 'verbosity: 0', 'do-daemonize: no',
    'access-control: 127.0.0.0/8 allow', 'local-zone: "." refuse', ...unboundZoneLines(),
  ];
  return ['server:', ...server.map((line) => `  ${line}`), 'remote-control:', '  control-enable: no', ''].join('\n');
}

async function waitUntilAnswering(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadlineMs = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    if (child.exitCode !== null || child.signalCode !== null) throw new BenchFailure(`${what} exited (${child.exitCode ?? child.signalCode})`);
    const response = await sendUdp(encodeQuery({ name: 'www.shop.meridian.test' }), port, '127.0.0.1', 200);
    if (response !== undefined) return;
    await sleep(100);
  }
  throw new BenchFailure(`${what} did not answer within ${STARTUP_TIMEOUT_MS} ms`);
}

async function startUnbound(binary: string, directory: string): Promise<{ child: ChildProcess; target: Target; stderr: () => string }> {
  const port = await freePort();
  const configPath = join(directory, 'unbound.conf');
  writeFileSync(configPath, unboundConfig(port, directory));
  const child = spawn(binary, ['-d', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await waitUntilAnswering(port, child, 'unbound').catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new BenchFailure(`${errorMessage(error)}\n${stderr}`);
  });
  return { child, target: { name: 'unbound', port, pid: child.pid! }, stderr: () => stderr };
}

/** The parts of a response both servers must agree on (unbound sets RA; Meridian, authoritative only, does not). */
function comparable(view: ResponseView): object {
  const records = (list: ResponseView['answers']) => list.map((record) => `${record.name} ${record.ttl} ${record.type} ${record.data}`).sort();
  return { rcode: view.rcode, authoritative: view.authoritative, answers: records(view.answers), authorities: records(view.authorities) };
}

/** Every line of the query mix, asked of both: the benchmark compares like with like or not at all. */
async function checkSameAnswers(lines: readonly string[], targets: readonly Target[]): Promise<void> {
  for (const line of lines) {
    const [name, type] = line.split(' ') as [string, string];
    const answers = await Promise.all(targets.map(async (target) => {
      const response = await sendUdp(encodeQuery({ name, type }), target.port, '127.0.0.1', 2000);
      if (response === undefined) throw new BenchFailure(`${target.name} did not answer ${line}`);
      return comparable(viewResponse(response));
    }));
    if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1])) {
      throw new BenchFailure(`the servers disagree on ${line}:\n${targets.map((target, index) => `  ${target.name}: ${JSON.stringify(answers[index])}`).join('\n')}`);
    }
  }
}

function numberAfter(output: string, label: string): number {
  const match = new RegExp(`${label}\\s+([0-9.]+)`).exec(output);
  if (match === null) throw new BenchFailure(`dnsperf printed no "${label}":\n${output}`);
  return Number(match[1]);
}

function parseDnsperf(output: string): Omit<DnsperfRun, 'serverCpuPercent' | 'dnsperfCpuPercent'> {
  const latency = /Average Latency \(s\):\s+([0-9.]+) \(min [0-9.]+, max ([0-9.]+)\)/.exec(output);
  const lost = /Queries lost:\s+\d+ \(([0-9.]+)%\)/.exec(output);
  const size = /response (\d+)/.exec(output);
  if (latency === null || lost === null) throw new BenchFailure(`cannot read dnsperf's output:\n${output}`);
  return {
    queriesPerSecond: numberAfter(output, 'Queries per second:'),
    averageLatencyMs: Number(latency[1]) * 1000,
    maxLatencyMs: Number(latency[2]) * 1000,
    lostPercent: Number(lost[1]),
    responseBytes: size === null ? Number.NaN : Number(size[1]),
  };
}

/** One dnsperf run; CPU shares are sampled over the run (dnsperf's own until its last sample before exit). */
async function runDnsperf(binary: string, queryFile: string, target: Target, seconds: number, options: BenchOptions): Promise<DnsperfRun> {
  const args = ['-s', '127.0.0.1', '-p', String(target.port), '-d', queryFile, '-l', String(seconds), '-c', String(options.clients), '-q', String(options.outstanding)];
  if (options.maxQps !== undefined) args.push('-Q', String(options.maxQps));
  const startedMs = performance.now();
  const serverCpuStart = processCpuMs(target.pid);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let dnsperfCpu = { ms: 0, atMs: startedMs };
  const sampler = setInterval(() => {
    const ms = processCpuMs(child.pid!);
    if (!Number.isNaN(ms)) dnsperfCpu = { ms, atMs: performance.now() };
  }, 200);
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearInterval(sampler);
  clearTimeout(killer);
  const elapsedMs = performance.now() - startedMs;
  if (exitCode !== 0) throw new BenchFailure(`dnsperf exited with ${exitCode}:\n${output}`);
  return {
    ...parseDnsperf(output),
    serverCpuPercent: ((processCpuMs(target.pid) - serverCpuStart) / elapsedMs) * 100,
    dnsperfCpuPercent: (dnsperfCpu.ms / Math.max(1, dnsperfCpu.atMs - startedMs)) * 100,
  };
}

function formatRow(round: number, target: Target, run: DnsperfRun): string[] {
  return [
    String(round),
    target.name,
    run.queriesPerSecond.toFixed(0),
    run.averageLatencyMs.toFixed(3),
    run.maxLatencyMs.toFixed(2),
    `${run.lostPercent.toFixed(2)} %`,
    String(run.responseBytes),
    `${run.serverCpuPercent.toFixed(0)} %`,
    `${run.dnsperfCpuPercent.toFixed(0)} %`,
  ];
}

async function measure(dnsperf: string, queryFile: string, targets: readonly Target[], options: BenchOptions): Promise<Map<string, DnsperfRun[]>> {
  for (const target of targets) await runDnsperf(dnsperf, queryFile, target, options.warmupSeconds, options);
  const runs = new Map<string, DnsperfRun[]>(targets.map((target) => [target.name, []]));
  const rows: string[][] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // Alternate who goes first, so that a drift in the machine's load does not favour one side.
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      const run = await runDnsperf(dnsperf, queryFile, target, options.seconds, options);
      runs.get(target.name)!.push(run);
      rows.push(formatRow(round, target, run));
      process.stderr.write(`  round ${round} ${target.name}: ${run.queriesPerSecond.toFixed(0)} queries/s\n`);
    }
  }
  const header = ['round', 'server', 'queries/s', 'avg latency ms', 'max latency ms', 'lost', 'response bytes', 'server CPU', 'dnsperf CPU'];
  console.log(textTable(header, rows, { align: ['right', 'left'] }));
  return runs;
}

function printSummary(runs: Map<string, DnsperfRun[]>, options: BenchOptions, loadBefore: number[]): void {
  const summary = (name: string) => {
    const list = runs.get(name)!;
    return {
      qps: median(list.map((run) => run.queriesPerSecond)),
      serverCpu: median(list.map((run) => run.serverCpuPercent)),
      dnsperfCpu: median(list.map((run) => run.dnsperfCpuPercent)),
      latencyMs: median(list.map((run) => run.averageLatencyMs)),
    };
  };
  const meridian = summary('meridian');
  const unbound = summary('unbound');
  const ratio = meridian.qps / unbound.qps;
  console.log('');
  console.log(`median over ${options.rounds} rounds of ${options.seconds} s (dnsperf -c ${options.clients} -q ${options.outstanding}${options.maxQps === undefined ? '' : ` -Q ${options.maxQps}`}):`);
  for (const [name, figures] of [['meridian', meridian], ['unbound', unbound]] as const) {
    console.log(`  ${name.padEnd(8)} ${figures.qps.toFixed(0).padStart(8)} queries/s  avg latency ${figures.latencyMs.toFixed(3)} ms  server CPU ${figures.serverCpu.toFixed(0)} %  dnsperf CPU ${figures.dnsperfCpu.toFixed(0)} %`);
  }
  console.log(`  Meridian / unbound: ${ratio.toFixed(2)}× (goal ≥ 0.50×: ${ratio >= 0.5 ? 'met' : 'not met'})`);
  console.log(`  load average before ${loadBefore.map((value) => value.toFixed(2)).join(' ')}, after ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = readOptions();
  } catch (error) {
    console.error(errorMessage(error));
    return EXIT_BAD_USAGE;
  }
  const dnsperf = findBinary('dnsperf');
  const unboundBinary = findBinary('unbound');
  if (dnsperf === undefined || unboundBinary === undefined) {
    const missing = [dnsperf === undefined ? 'dnsperf' : '', unboundBinary === undefined ? 'unbound' : ''].filter((name) => name !== '');
    console.error(`missing: ${missing.join(', ')}. Install with: ${APT_COMMAND}`);
    return EXIT_FAILURE;
  }
  const loadBefore = loadavg();
  const directory = mkdtempSync(join(tmpdir(), 'meridian-dns-bench-'));
  const queryFile = join(directory, 'queries.txt');
  const lines = benchQueryLines();
  writeFileSync(queryFile, `${lines.join('\n')}\n`);
  let unbound: Awaited<ReturnType<typeof startUnbound>> | undefined;
  let meridian: ServerProcess | undefined;
  try {
    unbound = await startUnbound(unboundBinary, directory);
    meridian = await startServerProcess(SERVER_SCRIPT, [], REPOSITORY_ROOT);
    const meridianTarget: Target = { name: 'meridian', port: Number(new URL(meridian.url).port), pid: meridian.pid };
    await waitUntilAnswering(meridianTarget.port, meridian.child, 'Meridian');
    const targets = [meridianTarget, unbound.target];
    await checkSameAnswers(lines, targets);
    console.log(`both servers give the same answers to the ${lines.length} queries of the mix; load average ${loadBefore.map((value) => value.toFixed(2)).join(' ')}`);
    printSummary(await measure(dnsperf, queryFile, targets, options), options, loadBefore);
    return 0;
  } catch (error) {
    console.error(errorMessage(error));
    return EXIT_FAILURE;
  } finally {
    await meridian?.stop();
    if (unbound !== undefined && unbound.child.exitCode === null) {
      unbound.child.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => unbound!.child.once('exit', resolve)), sleep(5000).then(() => unbound!.child.kill('SIGKILL'))]);
    }
    rmSync(directory, { recursive: true, force: true });
  }
}

process.exitCode = await main();
