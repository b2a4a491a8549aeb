import type { Random } from '../random.ts';
import { invariant, RoutingConfigError, requireIntegerInRange } from './routing-errors.ts';

/**
 * A Route 53 endpoint health check as a pure state machine.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 *
 * - Checkers in several locations probe the endpoint independently, each every 10 or 30 s; they do
 *   not coordinate, so probes bunch up and gap. Here each checker has its own staggered schedule.
 *   The model also accepts any whole interval from 1 to 30 s, which AWS does not offer, so that lab and
 *   simulator runs can fail over in seconds (see `HEALTH_CHECK_INTERVAL_SECONDS_MIN`).
 * - A checker changes its view after `failureThreshold` consecutive results that contradict it, in
 *   either direction ("the number of consecutive health checks that an endpoint must pass or fail for
 *   Route 53 to change the current status of the endpoint from unhealthy to healthy or vice versa").
 * - The endpoint is healthy when MORE than 18 % of checkers report healthy, so that a network problem
 *   isolating some checker locations does not mark it down.
 * - HTTP(S): connect within 4 s and answer 2xx/3xx within 2 s of connecting; TCP: connect within 10 s.
 *   The shell judges each probe with these timeouts and reports ok / not ok.
 *
 * The shell calls `tickHealthCheck` (at `nextProbeDueAtMs` in the simulator, periodically in the lab),
 * carries out the probe effects, and feeds each result back through `recordProbe`.
 */
export type HealthCheckProtocol = 'http' | 'https' | 'tcp';

export interface HealthCheckOptions {
  /**
   * Seconds between one checker's probes. Route 53 offers 10 ("fast") or 30; any whole number from 1 to
   * 30 is accepted for fast lab and simulator runs (see `HEALTH_CHECK_INTERVAL_SECONDS_MIN`). @default 30
   */
  readonly requestIntervalSeconds?: number;
  /** Consecutive contrary results that flip one checker's view, either way: 1–10. @default 3 */
  readonly failureThreshold?: number;
  /**
   * Independent checkers, 1–64. Route 53 offers 8 health-checker regions and needs at least 3; each
   * region runs several checkers (at a 30 s interval an endpoint sees a probe about every 2 s).
   * @default 8
   */
  readonly checkerCount?: number;
  /** @default 'http' */
  readonly protocol?: HealthCheckProtocol;
  /** The endpoint is healthy when strictly more than this percentage of checkers say so. @default 18 */
  readonly healthyCheckerPercentAbove?: number;
  /** Whether checkers start out reporting healthy (a run usually starts with every region up). @default true */
  readonly initiallyHealthy?: boolean;
}

export interface HealthCheckConfig {
  readonly intervalMs: number;
  readonly failureThreshold: number;
  readonly checkerCount: number;
  readonly protocol: HealthCheckProtocol;
  readonly connectTimeoutMs: number;
  /** 0 for TCP checks, which end once connected. */
  readonly responseTimeoutMs: number;
  readonly healthyCheckerPercentAbove: number;
  readonly initiallyHealthy: boolean;
}

/** The request intervals Route 53 really offers; the only ones an AWS deployment can use. */
export const ROUTE53_REQUEST_INTERVALS_SECONDS: readonly number[] = [10, 30];
/**
 * The intervals the model accepts: any whole number of seconds from 1 to 30. Values other than
 * `ROUTE53_REQUEST_INTERVALS_SECONDS` exist on no AWS service; they are a lab and simulator setting, so
 * that an experiment fails over in seconds (1 s × threshold 2 detects a failure in about 2 s) and the
 * simulator predicts such a run with the same state machine as a slow one. The spec rules warn about
 * them and synthesis for AWS refuses them.
 */
export const HEALTH_CHECK_INTERVAL_SECONDS_MIN = 1;
export const HEALTH_CHECK_INTERVAL_SECONDS_MAX = 30;
export const HEALTH_CHECKERS_MAX = 64;
const TIMEOUTS_MS: Readonly<Record<HealthCheckProtocol, { connectTimeoutMs: number; responseTimeoutMs: number }>> = {
  http: { connectTimeoutMs: 4_000, responseTimeoutMs: 2_000 },
  https: { connectTimeoutMs: 4_000, responseTimeoutMs: 2_000 },
  tcp: { connectTimeoutMs: 10_000, responseTimeoutMs: 0 },
};

export function resolveHealthCheckConfig(options: HealthCheckOptions = {}): HealthCheckConfig {
  const requestIntervalSeconds = requireHealthCheckIntervalSeconds('requestIntervalSeconds', options.requestIntervalSeconds ?? 30);
  const healthyCheckerPercentAbove = options.healthyCheckerPercentAbove ?? 18;
  if (!(healthyCheckerPercentAbove >= 0 && healthyCheckerPercentAbove < 100)) {
    throw new RoutingConfigError('healthyCheckerPercentAbove', `must be in [0, 100), got ${healthyCheckerPercentAbove}`);
  }
  const protocol = options.protocol ?? 'http';
  return {
    intervalMs: requestIntervalSeconds * 1000,
    failureThreshold: requireIntegerInRange('failureThreshold', options.failureThreshold ?? 3, 1, 10),
    checkerCount: requireIntegerInRange('checkerCount', options.checkerCount ?? 8, 1, HEALTH_CHECKERS_MAX),
    protocol,
    ...TIMEOUTS_MS[protocol],
    healthyCheckerPercentAbove,
    initiallyHealthy: options.initiallyHealthy ?? true,
  };
}

/**
 * Throws a RoutingConfigError unless the interval is a whole number of seconds from 1 to 30. Route 53
 * and Global Accelerator offer only 10 and 30; the rest are for fast lab and simulator runs.
 */
