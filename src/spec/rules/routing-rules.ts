import { CONTINENT_CODES, findCountry } from '../../catalog/countries.ts';
import { SERVICE_LEVELS } from '../../catalog/service-levels.ts';
import { HEALTH_CHECK_INTERVAL_SECONDS_MAX, HEALTH_CHECK_INTERVAL_SECONDS_MIN } from '../../core/routing/health-check.ts';
import type { PopulationPoint, ResolvedSpec } from '../resolved-spec.ts';
import { issueError, issueWarning, type SpecIssue } from '../spec-issue.ts';
import type { SpecRule } from './rule.ts';

export const failoverHealthCheck: SpecRule = {
  id: 'failover-health-check',
  description: 'Failover routing has a health check, else the secondary never takes over.',
  check(spec) {
    if (spec.routing.policy !== 'failover' || spec.routing.healthCheck) return [];
    return [issueError('failover-health-check', 'routing.healthCheck', 'failover routing needs a health check on the primary: without one Route 53 never fails over')];
  },
};

export const failoverPrimary: SpecRule = {
  id: 'failover-primary',
  description: 'Failover routing has exactly one primary region and at least one other region.',
  check(spec, parsed) {
    if (spec.routing.policy !== 'failover') return [];
    const declared = Object.entries(parsed.regions).filter(([, region]) => region.role === 'primary').map(([code]) => code);
    if (declared.length !== 1) {
      const found = declared.length === 0 ? 'none is declared' : `${declared.join(', ')} are declared`;
      return [issueError('failover-primary', 'regions', `failover routing needs exactly one region with role: primary; ${found}`)];
    }
    if (spec.regions.length < 2) return [issueError('failover-primary', 'regions', 'failover routing needs a secondary or standby region')];
    return [];
  },
};

/** The region a geolocation rule set gives a point: country > continent > default. */
export function geolocationTarget(spec: ResolvedSpec, point: PopulationPoint): string | undefined {
  const rules = spec.routing.geolocation;
  return (point.country && rules.countries[point.country]) ?? (point.continent && rules.continents[point.continent]) ?? rules.default;
}

export const geolocationCoverage: SpecRule = {
  id: 'geolocation-coverage',
  description: 'Under geolocation routing every population is covered by a country, continent or default rule.',
  check(spec, parsed) {
    if (spec.routing.policy !== 'geolocation') return [];
    const issues: SpecIssue[] = [];
    for (const population of spec.populations) {
      const uncovered = population.points.filter((point) => !geolocationTarget(spec, point)).map((point) => point.label);
      if (uncovered.length > 0) {
        issues.push(
          issueError('geolocation-coverage', `populations.${population.name}`, `geolocation routing has no rule for ${uncovered.join(', ')} and no default: Route 53 would answer NOERROR with no record`),
        );
      }
    }
    const geolocation = parsed.routing.geolocation;
    for (const code of Object.keys(geolocation?.countries ?? {})) {
      if (!findCountry(code)) issues.push(issueError('geolocation-coverage', `routing.geolocation.countries.${code}`, `unknown country code '${code}'`));
      else if (code !== code.toUpperCase()) {
        issues.push(issueError('geolocation-coverage', `routing.geolocation.countries.${code}`, `country codes are upper-case: write '${code.toUpperCase()}'`));
      }
    }
    for (const code of Object.keys(geolocation?.continents ?? {})) {
      if (!(CONTINENT_CODES as readonly string[]).includes(code)) {
        issues.push(issueError('geolocation-coverage', `routing.geolocation.continents.${code}`, `unknown continent code '${code}' (use ${CONTINENT_CODES.join(', ')})`));
      }
    }
    return issues;
  },
};

export const weightedWeights: SpecRule = {
  id: 'weighted-weights',
  description: 'Weighted routing has weights, not all of them 0.',
  check(spec) {
    if (spec.routing.policy !== 'weighted') return [];
    const weights = Object.values(spec.routing.weights);
    if (weights.length === 0) return [issueError('weighted-weights', 'routing.weights', 'weighted routing needs a weight per region')];
    if (weights.every((weight) => weight === 0)) {
      return [issueError('weighted-weights', 'routing.weights', 'every weight is 0: Route 53 would then split traffic evenly, which is rarely what a drain means')];
    }
    return [];
  },
};

