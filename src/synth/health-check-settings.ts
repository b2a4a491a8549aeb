import { SynthRefusal } from './synth-errors.ts';
import type { SynthRouting } from './synth-plan.ts';

/** The request intervals Route 53 and Global Accelerator offer; nothing in between. */
export const HEALTH_CHECK_INTERVALS_SECONDS: readonly number[] = [10, 30];
/** Both services count consecutive failures from 1 to 10. */
export const HEALTH_CHECK_THRESHOLD_MAX = 10;

export interface HealthCheckSettings {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly path: string;
}

/**
 * The health check every layer uses (Route 53 health checks, accelerator endpoint groups, the ALB target
 * group): the plan's, or when the plan has none, AWS's standard interval (30 s) and threshold (3) on the
 * service's health path. Values AWS does not offer are refused rather than rounded, so a deployed check
 * never detects failures slower or faster than the spec was simulated with.
 */
export function healthCheckSettings(planned: SynthRouting['healthCheck'], servicePath: string): HealthCheckSettings {
  const settings = planned ?? { intervalSeconds: 30, failureThreshold: 3, path: servicePath };
  if (!HEALTH_CHECK_INTERVALS_SECONDS.includes(settings.intervalSeconds)) {
    throw new SynthRefusal(
      'health-check-interval',
      `health check interval ${settings.intervalSeconds} s: Route 53 and Global Accelerator check every ${HEALTH_CHECK_INTERVALS_SECONDS.join(' or ')} s`,
    );
  }
  if (!Number.isInteger(settings.failureThreshold) || settings.failureThreshold < 1 || settings.failureThreshold > HEALTH_CHECK_THRESHOLD_MAX) {
    throw new SynthRefusal('health-check-threshold', `health check failure threshold ${settings.failureThreshold}: AWS accepts 1 to ${HEALTH_CHECK_THRESHOLD_MAX}`);
  }
  return settings;
}
