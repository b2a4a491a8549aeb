import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/**
 * A lean DynamoDB load client: an undici Pool of keep-alive connections, request bodies serialised
 * before the clock starts, one outstanding request per connection, a fixed duration. It measures
 * throughput, latency per request and its own CPU use, so that a saturated client is visible in the
 * report instead of passing for a slow server.
 */
export interface LoadOptions {
  readonly pool: Pool;
  /** `DynamoDB_20120810.<Operation>`. */
  readonly target: string;
  /** Pre-serialised request bodies, used round-robin. */
  readonly bodies: readonly Buffer[];
  readonly connections: number;
  readonly durationMs: number;
  /** Checks an answer; a false is counted as an error. Without `readBody` the body is discarded unread. */
  readonly accept: (status: number, body: string) => boolean;
  readonly readBody: boolean;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly wallMs: number;
  /** User + system CPU of this (client) process during the run. */
  readonly clientCpuMs: number;
  /** Latencies of the first `LATENCY_SAMPLES_MAX` requests, ascending. */
  readonly latenciesMs: Float64Array;
}

/** Bounds the latency record (32 MB): at the rates measured here a run never reaches it. */
const LATENCY_SAMPLES_MAX = 4_000_000;

/**
 * The headers DynamoDB clients send, as the flat name/value array undici takes without converting.
 * dynalite insists on a SigV4-shaped Authorization header; neither server checks the signature.
 */
export function dynamoHeaders(target: string): string[] {
  return [
    'content-type', 'application/x-amz-json-1.0',
    'x-amz-target', target,
    'x-amz-date', '20250101T000000Z',
    'authorization', 'AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0',
  ];
}

/**
 * One loop per connection, driven by undici's raw dispatch handler: no Promise, stream or header
 * object per request, so the client spends as little CPU as it can and the servers' differences show.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const headers = dynamoHeaders(options.target);
  const latencies = new Float64Array(LATENCY_SAMPLES_MAX);
  let requests = 0;
  let errors = 0;
  let nextBody = 0;
  let running = options.connections;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const endsAt = started + options.durationMs;
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      if (--running > 0) return;
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const recorded = latencies.subarray(0, Math.min(requests, LATENCY_SAMPLES_MAX)).sort();
      resolve({ requests, errors, wallMs, clientCpuMs: (cpu.user + cpu.system) / 1000, latenciesMs: recorded });
    };
    const issue = (): void => {
      const sent = performance.now();
      if (sent >= endsAt) {
        finish();
        return;
      }
      const body = options.bodies[nextBody]!;
      nextBody = (nextBody + 1) % options.bodies.length;
      sendOne(options.pool, headers, body, options.readBody, (status, text) => {
        if (requests < LATENCY_SAMPLES_MAX) latencies[requests] = performance.now() - sent;
        requests++;
        if (!options.accept(status, text)) errors++;
        issue();
      }, reject);
    };
    for (let connection = 0; connection < options.connections; connection++) issue();
  });
}

/** One request through undici's dispatch API; the body is kept only when asked for. */
function sendOne(
  pool: Pool,
  headers: string[],
  body: Buffer,
  keepBody: boolean,
  done: (status: number, text: string) => void,
  fail: (error: Error) => void,
): void {
  let status = 0;
  const chunks: Buffer[] = [];
  pool.dispatch(
    { path: '/', method: 'POST', headers, body },
    {
      onConnect: () => {},
      onError: fail,
      onHeaders: (statusCode: number) => {
        status = statusCode;
        return true;
      },
      onData: (chunk: Buffer) => {
        if (keepBody) chunks.push(chunk);
        return true;
      },
      onComplete: () => done(status, keepBody ? Buffer.concat(chunks).toString('utf8') : ''),
    },
  );
}

/** The value at quantile `q` (0–1) of ascending samples. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Sends one request and returns its status and body (setup calls: CreateTable, preload). */
export async function call(pool: Pool, target: string, body: object): Promise<{ status: number; text: string }> {
  const response = await pool.request({ path: '/', method: 'POST', headers: dynamoHeaders(target), body: JSON.stringify(body) });
  return { status: response.statusCode, text: await response.body.text() };
}
