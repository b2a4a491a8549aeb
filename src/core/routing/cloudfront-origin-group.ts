import { invariant, RoutingConfigError, requireIntegerInRange } from './routing-errors.ts';

/**
 * A CloudFront origin group, decided per request (there is no health state: "CloudFront routes all
 * incoming requests to the primary origin, even when a previous request failed over").
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html
 *
 * - On a cache miss the request goes to the primary. It fails over to the secondary when the primary
 *   returns a configured status code (default 500, 502, 503, 504), when CloudFront cannot connect, or
 *   when the response times out, and only for GET, HEAD and OPTIONS viewer requests.
 * - Connecting: connection timeout 1–10 s (default 10), connection attempts 1–3 (default 3), so by
 *   default 30 s pass before the secondary is tried.
 * - Response timeout 1–60 s (default 30, custom origins). On a timeout GET and HEAD are retried within
 *   the same attempt budget; DELETE, OPTIONS, PATCH, PUT and POST are not.
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html
 * - When the last origin fails, the viewer gets 502 for a refused connection ("couldn't connect to the
 *   origin") and 504 for a timeout.
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html
 */
export interface OriginGroupOptions {
  /** Primary status codes that send the request to the secondary. @default [500, 502, 503, 504] */
  readonly failoverStatusCodes?: readonly number[];
  /** 1–10. @default 10 */
  readonly connectionTimeoutSeconds?: number;
  /** 1–3. @default 3 */
  readonly connectionAttempts?: number;
  /** 1–60 (higher needs a quota increase). @default 30 */
  readonly responseTimeoutSeconds?: number;
}

export interface OriginGroupConfig {
  readonly failoverStatusCodes: readonly number[];
  readonly connectionTimeoutMs: number;
  readonly connectionAttempts: number;
  readonly responseTimeoutMs: number;
}

/** What one origin does with one attempt, as observed by the lab or decided by the simulator. */
export type OriginBehaviour =
  /** SYNs go unanswered: the attempt waits out the connection timeout. */
  | { readonly kind: 'unreachable' }
  /** The connection is refused or reset after `afterMs`. */
  | { readonly kind: 'refuses'; readonly afterMs: number }
  /** Connected after `connectMs`; answers `status` after a further `responseMs`, or never. */
  | { readonly kind: 'responds'; readonly connectMs: number; readonly responseMs: number | 'never'; readonly status: number };

export type OriginOutcome =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'connection-refused' }
  | { readonly kind: 'connection-timeout' }
  | { readonly kind: 'response-timeout' };

export interface OriginAttempts {
  readonly outcome: OriginOutcome;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export interface OriginGroupResult {
  readonly servedBy: 'primary' | 'secondary';
  /** What the viewer receives. */
  readonly status: number;
  /** Time from forwarding to the primary until CloudFront has its answer for the viewer. */
  readonly elapsedMs: number;
  readonly failedOver: boolean;
}

/** The status codes the console offers as failover criteria. */
export const FAILOVER_STATUS_CODES_ALLOWED: readonly number[] = [400, 403, 404, 416, 500, 502, 503, 504];
export const FAILOVER_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];
const RETRY_ON_RESPONSE_TIMEOUT_METHODS: readonly string[] = ['GET', 'HEAD'];

export function resolveOriginGroupConfig(options: OriginGroupOptions = {}): OriginGroupConfig {
  const failoverStatusCodes = [...new Set(options.failoverStatusCodes ?? [500, 502, 503, 504])].sort((a, b) => a - b);
  if (failoverStatusCodes.length === 0) throw new RoutingConfigError('failoverStatusCodes', 'needs at least one status code');
  for (const status of failoverStatusCodes) {
    if (!FAILOVER_STATUS_CODES_ALLOWED.includes(status)) {
      throw new RoutingConfigError('failoverStatusCodes', `${status} is not one of ${FAILOVER_STATUS_CODES_ALLOWED.join(', ')}`);
    }
  }
  return {
    failoverStatusCodes,
    connectionTimeoutMs: requireIntegerInRange('connectionTimeoutSeconds', options.connectionTimeoutSeconds ?? 10, 1, 10) * 1000,
    connectionAttempts: requireIntegerInRange('connectionAttempts', options.connectionAttempts ?? 3, 1, 3),
    responseTimeoutMs: requireIntegerInRange('responseTimeoutSeconds', options.responseTimeoutSeconds ?? 30, 1, 60) * 1000,
  };
}

