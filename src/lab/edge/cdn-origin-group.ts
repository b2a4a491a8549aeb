/**
 * The CDN edge's origin group, live: one undici pool per origin, each request tried on the primary and,
 * when core/routing says so, on the secondary. Every decision is core's (`cloudfront-origin-group.ts`):
 * whether another attempt on the same origin is due (`attemptOrigin` over the outcomes seen so far),
 * whether the primary's outcome fails over (`triggersFailover`: status codes, connection failure or
 * timeout, GET/HEAD/OPTIONS only), and what the viewer gets when the last origin fails
 * (`viewerStatus`: 502 refused, 504 timed out). This file only turns sockets into outcomes.
 */
import { Pool, type Dispatcher } from 'undici';
import {
  attemptOrigin,
  canFailOver,
  triggersFailover,
  viewerStatus,
  type OriginBehaviour,
  type OriginGroupConfig,
  type OriginOutcome,
} from '../../core/routing/cloudfront-origin-group.ts';
import type { OriginAddress } from './cdn-options.ts';

export type OriginName = 'primary' | 'secondary';

export interface OriginRequest {
  readonly method: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  /** Flat name/value list, hop-by-hop headers already removed. */
  readonly headers: readonly string[];
  /** Held whole so that a repeated attempt sends it again. */
  readonly body: Buffer | undefined;
  /** Aborted when the viewer goes away: no further attempt, no failover. */
  readonly signal: AbortSignal;
}

export type OriginReply =
  | {
      readonly kind: 'response';
      readonly origin: OriginName;
      readonly status: number;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly body: Dispatcher.ResponseData['body'];
    }
  /** The last origin tried gave no answer: `status` is what the viewer gets. */
  | { readonly kind: 'failed'; readonly origin: OriginName; readonly status: number; readonly outcome: OriginOutcome }
  | { readonly kind: 'aborted' };

type AttemptResult =
  | Extract<OriginReply, { kind: 'response' }>
  | { readonly kind: 'failed'; readonly origin: OriginName; readonly outcome: OriginOutcome; readonly error: Error; readonly retryable: boolean }
  | { readonly kind: 'aborted' };

export interface OriginGroupEvents {
  /** One attempt ended without an answer (refused, reset, timed out). */
  attemptFailed(origin: OriginName, outcome: OriginOutcome, error: Error): void;
  failedOver(): void;
}

/** A failing primary's body up to this is read off so its connection can serve again; a longer one is closed. */
const DISCARD_BYTES_MAX = 64 * 1024;
/** undici's errors for a connection that could not be made at all. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECT_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT']);
const RESPONSE_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT']);

export class OriginGroupClient {
  private readonly pools: Record<OriginName, Pool>;

  constructor(
    private readonly config: OriginGroupConfig,
    origins: Readonly<Record<OriginName, OriginAddress>>,
    maxConnectionsPerOrigin: number,
    private readonly events: OriginGroupEvents,
  ) {
    const pool = (address: OriginAddress): Pool =>
      new Pool(`http://${address.host}:${address.port}`, {
        connections: maxConnectionsPerOrigin,
        connect: { timeout: config.connectionTimeoutMs },
        headersTimeout: config.responseTimeoutMs,
        // CloudFront's response timeout is also how long it waits for the next packet of a body.
        bodyTimeout: config.responseTimeoutMs,
      });
    this.pools = { primary: pool(origins.primary), secondary: pool(origins.secondary) };
  }

  /** The primary first; the secondary when core says the primary's outcome fails over. */
  async request(request: OriginRequest): Promise<OriginReply> {
    const first = await this.attempts('primary', request);
    if (first.kind === 'aborted') return first;
    const outcome: OriginOutcome = first.kind === 'response' ? { kind: 'response', status: first.status } : first.outcome;
    if (!triggersFailover(this.config, request.method, outcome)) return reply(first);
    // The primary's answer is dropped: read what is small (so its connection is reused), close the rest.
    if (first.kind === 'response') first.body.dump({ limit: DISCARD_BYTES_MAX }).catch(() => undefined);
    this.events.failedOver();
    return reply(await this.attempts('secondary', request));
  }

  /** Open connections to each origin (busy and idle keep-alive ones). */
  connections(): Record<OriginName, number> {
    return { primary: this.pools.primary.stats.connected, secondary: this.pools.secondary.stats.connected };
  }

  async close(): Promise<void> {
    await Promise.all([this.pools.primary.destroy(), this.pools.secondary.destroy()]);
  }

  /** One origin's attempts: repeated while core's `attemptOrigin`, given the outcomes so far, wants one more. */
  private async attempts(origin: OriginName, request: OriginRequest): Promise<AttemptResult> {
    const observed: OriginBehaviour[] = [];
    let result: AttemptResult = { kind: 'aborted' };
    for (let attempt = 1; attempt <= this.config.connectionAttempts; attempt++) {
      result = await this.attempt(origin, request);
      if (result.kind !== 'failed') return result;
      this.events.attemptFailed(origin, result.outcome, result.error);
      observed.push(behaviourOf(result.outcome));
      // attemptOrigin repeats the last behaviour when it needs more than it was given: it asked for another.
      const wantsAnother = attemptOrigin(this.config, request.method, observed).attempts > observed.length;
      if (!result.retryable || !wantsAnother) return result;
    }
    return result;
  }

  private async attempt(origin: OriginName, request: OriginRequest): Promise<AttemptResult> {
    try {
      const data = await this.pools[origin].request({
        method: request.method as 'GET',
        path: request.path,
        headers: request.headers as string[],
        body: request.body,
        signal: request.signal,
      });
      return { kind: 'response', origin, status: data.statusCode, headers: data.headers, body: data.body };
    } catch (error) {
      if (request.signal.aborted) return { kind: 'aborted' };
      const failure = error instanceof Error ? error : new Error(String(error));
      return { kind: 'failed', origin, error: failure, ...classify(failure, request.method) };
    }
  }
}

function reply(result: AttemptResult): OriginReply {
  if (result.kind !== 'failed') return result;
  return { kind: 'failed', origin: result.origin, status: viewerStatus(result.outcome), outcome: result.outcome };
}

/**
 * An error as core's outcome. A connection the origin closed or reset before answering is a connection
 * failure to CloudFront (the viewer gets 502); it is repeated only for methods that can fail over,
 * since the origin may already have acted on a POST.
 */
function classify(error: Error, method: string): { outcome: OriginOutcome; retryable: boolean } {
  const code = String((error as { code?: unknown }).code ?? '');
  if (NOT_CONNECTED_CODES.has(code)) return { outcome: { kind: 'connection-refused' }, retryable: true };
  if (CONNECT_TIMEOUT_CODES.has(code)) return { outcome: { kind: 'connection-timeout' }, retryable: true };
  if (RESPONSE_TIMEOUT_CODES.has(code)) return { outcome: { kind: 'response-timeout' }, retryable: true };
  return { outcome: { kind: 'connection-refused' }, retryable: canFailOver(method) };
}

/** The behaviour that yields an observed outcome, for replaying the attempts so far through core. */
function behaviourOf(outcome: OriginOutcome): OriginBehaviour {
  switch (outcome.kind) {
    case 'connection-refused':
      return { kind: 'refuses', afterMs: 0 };
    case 'connection-timeout':
      return { kind: 'unreachable' };
    case 'response-timeout':
      return { kind: 'responds', connectMs: 0, responseMs: 'never', status: 504 };
    case 'response':
      return { kind: 'responds', connectMs: 0, responseMs: 0, status: outcome.status };
  }
}
