import { fork, spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ResolvedService } from '../../spec/resolved-spec.ts';
import { appEnvironmentVariables, type AppDataClass } from './app-environment.ts';
import { freePort, probeStatus } from './app-probe.ts';
import { groupAlive, signalGroup, waitForGroupExit } from './process-group.ts';

const SAMPLE_SHOP_MAIN = fileURLToPath(new URL('./sample-shop-main.ts', import.meta.url));
/** tsx's loader by absolute URL: `--import tsx` would resolve from the user's working directory. */
const TSX_LOADER = import.meta.resolve('tsx');
const DEFAULT_HOST = '127.0.0.1';
/** Output lines kept to explain a failed start. */
const OUTPUT_LINES_KEPT = 20;
/** Health probes while starting: one at a time, each bounded, this far apart. */
const PROBE_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;
/** After SIGKILL, the group is given this long to be reaped before stop gives up waiting. */
const KILL_WAIT_MS = 2_000;
/** After a failed start, output still in the pipes is read for this long at most. */
const OUTPUT_DRAIN_MS = 500;

/**
 * Options of one region's app. The service comes from the resolved spec: the built-in sample shop
 * (`app`), or the user's own `command`.
 */
export interface AppProcessOptions {
  readonly region: string;
  readonly service: Pick<ResolvedService, 'name' | 'app' | 'command' | 'healthPath'>;
  /** The regional data node the app talks to. */
  readonly dataEndpointUrl: string;
  /** The data classes whose tables exist in this region. */
  readonly dataClasses: readonly AppDataClass[];
  /** The loopback address the app listens on (its HOST). @default '127.0.0.1' */
  readonly host?: string;
  /** Where a `command` runs: the spec file's directory. @default process.cwd() */
  readonly cwd?: string;
  /** The port the app serves on. @default a free loopback port picked at the first start, kept across restarts */
  readonly port?: number;
  /** An app not ready in this long failed to start. @default 30000 */
  readonly startTimeoutMs?: number;
  /** After SIGTERM an app has this long to exit before SIGKILL. @default 5000 */
  readonly stopGraceMs?: number;
  /**
   * The app has started when its health path answers 200; with false, when it answers at all (an app
   * restarted while its data node is down answers 503). @default true
   */
  readonly requireHealthy?: boolean;
}

interface ResolvedAppOptions extends Required<Omit<AppProcessOptions, 'port'>> {
  readonly port: number | undefined;
}

export interface AppEndpoint {
  readonly region: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
}

export class AppStartError extends Error {
  readonly code = 'APP_START_FAILED';
  constructor(readonly region: string, message: string) {
    super(`the app of ${region} did not start: ${message}`);
    this.name = 'AppStartError';
  }
}

/**
 * One region's application tier as a process group of its own: the built-in sample shop (forked through
 * tsx like a region process) or the user's command (through the shell, in the spec's directory). Either
 * gets the app environment (README.md) and is ready when its health path answers. `kill()` is a regional
 * app failure (SIGKILL to the whole group); `stop()` is a shutdown.
 */
export class AppProcess {
  /** Called when a started app exits without being asked to (its group is then killed). */
  onUnexpectedExit: ((region: string, code: number | null, signal: string | null) => void) | undefined;
  private readonly options: ResolvedAppOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private chosenPort: number | undefined;
  private started = false;
  private exitRequested = false;
  private readonly recentOutput: string[] = [];

