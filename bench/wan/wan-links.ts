/**
 * WAN link fidelity and cost: how close a link's delays come to what was asked, and what the proxy costs
 * when it adds nothing.
 *
 * 1. Delay accuracy: ping-pongs through links of 10, 35 and 70 ms round trip (no jitter), each one-way
 *    delay measured on its own (bench/wan/peer.ts holds both ends on one clock), error = measured −
 *    requested, p50/p99/max per direction; and the first exchange of each connection, which pays the
 *    replayed TCP handshake, against two round trips.
 * 2. Overhead: ping round trips and a bulk transfer direct and through a 0 ms link.
 *
 * Exit 0: every measured one-way delay was at least the requested one. Exit 1: a byte arrived early (a
 * bug in the link), or the peer failed or outlived the time limit. Exit 2: a bad option. Sizes of the
 * errors and of the overhead are reported, never judged: they depend on the machine.
 *
 *   node --import tsx bench/wan/wan-links.ts [--rtts 10,35,70] [--pings 2000] [--connections 20]
 *                                            [--bulk-mib 256] [--time-limit-seconds 180]
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { LinkProxy } from '../../src/lab/wan/link-proxy.ts';
import { textTable } from '../../src/report/text-table.ts';
import { EXIT_BAD_USAGE, errorMessage, median, positiveInteger } from '../sim/bench-args.ts';

const PEER_SCRIPT = fileURLToPath(new URL('./peer.ts', import.meta.url));
const EXIT_FAILURE = 1;

interface BenchOptions {
  readonly roundTripsMs: readonly number[];
  readonly pings: number;
  readonly connections: number;
  readonly bulkBytes: number;
  readonly timeLimitMs: number;
}

interface PingResult {
  readonly samples: [number, number][];
  readonly firstExchangeMs: number[];
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      rtts: { type: 'string', default: '10,35,70' },
      pings: { type: 'string', default: '2000' },
      connections: { type: 'string', default: '20' },
      'bulk-mib': { type: 'string', default: '256' },
      'time-limit-seconds': { type: 'string', default: '180' },
    },
  });
  return {
    roundTripsMs: values.rtts.split(',').map((text) => positiveInteger(text.trim(), '--rtts', 1000)),
    pings: positiveInteger(values.pings, '--pings', 100_000),
    connections: positiveInteger(values.connections, '--connections', 500),
    bulkBytes: positiveInteger(values['bulk-mib'], '--bulk-mib', 4096) * 1024 * 1024,
    timeLimitMs: positiveInteger(values['time-limit-seconds'], '--time-limit-seconds', 3600) * 1000,
  };
}

/** The child peer, one JSON command and answer per line. */
class Peer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: AsyncIterator<string>;
  private readonly lines: Interface;

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.pipe(process.stderr);
    this.lines = createInterface({ input: this.child.stdout });
    this.answers = this.lines[Symbol.asyncIterator]();
  }

  async ask<Answer>(command: object): Promise<Answer> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = await this.answers.next();
    if (answer.done === true) throw new Error(`the peer exited (code ${this.child.exitCode}) before answering ${JSON.stringify(command)}`);
    return JSON.parse(answer.value) as Answer;
  }

  stop(): void {
    this.child.stdin.end(`${JSON.stringify({ command: 'exit' })}\n`);
    this.lines.close();
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function ms(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

interface AccuracyRow {
  readonly cells: string[];
  readonly earlyDeliveries: number;
}

async function measureAccuracy(peer: Peer, pingPort: number, roundTripMs: number, options: BenchOptions, budgetMs: number): Promise<AccuracyRow> {
  const link = await LinkProxy.start({ name: `bench-${roundTripMs}ms`, targetPort: pingPort, roundTripMs });
  try {
    const pingsPerConnection = Math.ceil(options.pings / options.connections);
    const result = await peer.ask<PingResult>({ command: 'ping', port: link.address.port, connections: options.connections, pingsPerConnection, deadlineInMs: budgetMs });
    const oneWayMs = roundTripMs / 2;
    const upErrors = ascending(result.samples.map(([upMs]) => upMs - oneWayMs));
    const downErrors = ascending(result.samples.map(([, downMs]) => downMs - oneWayMs));
    const roundTripErrors = ascending(result.samples.map(([upMs, downMs]) => upMs + downMs - roundTripMs));
    const earlyDeliveries = [...upErrors, ...downErrors].filter((error) => error < -0.001).length;
    const handshakeErrorMs = median(result.firstExchangeMs) - 2 * roundTripMs;
    return {
      earlyDeliveries,
      cells: [
        `${roundTripMs} ms`,
        `${oneWayMs} ms`,
        String(result.samples.length),
        `${ms(percentile(upErrors, 0.5))} / ${ms(percentile(upErrors, 0.99))} / ${ms(upErrors.at(-1)!)}`,
        `${ms(percentile(downErrors, 0.5))} / ${ms(percentile(downErrors, 0.99))} / ${ms(downErrors.at(-1)!)}`,
        `${ms(percentile(roundTripErrors, 0.5))} / ${ms(percentile(roundTripErrors, 0.99))}`,
        `${ms(handshakeErrorMs)}`,
        String(earlyDeliveries),
      ],
    };
  } finally {
    await link.close();
  }
}

async function measureOverhead(peer: Peer, ports: { pingPort: number; sinkPort: number }, options: BenchOptions, budgetMs: number): Promise<string[][]> {
  const pingLink = await LinkProxy.start({ name: 'bench-ping-0ms', targetPort: ports.pingPort });
  const sinkLink = await LinkProxy.start({ name: 'bench-bulk-0ms', targetPort: ports.sinkPort });
  try {
    const rows: string[][] = [];
    const medians: number[] = [];
    for (const [path, pingPort, sinkPort] of [['direct', ports.pingPort, ports.sinkPort], ['through a 0 ms link', pingLink.address.port, sinkLink.address.port]] as const) {
      const pingsPerConnection = Math.ceil(options.pings / options.connections);
      const pings = await peer.ask<PingResult>({ command: 'ping', port: pingPort, connections: options.connections, pingsPerConnection, deadlineInMs: budgetMs / 4 });
      const roundTrips = ascending(pings.samples.map(([upMs, downMs]) => (upMs + downMs) * 1000));
      medians.push(percentile(roundTrips, 0.5));
      const transfer = await peer.ask<{ bytes: number; elapsedMs: number }>({ command: 'bulk', port: sinkPort, bytes: options.bulkBytes });
      const megabytesPerSecond = transfer.bytes / 1e6 / (transfer.elapsedMs / 1000);
      rows.push([path, String(roundTrips.length), `${percentile(roundTrips, 0.5).toFixed(0)} µs`, `${percentile(roundTrips, 0.99).toFixed(0)} µs`, `${megabytesPerSecond.toFixed(0)} MB/s`]);
    }
    rows.push(['added by the link (p50)', '', `${(medians[1]! - medians[0]!).toFixed(0)} µs`, '', '']);
    return rows;
  } finally {
    await pingLink.close();
    await sinkLink.close();
  }
}

async function run(options: BenchOptions): Promise<number> {
  const startedMs = performance.now();
  const peer = new Peer();
  const killer = setTimeout(() => peer.kill(), options.timeLimitMs);
  try {
    const ports = await peer.ask<{ pingPort: number; sinkPort: number }>({ command: 'serve' });
    const accuracy: AccuracyRow[] = [];
    // Each round trip gets an equal share of what is left of the time limit, the overhead a last share.
    for (const [index, roundTripMs] of options.roundTripsMs.entries()) {
      const budgetMs = (options.timeLimitMs - (performance.now() - startedMs)) / (options.roundTripsMs.length - index + 1);
      accuracy.push(await measureAccuracy(peer, ports.pingPort, roundTripMs, options, budgetMs));
    }
    const overhead = await measureOverhead(peer, ports, options, (options.timeLimitMs - (performance.now() - startedMs)) / 2);
    peer.stop();
    print(options, accuracy, overhead, performance.now() - startedMs);
    return accuracy.some((row) => row.earlyDeliveries > 0) ? EXIT_FAILURE : 0;
  } finally {
    clearTimeout(killer);
  }
}

function print(options: BenchOptions, accuracy: readonly AccuracyRow[], overhead: string[][], elapsedMs: number): void {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(`WAN link delay accuracy (error = measured − requested one-way, ms; ${options.connections} connections, ping-pongs of 16 bytes)`);
  out(
    textTable(
      ['round trip', 'one-way', 'samples', 'upstream p50 / p99 / max', 'downstream p50 / p99 / max', 'round trip p50 / p99', 'handshake+first (median − 2 RTT)', 'early'],
      accuracy.map((row) => row.cells),
    ),
  );
  out('');
  out(`Proxy overhead (ping-pong round trips; bulk: ${options.bulkBytes / 1024 / 1024} MiB one way)`);
  out(textTable(['path', 'samples', 'ping p50', 'ping p99', 'bulk throughput'], overhead));
  out('');
  out(`node ${process.version}, ${(elapsedMs / 1000).toFixed(1)} s`);
}

try {
  process.exitCode = await run(readOptions());
} catch (error) {
  process.stderr.write(`bench/wan: ${errorMessage(error)}\n`);
  process.exitCode = error instanceof RangeError ? EXIT_BAD_USAGE : EXIT_FAILURE;
}