export function requireHealthCheckIntervalSeconds(path: string, intervalSeconds: number): number {
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < HEALTH_CHECK_INTERVAL_SECONDS_MIN || intervalSeconds > HEALTH_CHECK_INTERVAL_SECONDS_MAX) {
    const offered = ROUTE53_REQUEST_INTERVALS_SECONDS.join(' or ');
    throw new RoutingConfigError(
      path,
      `must be a whole number of seconds from ${HEALTH_CHECK_INTERVAL_SECONDS_MIN} to ${HEALTH_CHECK_INTERVAL_SECONDS_MAX} (AWS offers ${offered}), got ${intervalSeconds}`,
    );
  }
  return intervalSeconds;
}

/** Roughly how long after an endpoint fails its health check turns unhealthy: interval × threshold. */
export function timeToDetectMs(config: HealthCheckConfig): number {
  return config.intervalMs * config.failureThreshold;
}

export interface CheckerState {
  readonly nextProbeAtMs: number;
  readonly reportsHealthy: boolean;
  /** Consecutive results contradicting `reportsHealthy`; reaching the threshold flips the view. */
  readonly contraryStreak: number;
}

export interface HealthCheckState {
  readonly healthCheckId: string;
  readonly target: string;
  readonly config: HealthCheckConfig;
  readonly checkers: readonly CheckerState[];
  readonly healthy: boolean;
}

export interface ProbeEffect {
  readonly kind: 'probe';
  readonly healthCheckId: string;
  readonly target: string;
  readonly checkerId: number;
  readonly atMs: number;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
}

export interface HealthChangedEffect {
  readonly kind: 'health-changed';
  readonly healthCheckId: string;
  readonly target: string;
  readonly healthy: boolean;
  readonly atMs: number;
}

/**
 * Checker i first probes at startMs + i × interval / checkerCount, spreading probes over the interval;
 * with a Random, each checker gets an independent offset instead, like uncoordinated Route 53 checkers.
 */
export function createHealthCheck(healthCheckId: string, target: string, config: HealthCheckConfig, startMs: number, random?: Random): HealthCheckState {
  const checkers = Array.from({ length: config.checkerCount }, (_, checkerId): CheckerState => {
    const offsetMs = random ? Math.floor(random.nextFloat() * config.intervalMs) : Math.floor((checkerId * config.intervalMs) / config.checkerCount);
    return { nextProbeAtMs: startMs + offsetMs, reportsHealthy: config.initiallyHealthy, contraryStreak: 0 };
  });
  return { healthCheckId, target, config, checkers, healthy: aggregateHealthy(checkers, config) };
}

/** Probes due by `nowMs`, at most one per checker: slots missed by a late tick are skipped, not replayed. */
export function tickHealthCheck(state: HealthCheckState, nowMs: number): { state: HealthCheckState; effects: readonly ProbeEffect[] } {
  const { intervalMs, connectTimeoutMs, responseTimeoutMs } = state.config;
  const effects: ProbeEffect[] = [];
  const checkers = state.checkers.map((checker, checkerId) => {
    if (checker.nextProbeAtMs > nowMs) return checker;
    effects.push({ kind: 'probe', healthCheckId: state.healthCheckId, target: state.target, checkerId, atMs: nowMs, connectTimeoutMs, responseTimeoutMs });
    const slotsMissed = Math.floor((nowMs - checker.nextProbeAtMs) / intervalMs);
    return { ...checker, nextProbeAtMs: checker.nextProbeAtMs + (slotsMissed + 1) * intervalMs };
  });
  return { state: effects.length > 0 ? { ...state, checkers } : state, effects };
}

/** One checker's probe result; emits `health-changed` when the aggregate view flips. */
export function recordProbe(
  state: HealthCheckState,
  checkerId: number,
  ok: boolean,
  nowMs: number,
): { state: HealthCheckState; effects: readonly HealthChangedEffect[] } {
  invariant(Number.isInteger(checkerId) && checkerId >= 0 && checkerId < state.checkers.length, `no checker ${checkerId} on ${state.healthCheckId}`);
  const checkers = state.checkers.map((checker, index) => (index === checkerId ? nextCheckerView(checker, ok, state.config.failureThreshold) : checker));
  const healthy = aggregateHealthy(checkers, state.config);
  const effects: HealthChangedEffect[] =
    healthy === state.healthy ? [] : [{ kind: 'health-changed', healthCheckId: state.healthCheckId, target: state.target, healthy, atMs: nowMs }];
  return { state: { ...state, checkers, healthy }, effects };
}

function nextCheckerView(checker: CheckerState, ok: boolean, failureThreshold: number): CheckerState {
  if (ok === checker.reportsHealthy) return checker.contraryStreak === 0 ? checker : { ...checker, contraryStreak: 0 };
  const contraryStreak = checker.contraryStreak + 1;
  return contraryStreak >= failureThreshold ? { ...checker, reportsHealthy: ok, contraryStreak: 0 } : { ...checker, contraryStreak };
}

function aggregateHealthy(checkers: readonly CheckerState[], config: HealthCheckConfig): boolean {
  // Integer comparison keeps the boundary exact: 18 of 100 is not "more than 18 %".
  return healthyCheckerCount(checkers) * 100 > config.healthyCheckerPercentAbove * checkers.length;
}

export function healthyCheckerCount(checkers: readonly CheckerState[]): number {
  return checkers.filter((checker) => checker.reportsHealthy).length;
}

export function isHealthy(state: HealthCheckState): boolean {
  return state.healthy;
}

/** When the next probe falls due: the simulator schedules its next tick there. */
export function nextProbeDueAtMs(state: HealthCheckState): number {
  return Math.min(...state.checkers.map((checker) => checker.nextProbeAtMs));
}
