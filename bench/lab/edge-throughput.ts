/**
 * The accelerator edge against nginx as a reverse proxy, in front of the same backend (nginx serving a
 * small static body, one worker), measured with wrk. Both proxies run in their own process with one
 * core's worth of event loop (nginx `worker_processes 1`; the edge is one Node process). Rounds
 * alternate the order of the three targets (direct, edge, nginx) and the median of the rounds is kept.
 *
 * Reports requests/s, p50 and p99 latency, the p99 each proxy adds over the direct path, CPU % of each
 * server process (user + system time over wall time, 100 % = one core), and edge/nginx ratios.
 * Goals (printed, not enforced): edge ≥ 0.5× nginx's requests/s; added p99 < 1 ms.
 *
 * Exit 0: every run completed without socket errors or non-2xx answers. Exit 1: wrk or nginx missing
 * (the apt command is printed), a process failed, a run had errors, or the time limit passed. Exit 2: a
 * bad option.
 *
 *   node --import tsx bench/lab/edge-throughput.ts [--connections 16,64] [--duration-seconds 5]
 *                                                  [--rounds 3] [--body-bytes 128] [--time-limit-seconds 600]
 */
import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { textTable } from '../../src/report/text-table.ts';
import { EXIT_BAD_USAGE, errorMessage, median, positiveInteger } from '../sim/bench-args.ts';
import { cpuSeconds, findBinary, freePort, loadAverage, ProcessSet, runWrk, startEdgeProcess, startNginx, waitForPort, type WrkResult } from './edge-bench-processes.ts';

const EXIT_FAILURE = 1;
const TARGETS = ['direct', 'edge', 'nginx'] as const;
type Target = (typeof TARGETS)[number];

interface BenchOptions {
  readonly connections: readonly number[];
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly bodyBytes: number;
  readonly timeLimitMs: number;
}

interface Sample extends WrkResult {
  /** CPU % of the proxy process (none for direct) and of the backend, 100 = one core. */
  readonly proxyCpuPercent: number;
  readonly backendCpuPercent: number;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '16,64' },
      'duration-seconds': { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      'body-bytes': { type: 'string', default: '128' },
      'time-limit-seconds': { type: 'string', default: '600' },
    },
  });
  return {
    connections: values.connections.split(',').map((text) => positiveInteger(text.trim(), '--connections', 1000)),
    durationSeconds: positiveInteger(values['duration-seconds'], '--duration-seconds', 60),
    rounds: positiveInteger(values.rounds, '--rounds', 9),
    bodyBytes: positiveInteger(values['body-bytes'], '--body-bytes', 1024 * 1024),
    timeLimitMs: positiveInteger(values['time-limit-seconds'], '--time-limit-seconds', 3600) * 1000,
  };
}

interface Servers {
  readonly urls: Record<Target, string>;
  readonly proxyPid: Record<Target, number | undefined>;
  readonly backendPid: number;
}

async function startServers(nginx: string, prefix: string, bodyBytes: number, processes: ProcessSet): Promise<Servers> {
  const backendPrefix = join(prefix, 'backend');
  const proxyPrefix = join(prefix, 'proxy');
  mkdirSync(join(backendPrefix, 'www'), { recursive: true });
  mkdirSync(proxyPrefix, { recursive: true });
  writeFileSync(join(backendPrefix, 'www', 'body.txt'), Buffer.alloc(bodyBytes, 'a'));
  const backendPort = await freePort();
  const backend = startNginx(
    nginx,
    { prefix: backendPrefix, port: backendPort, server: `location / { root ${join(backendPrefix, 'www')}; default_type text/plain; }`, http: 'sendfile on; open_file_cache max=16;' },
    processes,
  );
  const proxyPort = await freePort();
  const proxy = startNginx(
    nginx,
    {
      prefix: proxyPrefix,
      port: proxyPort,
      http: `upstream backend { server 127.0.0.1:${backendPort}; keepalive 256; keepalive_requests 100000000; }`,
      server: 'location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }',
    },
    processes,
  );
  await waitForPort(backendPort, 'the nginx backend');
  await waitForPort(proxyPort, 'the nginx proxy');
  const edge = await startEdgeProcess(backendPort, processes);
  const url = (port: number) => `http://127.0.0.1:${port}/body.txt`;
  return {
    urls: { direct: url(backendPort), edge: url(edge.port), nginx: url(proxyPort) },
    proxyPid: { direct: undefined, edge: edge.child.pid, nginx: proxy.pid },
    backendPid: backend.pid!,
  };
}

async function measure(wrk: string, servers: Servers, target: Target, connections: number, durationSeconds: number, processes: ProcessSet): Promise<Sample> {
  const proxyPid = servers.proxyPid[target];
  const proxyBefore = proxyPid === undefined ? 0 : cpuSeconds(proxyPid);
  const backendBefore = cpuSeconds(servers.backendPid);
  const startedMs = performance.now();
  const result = await runWrk(wrk, servers.urls[target], connections, durationSeconds, processes);
  const wallSeconds = (performance.now() - startedMs) / 1000;
  const percent = (seconds: number) => (100 * seconds) / wallSeconds;
  return {
    ...result,
    proxyCpuPercent: proxyPid === undefined ? 0 : percent(cpuSeconds(proxyPid) - proxyBefore),
    backendCpuPercent: percent(cpuSeconds(servers.backendPid) - backendBefore),
  };
}