export const healthCheckSettings: SpecRule = {
  id: 'health-check-settings',
  description:
    'Health checks use an interval Route 53 offers (10 or 30 s) and a threshold of 1 to 10; other whole intervals from 1 to 30 s are a warned lab and simulator setting.',
  check(spec) {
    const check = spec.routing.healthCheck;
    if (!check) return [];
    const limits = SERVICE_LEVELS.route53_health_check;
    const issues: SpecIssue[] = [];
    const interval = intervalIssue(check.intervalSeconds);
    if (interval) issues.push(interval);
    const threshold = check.failureThreshold;
    if (!Number.isInteger(threshold) || threshold < limits.failure_threshold_min || threshold > limits.failure_threshold_max) {
      issues.push(issueError('health-check-settings', 'routing.healthCheck.failureThreshold', `failure threshold must be a whole number from ${limits.failure_threshold_min} to ${limits.failure_threshold_max}, not ${threshold}`));
    }
    if (!check.path.startsWith('/')) issues.push(issueError('health-check-settings', 'routing.healthCheck.path', `health-check path must start with '/', not '${check.path}'`));
    return issues;
  },
};

/**
 * An interval AWS offers is fine. Any other whole number of seconds from 1 to 30 is a deliberate
 * non-AWS setting that makes lab and simulator experiments fail over in seconds, so it only warns;
 * anything else is an error.
 */
function intervalIssue(intervalSeconds: number): SpecIssue | undefined {
  const path = 'routing.healthCheck.intervalSeconds';
  // Global Accelerator offers the same two intervals (service-levels.json), so one list speaks for both.
  const offered = SERVICE_LEVELS.route53_health_check.intervals_seconds;
  if (offered.includes(intervalSeconds)) return undefined;
  const offeredText = offered.join(' or ');
  if (Number.isInteger(intervalSeconds) && intervalSeconds >= HEALTH_CHECK_INTERVAL_SECONDS_MIN && intervalSeconds <= HEALTH_CHECK_INTERVAL_SECONDS_MAX) {
    return issueWarning(
      'health-check-settings',
      path,
      `interval ${intervalSeconds} s is a non-AWS setting: Route 53 and Global Accelerator health checks only run every ${offeredText} seconds; ` +
        `this value is for fast lab and simulator runs, and \`meridian synth\` will refuse it`,
    );
  }
  return issueError(
    'health-check-settings',
    path,
    `Route 53 health checks run every ${offeredText} seconds (fast lab and simulator runs may use a whole number from ${HEALTH_CHECK_INTERVAL_SECONDS_MIN} to ${HEALTH_CHECK_INTERVAL_SECONDS_MAX}), not ${intervalSeconds}`,
  );
}

export const healthCheckedTtl: SpecRule = {
  id: 'health-checked-ttl',
  description: 'Warns when health-checked records have a TTL above 60 s, which slows failover for every resolver.',
  check(spec) {
    if (!spec.routing.healthCheck) return [];
    const maximum = SERVICE_LEVELS.route53_health_check.ttl_seconds_advised_max;
    const issues: SpecIssue[] = [];
    if (spec.routing.ttlSeconds > maximum) {
      issues.push(issueWarning('health-checked-ttl', 'routing.ttlSeconds', `TTL ${spec.routing.ttlSeconds} s on health-checked records: resolvers keep a failed region up to that long; AWS advises ${maximum} s or less`));
    }
    for (const [code, ttl] of Object.entries(spec.routing.recordTtlSeconds)) {
      if (ttl > maximum) issues.push(issueWarning('health-checked-ttl', `routing.recordTtlSeconds.${code}`, `TTL ${ttl} s on a health-checked record; AWS advises ${maximum} s or less`));
    }
    return issues;
  },
};

export const routingGroupTtl: SpecRule = {
  id: 'routing-group-ttl',
  description: 'Records of one routing group share one TTL.',
  check(spec) {
    const ttls = new Set([spec.routing.ttlSeconds, ...Object.values(spec.routing.recordTtlSeconds)]);
    if (ttls.size <= 1) return [];
    return [issueError('routing-group-ttl', 'routing.recordTtlSeconds', `records in one routing group have different TTLs (${[...ttls].join(', ')} s); Route 53 requires one TTL per group`)];
  },
};

export const edgeAndPolicy: SpecRule = {
  id: 'edge-policy',
  description: 'An edge in front of the regions replaces DNS steering; multivalue answers stay within 8.',
  check(spec) {
    const issues: SpecIssue[] = [];
    const maximum = SERVICE_LEVELS.route53_multivalue_answers_max.value;
    if (spec.routing.policy === 'multivalue' && spec.regions.length > maximum) {
      issues.push(issueWarning('edge-policy', 'routing.policy', `multivalue routing answers with at most ${maximum} healthy records; ${spec.regions.length - maximum} regions will not be returned at a time`));
    }
    return issues;
  },
};
