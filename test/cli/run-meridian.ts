import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the binary and the example paths in the tests are relative to it. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const BINARY = join(REPO_ROOT, 'bin', 'meridian.js');

/** A hung binary must fail the test rather than the whole run; this is a bound, never asserted on. */
const RUN_TIMEOUT_MS = 60_000;
/** `advise --json` is about 100 kB; leave room for larger specs. */
const OUTPUT_BYTES_MAX = 16 * 1024 * 1024;

export interface MeridianRun {
  /** The exit code, or null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunMeridianOptions {
  /** Working directory of the binary; defaults to the repository root. */
  readonly cwd?: string;
}

/** The environment of the child: no colour, and nothing from the test runner or a debugging shell. */
function childEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete environment.FORCE_COLOR;
  delete environment.MERIDIAN_DEBUG;
  delete environment.NODE_TEST_CONTEXT;
  return environment;
}

/** Runs the real `bin/meridian.js` in a fresh Node process, as a user's shell would. */
export function runMeridian(args: readonly string[], options: RunMeridianOptions = {}): Promise<MeridianRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BINARY, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: childEnvironment(), timeout: RUN_TIMEOUT_MS, maxBuffer: OUTPUT_BYTES_MAX, encoding: 'utf8' },
      (error, stdout, stderr) => {
        // A non-zero exit arrives as an error carrying a numeric code; anything else means the spawn failed.
        if (error && typeof error.code !== 'number' && !error.signal) {
          reject(error);
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Parses stdout as JSON, failing with the output in the message so a broken run is easy to read. */
export function parseJsonOutput(run: MeridianRun): unknown {
  try {
    return JSON.parse(run.stdout);
  } catch (error) {
    throw new Error(`stdout is not JSON (${String(error)}); exit ${run.code}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`);
  }
}

/** A short description of a run for assertion messages. */
export function describeRun(run: MeridianRun): string {
  return `exit ${run.code}${run.signal ? ` (signal ${run.signal})` : ''}\nstdout: ${run.stdout.slice(0, 1500)}\nstderr: ${run.stderr.slice(0, 1500)}`;
}
