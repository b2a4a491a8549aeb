/**
 * What edge-throughput.ts runs and measures: nginx instances (a backend and a reverse proxy, one worker
 * each, in a temporary prefix), the accelerator edge's process, wrk, and the CPU time of a process and
 * its children from /proc. Every process is started here, tracked by pid, and killed by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, procStatFields } from '../../src/lab/proc-stat.ts';

const EDGE_SCRIPT = fileURLToPath(new URL('./edge-accelerator-process.ts', import.meta.url));

/** A binary on the PATH (or in sbin, where Debian puts nginx), or undefined. */
export function findBinary(name: string): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(':').filter((entry) => entry.startsWith('/')), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return directories.map((entry) => join(entry, name)).find((candidate) => existsSync(candidate));
}

/** A port free right now: the kernel picks it, the probe closes it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on the port; bounded. */
export async function waitForPort(port: number, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

/** The processes this benchmark started, by pid, so that every exit path kills exactly those. */
export class ProcessSet {
  private readonly children = new Set<ChildProcess>();

  track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** SIGTERM each, then SIGKILL what is still alive after a grace period. */
  async killAll(graceMs = 3000): Promise<void> {
    const alive = [...this.children];
    for (const child of alive) if (child.pid !== undefined) tryKill(child.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (this.children.size > 0 && Date.now() < deadline) await sleep(20);
    for (const child of this.children) if (child.pid !== undefined) tryKill(child.pid, 'SIGKILL');
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export interface NginxSite {
  /** Temporary prefix: config, pid file, error log and temp paths live here. */
  readonly prefix: string;
  readonly port: number;
  /** Directives inside `server { listen …; … }`. */
  readonly server: string;
  /** Directives inside `http { … }` before the server block (an upstream). */
  readonly http?: string;
}

/** One worker, no daemon, no access log, everything under the prefix. */
export function nginxConfig(site: NginxSite): string {
  const path = (name: string) => join(site.prefix, name);
  return `worker_processes 1;
daemon off;
pid ${path('nginx.pid')};
error_log ${path('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${path('client_body')};
  proxy_temp_path ${path('proxy')};
  fastcgi_temp_path ${path('fastcgi')};
  uwsgi_temp_path ${path('uwsgi')};
  scgi_temp_path ${path('scgi')};
  # One connection carries the whole run (the default closes it after 1000 requests).
  keepalive_requests 100000000;
  ${site.http ?? ''}
  server {
    listen 127.0.0.1:${site.port};
    ${site.server}
  }
}
`;
}

export function startNginx(nginx: string, site: NginxSite, processes: ProcessSet): ChildProcess {
  const config = join(site.prefix, 'nginx.conf');
  writeFileSync(config, nginxConfig(site));
  const child = spawn(nginx, ['-p', site.prefix, '-c', config, '-e', join(site.prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.pipe(process.stderr);
  return processes.track(child);
}

/** The accelerator edge in its own Node process, every flow to `targetPort`; resolves with its port. */
export async function startEdgeProcess(targetPort: number, processes: ProcessSet): Promise<{ child: ChildProcess; port: number }> {
  const child = processes.track(spawn(process.execPath, ['--import', 'tsx', EDGE_SCRIPT, '--target-port', String(targetPort)], { stdio: ['pipe', 'pipe', 'pipe'] }));
  child.stderr!.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    sleep(15_000).then(() => ''),
  ]);
  lines.close();
  if (first === '') throw new Error('the edge process did not report its port within 15 s');
  return { child, port: (JSON.parse(first) as { port: number }).port };
}

/** utime + stime of a process and its direct children (nginx's workers), in seconds. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = procStatFields(Number(entry));
    if (fields === undefined) continue;
    if (Number(entry) === pid || Number(fields[1]) === pid) ticks += cpuTicks(fields);
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Socket errors and non-2xx/3xx answers: any makes the run invalid. */
  readonly errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(output: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  if (match === null) throw new Error(`wrk printed no ${percentile}% latency:\n${output}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function parseWrk(output: string): WrkResult {
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const total = /^\s*(\d+) requests in/m.exec(output);
  if (rate === null || total === null) throw new Error(`wrk printed no rate:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socket === null ? 0 : socket.slice(1).reduce((sum, value) => sum + Number(value), 0)) + (non2xx === null ? 0 : Number(non2xx[1]));
  return { requestsPerSecond: Number(rate[1]), p50Ms: latencyMs(output, '50'), p99Ms: latencyMs(output, '99'), requests: Number(total[1]), errors };
}

/** One wrk run, killed if it outlives its duration by 15 s. */
export async function runWrk(wrk: string, url: string, connections: number, durationSeconds: number, processes: ProcessSet): Promise<WrkResult> {
  const child = processes.track(spawn(wrk, ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.pid !== undefined && tryKill(child.pid, 'SIGKILL'), (durationSeconds + 15) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${output}`);
  return parseWrk(output);
}
