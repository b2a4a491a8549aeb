import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { processCpuMs } from './proc-stat.ts';

/**
 * A server in its own process (a data node, dynalite), started by benchmarks and tests: its CPU is not
 * the caller's, and killing it is a real crash.
 */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the signal that ended the process, or its exit code. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** User + system CPU the process has used so far, in ms (NaN where /proc is not available). */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** Starts `node --import tsx <script> …args` and waits for the `{"url":…}` line it prints when listening. */
export async function startServerProcess(script: string, args: readonly string[], cwd: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await Promise.race([
      new Promise<string>((resolve) => lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url))),
      exited.then((how) => Promise.reject(new Error(`${script} exited before listening (${String(how)})`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${script} did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      }),
    ]);
    return { url, pid: child.pid!, child, exited, cpuMs: () => processCpuMs(child.pid!), stop: () => stopChild(child, exited) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