  constructor(options: AppProcessOptions, private readonly log: (line: string) => void) {
    if (options.service.app === undefined && options.service.command === undefined) throw new Error(`service ${options.service.name} has neither app nor command`);
    this.options = {
      region: options.region,
      service: options.service,
      dataEndpointUrl: options.dataEndpointUrl,
      dataClasses: options.dataClasses,
      host: options.host ?? DEFAULT_HOST,
      cwd: options.cwd ?? process.cwd(),
      port: options.port,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      stopGraceMs: options.stopGraceMs ?? 5_000,
      requireHealthy: options.requireHealthy ?? true,
    };
    this.chosenPort = options.port;
    // The lab serves on loopback only.
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(this.options.host)) throw new Error(`app host ${this.options.host} is not a loopback address`);
  }

  get region(): string {
    return this.options.region;
  }

  /** The port the app serves on (undefined before the first start). */
  get port(): number | undefined {
    return this.chosenPort;
  }

  /** The started process — for a command, the shell running it — whose id is also the group's. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string | undefined {
    return this.chosenPort === undefined ? undefined : `http://${this.options.host}:${this.chosenPort}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null && !this.exitRequested;
  }

  async start(): Promise<AppEndpoint> {
    if (this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null) throw new Error(`the app of ${this.region} is already running`);
    if (this.options.service.command !== undefined && !isDirectory(this.options.cwd)) {
      throw new AppStartError(this.region, `the command's working directory ${this.options.cwd} does not exist`);
    }
    this.chosenPort ??= await freePort(this.options.host);
    this.started = false;
    this.exitRequested = false;
    this.recentOutput.length = 0;
    const child = this.launch(this.chosenPort);
    this.child = child;
    let launchError: Error | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(this.onExit(child, code, signal)));
      // A process that could not be started at all (bad cwd, no shell) emits 'error' and no 'exit'.
      child.once('error', (error) => {
        launchError = error;
        if (child.pid === undefined) resolve();
      });
    });
    const outputClosed = this.forwardOutput(child);
    try {
      await this.waitUntilReady(child, () => launchError);
    } catch (error) {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      await this.exited;
      // Lines written just before the exit are still in the pipes: read them for the error message.
      await Promise.race([outputClosed, delay(OUTPUT_DRAIN_MS)]);
      throw this.startError((error as Error).message);
    }
    this.started = true;
    return { region: this.region, url: this.url!, port: this.chosenPort, pid: child.pid! };
  }

  /** Kills the whole group the hard way: a regional app failure, not a shutdown. Resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.pid === undefined) return;
    this.exitRequested = true;
    if (groupAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
    await this.exited;
    await waitForGroupExit(child.pid, KILL_WAIT_MS);
  }

  /** Asks every process of the group to exit; SIGKILL to the group after the grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.pid === undefined) return;
    this.exitRequested = true;
    if (groupAlive(child.pid)) signalGroup(child.pid, 'SIGTERM');
    if (!(await waitForGroupExit(child.pid, this.options.stopGraceMs))) {
      this.log(`[${this.region} app] still running ${this.options.stopGraceMs} ms after SIGTERM: SIGKILL`);
      signalGroup(child.pid, 'SIGKILL');
      await waitForGroupExit(child.pid, KILL_WAIT_MS);
    }
    await this.exited;
  }

  /** Stops the app and starts it again on the same port. */
  async restart(): Promise<AppEndpoint> {
    await this.stop();
    return this.start();
  }

  private launch(port: number): ChildProcess {
    const { service, region, host, dataEndpointUrl, dataClasses, cwd } = this.options;
    const variables = appEnvironmentVariables({ region, host, port, dataEndpointUrl, healthPath: service.healthPath, dataClasses });
    const env = { ...process.env, ...variables };
    // Its own process group (detached), so that stop and kill reach everything the app started.
    if (service.command !== undefined) {
      return spawn(service.command, { shell: true, cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    }
    // The SDK's advice to upgrade Node would open every sample shop's log.
    const shopEnv = { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    return fork(SAMPLE_SHOP_MAIN, [], { execArgv: ['--import', TSX_LOADER], env: shopEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
  }

  /** Forwards stdout and stderr line by line to the log; resolves when both have closed. */
  private forwardOutput(child: ChildProcess): Promise<void> {
    const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
    return Promise.all(
      streams.map(
        (stream) =>
          new Promise<void>((resolve) => {
            const lines = createInterface({ input: stream, crlfDelay: Infinity });
            lines.on('line', (line) => this.keepLine(line));
            lines.once('close', resolve);
          }),
      ),
    ).then(() => undefined);
  }

  private keepLine(line: string): void {
    if (line === '') return;
    this.recentOutput.push(line);
    if (this.recentOutput.length > OUTPUT_LINES_KEPT) this.recentOutput.shift();
    this.log(`[${this.region} app] ${line}`);
  }

  /** Polls the health path, one bounded probe at a time, until it answers, the app exits or time is up. */
  private async waitUntilReady(child: ChildProcess, launchError: () => Error | undefined): Promise<void> {
    const healthUrl = `${this.url}${this.options.service.healthPath}`;
    const deadline = Date.now() + this.options.startTimeoutMs;
    let lastStatus: number | undefined;
    while (Date.now() < deadline) {
      const failed = launchError();
      if (failed !== undefined) throw new Error(`cannot be launched: ${failed.message}`);
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.signalCode ?? child.exitCode}`);
      lastStatus = await probeStatus(healthUrl, Math.min(PROBE_TIMEOUT_MS, Math.max(1, deadline - Date.now())));
      if (lastStatus === 200 || (lastStatus !== undefined && !this.options.requireHealthy)) return;
      await delay(PROBE_INTERVAL_MS);
    }
    const answered = lastStatus === undefined ? 'no answer' : `last answer ${lastStatus}`;
    throw new Error(`GET ${healthUrl} did not answer 200 within ${this.options.startTimeoutMs / 1000} s (${answered})`);
  }

  private startError(reason: string): AppStartError {
    const output = this.recentOutput.length === 0 ? '' : `; last output:\n  ${this.recentOutput.join('\n  ')}`;
    return new AppStartError(this.region, `${reason}${output}`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.exitRequested || !this.started) return;
    // The app's own processes go down with it: a regional app failure takes the whole tier.
    if (child.pid !== undefined && groupAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
    this.log(`[${this.region} app] exited unexpectedly with ${signal ?? code}`);
    this.onUnexpectedExit?.(this.region, code, signal);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
