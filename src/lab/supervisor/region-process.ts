import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RegionStartOptions, RegionToSupervisor, SupervisorToRegion } from '../region/region-messages.ts';
import { isRegionMessage } from '../region/region-messages.ts';

const REGION_MAIN = fileURLToPath(new URL('../region/region-main.ts', import.meta.url));
/** tsx's loader by absolute URL: `--import tsx` would resolve from the user's working directory. */
const TSX_LOADER = import.meta.resolve('tsx');
/** A region process that is not ready in this long failed to start. */
const START_TIMEOUT_MS = 30_000;
/** After SIGTERM a region process has this long to close its stores before SIGKILL. */
const STOP_GRACE_MS = 5_000;

export class RegionStartError extends Error {
  readonly code = 'REGION_START_FAILED';
  constructor(readonly region: string, message: string) {
    super(`region ${region} did not start: ${message}`);
    this.name = 'RegionStartError';
  }
}

export interface RegionEndpoints {
  readonly region: string;
  readonly dataPort: number;
  readonly replicationPort: number;
  readonly pid: number;
}

/**
 * One region as an OS process of its own (`region-main.ts` through tsx), so that killing it (kill -9
 * included) is a real regional failure: its sockets close, its memory is gone, only its disk remains.
 */
export class RegionProcess {
  private child: ChildProcess | undefined;
  private endpoints: RegionEndpoints | undefined;
  /** Called when the process exits without being asked to. */
  onUnexpectedExit: ((region: string, code: number | null, signal: string | null) => void) | undefined;
  /** Called when the process asks for one of its connections to a peer to be counted under a tag on the link. */
  onTagConnection: ((toRegion: string, localPort: number, tag: string) => void) | undefined;
  private stopping = false;

  constructor(
    readonly options: RegionStartOptions,
    private readonly log: (line: string) => void,
  ) {}

  get region(): string {
    return this.options.region;
  }

  get current(): RegionEndpoints | undefined {
    return this.endpoints;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The ports of the first start, taken back by every restart. */
  private ports: { dataPort: number; replicationPort: number } | undefined;

  start(): Promise<RegionEndpoints> {
    this.stopping = false;
    const child = fork(REGION_MAIN, [], {
      execArgv: ['--import', TSX_LOADER],
      env: { ...process.env, MERIDIAN_REGION_OPTIONS: JSON.stringify({ ...this.options, ...this.ports }) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => text.split('\n').filter(Boolean).forEach((line) => this.log(`[${this.region}] ${line}`)));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      const fail = (message: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new RegionStartError(this.region, message));
      };
      child.on('message', (message: unknown) => {
        if (!isRegionMessage(message)) return;
        const typed = message as RegionToSupervisor;
        if (typed.kind === 'tag-connection') return this.onTagConnection?.(typed.toRegion, typed.localPort, typed.tag);
        if (typed.kind === 'failed') return fail(typed.message);
        clearTimeout(timer);
        this.endpoints = { region: typed.region, dataPort: typed.dataPort, replicationPort: typed.replicationPort, pid: typed.pid };
        this.ports ??= { dataPort: typed.dataPort, replicationPort: typed.replicationPort };
        resolve(this.endpoints);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!this.endpoints) reject(new RegionStartError(this.region, `exited with ${signal ?? code}`));
        if (!this.stopping) this.onUnexpectedExit?.(this.region, code, signal);
      });
    });
  }

  /** Sends a message to the process over IPC (ignored when it is not running). */
  send(message: SupervisorToRegion): void {
    if (this.running) this.child?.send(message);
  }

  /** Kills the process the hard way: a regional failure, not a shutdown. */
  kill(): void {
    this.stopping = true;
    this.child?.kill('SIGKILL');
    this.endpoints = undefined;
  }

  /** Asks the process to close its stores and exit; SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
    this.endpoints = undefined;
  }
}