/** Only GET, HEAD and OPTIONS viewer requests ever fail over. */
export function canFailOver(method: string): boolean {
  return FAILOVER_METHODS.includes(method.toUpperCase());
}

/**
 * One origin's attempts at a request: retried while the connection fails, and on a response timeout
 * for GET and HEAD, up to the configured attempts. `behaviours` lists what each attempt meets; the
 * last entry repeats, so one entry describes an origin that behaves the same every time.
 */
export function attemptOrigin(config: OriginGroupConfig, method: string, behaviours: OriginBehaviour | readonly OriginBehaviour[]): OriginAttempts {
  const perAttempt: readonly OriginBehaviour[] = Array.isArray(behaviours) ? behaviours : [behaviours as OriginBehaviour];
  invariant(perAttempt.length > 0, 'attemptOrigin needs at least one behaviour');
  let elapsedMs = 0;
  for (let attempt = 1; ; attempt++) {
    const single = singleAttempt(config, perAttempt[Math.min(attempt, perAttempt.length) - 1]!);
    elapsedMs += single.elapsedMs;
    if (attempt >= config.connectionAttempts || !retries(method, single.outcome)) return { outcome: single.outcome, attempts: attempt, elapsedMs };
  }
}

function retries(method: string, outcome: OriginOutcome): boolean {
  if (outcome.kind === 'connection-refused' || outcome.kind === 'connection-timeout') return true;
  return outcome.kind === 'response-timeout' && RETRY_ON_RESPONSE_TIMEOUT_METHODS.includes(method.toUpperCase());
}

function singleAttempt(config: OriginGroupConfig, behaviour: OriginBehaviour): { outcome: OriginOutcome; elapsedMs: number } {
  if (behaviour.kind === 'unreachable') return { outcome: { kind: 'connection-timeout' }, elapsedMs: config.connectionTimeoutMs };
  if (behaviour.kind === 'refuses') {
    return behaviour.afterMs < config.connectionTimeoutMs
      ? { outcome: { kind: 'connection-refused' }, elapsedMs: behaviour.afterMs }
      : { outcome: { kind: 'connection-timeout' }, elapsedMs: config.connectionTimeoutMs };
  }
  if (behaviour.connectMs >= config.connectionTimeoutMs) return { outcome: { kind: 'connection-timeout' }, elapsedMs: config.connectionTimeoutMs };
  if (behaviour.responseMs === 'never' || behaviour.responseMs >= config.responseTimeoutMs) {
    return { outcome: { kind: 'response-timeout' }, elapsedMs: behaviour.connectMs + config.responseTimeoutMs };
  }
  return { outcome: { kind: 'response', status: behaviour.status }, elapsedMs: behaviour.connectMs + behaviour.responseMs };
}

/** Whether the primary's outcome sends this request to the secondary. */
export function triggersFailover(config: OriginGroupConfig, method: string, outcome: OriginOutcome): boolean {
  if (!canFailOver(method)) return false;
  return outcome.kind !== 'response' || config.failoverStatusCodes.includes(outcome.status);
}

/** The status the viewer sees for an origin's final outcome. */
export function viewerStatus(outcome: OriginOutcome): number {
  if (outcome.kind === 'response') return outcome.status;
  return outcome.kind === 'connection-refused' ? 502 : 504;
}

/** One viewer request through the origin group: which origin served it, with what, after how long. */
export function originGroupRequest(
  config: OriginGroupConfig,
  method: string,
  primary: OriginBehaviour | readonly OriginBehaviour[],
  secondary: OriginBehaviour | readonly OriginBehaviour[],
): OriginGroupResult {
  const first = attemptOrigin(config, method, primary);
  if (!triggersFailover(config, method, first.outcome)) {
    return { servedBy: 'primary', status: viewerStatus(first.outcome), elapsedMs: first.elapsedMs, failedOver: false };
  }
  const second = attemptOrigin(config, method, secondary);
  return { servedBy: 'secondary', status: viewerStatus(second.outcome), elapsedMs: first.elapsedMs + second.elapsedMs, failedOver: true };
}