/** One request before measuring: a proxy that answers 404 or a short body would make every figure meaningless. */
async function checkAnswer(url: string, bodyBytes: number): Promise<void> {
  const { status, length } = await new Promise<{ status: number; length: number }>((resolve, reject) => {
    get(url, { agent: false }, (incoming) => {
      let length = 0;
      incoming.on('data', (chunk: Buffer) => (length += chunk.length));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, length }));
      incoming.on('error', reject);
    }).on('error', reject);
  });
  if (status !== 200 || length !== bodyBytes) throw new Error(`${url} answered ${status} with ${length} bytes, expected 200 with ${bodyBytes}`);
}

const ms = (value: number) => (value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(2)} ms`);
const signedMs = (value: number) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;

function report(connections: number, samples: Record<Target, Sample[]>): { ratio: number; addedP99Ms: number } {
  const middle = (target: Target, pick: (sample: Sample) => number) => median(samples[target].map(pick));
  const directP99 = middle('direct', (sample) => sample.p99Ms);
  const rows = TARGETS.map((target) => [
    target,
    `${middle(target, (sample) => sample.requestsPerSecond).toFixed(0)}`,
    ms(middle(target, (sample) => sample.p50Ms)),
    ms(middle(target, (sample) => sample.p99Ms)),
    target === 'direct' ? '' : signedMs(middle(target, (sample) => sample.p99Ms) - directP99),
    target === 'direct' ? '' : `${middle(target, (sample) => sample.proxyCpuPercent).toFixed(0)} %`,
    `${middle(target, (sample) => sample.backendCpuPercent).toFixed(0)} %`,
    samples[target].map((sample) => sample.requestsPerSecond.toFixed(0)).join(' / '),
    `${samples[target].reduce((sum, sample) => sum + sample.errors, 0)}`,
  ]);
  console.log(`\nwrk -t1 -c${connections}: medians of ${samples.direct.length} rounds`);
  console.log(textTable(['target', 'requests/s', 'p50', 'p99', 'added p99', 'proxy CPU', 'backend CPU', 'requests/s per round', 'errors'], rows));
  const ratio = middle('edge', (sample) => sample.requestsPerSecond) / middle('nginx', (sample) => sample.requestsPerSecond);
  const addedP99Ms = middle('edge', (sample) => sample.p99Ms) - directP99;
  const nginxAdded = middle('nginx', (sample) => sample.p99Ms) - directP99;
  console.log(`edge/nginx requests/s: ${ratio.toFixed(2)}× (goal ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
  console.log(`edge added p99: ${signedMs(addedP99Ms)} (goal < 1 ms: ${addedP99Ms < 1 ? 'met' : 'NOT met'}); nginx added p99: ${signedMs(nginxAdded)}`);
  return { ratio, addedP99Ms };
}

async function run(options: BenchOptions, processes: ProcessSet): Promise<number> {
  const wrk = findBinary('wrk');
  const nginx = findBinary('nginx');
  if (wrk === undefined || nginx === undefined) {
    console.error(`missing ${[wrk === undefined ? 'wrk' : '', nginx === undefined ? 'nginx' : ''].filter(Boolean).join(' and ')}; install with:`);
    console.error('  apt-get update && apt-get install -y wrk nginx');
    return EXIT_FAILURE;
  }
  const prefix = mkdtempSync(join(tmpdir(), 'meridian-edge-bench-'));
  // nginx started as root serves files as an unprivileged worker, which must be able to read the body.
  chmodSync(prefix, 0o755);
  try {
    const nginxVersion = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim();
    console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${nginxVersion}, load average ${loadAverage()}`);
    console.log(`body ${options.bodyBytes} bytes, ${options.durationSeconds} s per run, ${options.rounds} rounds, connections ${options.connections.join(', ')}`);
    const servers = await startServers(nginx, prefix, options.bodyBytes, processes);
    for (const target of TARGETS) await checkAnswer(servers.urls[target], options.bodyBytes);
    // Warm-up: the edge's JIT and every connection pool, not recorded.
    for (const target of TARGETS) await runWrk(wrk, servers.urls[target], 16, 2, processes);
    let errors = 0;
    for (const connections of options.connections) {
      const samples: Record<Target, Sample[]> = { direct: [], edge: [], nginx: [] };
      for (let round = 0; round < options.rounds; round++) {
        // Rotate the order so that no target always runs first (or right after another one).
        for (let index = 0; index < TARGETS.length; index++) {
          const target = TARGETS[(index + round) % TARGETS.length]!;
          const sample = await measure(wrk, servers, target, connections, options.durationSeconds, processes);
          errors += sample.errors;
          samples[target].push(sample);
        }
      }
      report(connections, samples);
    }
    console.log(`\nload average at the end: ${loadAverage()}`);
    if (errors > 0) {
      console.error(`${errors} socket errors or non-2xx answers: the figures are not valid`);
      return EXIT_FAILURE;
    }
    return 0;
  } finally {
    await processes.killAll();
    rmSync(prefix, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = readOptions();
  } catch (error) {
    console.error(errorMessage(error));
    process.exit(EXIT_BAD_USAGE);
  }
  const processes = new ProcessSet();
  const limit = setTimeout(() => {
    console.error(`the time limit of ${options.timeLimitMs / 1000} s passed`);
    void processes.killAll().then(() => process.exit(EXIT_FAILURE));
  }, options.timeLimitMs);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void processes.killAll().then(() => process.exit(EXIT_FAILURE)));
  }
  const code = await run(options, processes).catch((error: unknown) => {
    console.error(errorMessage(error));
    return EXIT_FAILURE;
  });
  clearTimeout(limit);
  process.exit(code);
}

await main();
