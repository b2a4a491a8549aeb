import type { Random } from '../random.ts';
import { createHealthCheck, requireHealthCheckIntervalSeconds, resolveHealthCheckConfig, timeToDetectMs, type HealthCheckConfig, type HealthCheckProtocol } from './health-check.ts';
import { createHealthCheckSet, type HealthCheckSet } from './health-check-set.ts';
import { pickIndexByWeight } from './random-choice.ts';
import { RoutingConfigError, RoutingQueryError, requireIntegerInRange } from './routing-errors.ts';

/**
 * AWS Global Accelerator (standard accelerator), one endpoint group per region. Clients reach the
 * nearest edge over anycast, so there is no DNS TTL in the failover path: a new flow is routed with
 * the health known at that instant. Existing flows stay where they are until they end or idle out
 * (340 s TCP, 30 s UDP), which the shell models, not this file.
 * https://docs.aws.amazon.com/global-accelerator/latest/dg/introduction-how-it-works.html
 *
 * Traffic dial: "the percentage is applied only to traffic that is already directed to the endpoint
 * group"; the rest goes to other groups. Two groups at 50 %: half of each coast's requests stay near,
 * half cross to the other region.
 * https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-traffic-dial.html
 * Modelled as a cascade by proximity: the nearest dialled group keeps dial % of the client's flows,
 * the next nearest keeps dial % of what spilled, and the farthest dialled group takes what is left
 * (traffic must land somewhere). The cascade beyond two groups is our reading, not documented.
 *
 * Failover: when the group a flow was directed to has no healthy endpoint, Global Accelerator tries
 * the closest other groups, ignoring their traffic dials (a group dialled to 0 can receive failover),
 * up to three of them; if none is healthy it fails open to the group closest to the client.
 * https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.html
 *
 * Health checks: every 10 or 30 s (default 30), threshold count 1–10 (default 3), protocol TCP by default.
 * https://docs.aws.amazon.com/global-accelerator/latest/api/API_EndpointGroup.html
 * Like the Route 53 model, this one also accepts any whole interval from 1 to 30 s, for fast lab and
 * simulator runs; only 10 and 30 exist on AWS.
 * One health state per group stands for "the group has a healthy endpoint with weight > 0".
 */
export interface EndpointGroupOptions {
  readonly region: string;
  /** Percentage of the traffic directed to this group that it accepts, 0–100. @default 100 */
  readonly trafficDialPercent?: number;
}

export interface AcceleratorOptions {
  readonly endpointGroups: readonly EndpointGroupOptions[];
  /** AWS offers 10 or 30; any whole number from 1 to 30 is accepted for fast lab and simulator runs. @default 30 */
  readonly healthCheckIntervalSeconds?: number;
  /** Consecutive checks to turn a group unhealthy or healthy again, 1–10. @default 3 */
  readonly thresholdCount?: number;
  /** @default 'tcp' */
  readonly healthCheckProtocol?: HealthCheckProtocol;
}

export interface EndpointGroup {
  readonly region: string;
  readonly trafficDialPercent: number;
}

export interface AcceleratorConfig {
  readonly endpointGroups: readonly EndpointGroup[];
  /** One checker per group: the accelerator's own view, no 18 % vote across locations. */
  readonly healthCheck: HealthCheckConfig;
}

export interface AcceleratorClient {
  /** Round trip from the client's location to each region, ranking groups by proximity. */
  readonly rttMsByRegion: Readonly<Record<string, number>>;
}

export interface GroupShare {
  readonly region: string;
  readonly share: number;
}

export type FlowReason = 'directed' | 'failover' | 'fail-open';

export interface FlowRoute {
  readonly region: string;
  readonly reason: FlowReason;
}

/** "Tries three additional endpoint groups" before failing open. */
export const FAILOVER_GROUPS_TRIED_MAX = 3;
export const ENDPOINT_GROUPS_MAX = 64;

export function resolveAcceleratorConfig(options: AcceleratorOptions): AcceleratorConfig {
  requireIntegerInRange('endpointGroups.length', options.endpointGroups.length, 1, ENDPOINT_GROUPS_MAX);
  const regions = new Set<string>();
  const endpointGroups = options.endpointGroups.map((group, index): EndpointGroup => {
    const path = `endpointGroups[${index}]`;
    if (group.region === '' || regions.has(group.region)) throw new RoutingConfigError(`${path}.region`, `empty or duplicate region "${group.region}"`);
    regions.add(group.region);
    const trafficDialPercent = group.trafficDialPercent ?? 100;
    if (!(trafficDialPercent >= 0 && trafficDialPercent <= 100)) throw new RoutingConfigError(`${path}.trafficDialPercent`, `must be in [0, 100], got ${trafficDialPercent}`);
    return { region: group.region, trafficDialPercent };
  });
  const intervalSeconds = requireHealthCheckIntervalSeconds('healthCheckIntervalSeconds', options.healthCheckIntervalSeconds ?? 30);
  const thresholdCount = requireIntegerInRange('thresholdCount', options.thresholdCount ?? 3, 1, 10);
  const healthCheck = resolveHealthCheckConfig({
    requestIntervalSeconds: intervalSeconds,
    failureThreshold: thresholdCount,
    checkerCount: 1,
    protocol: options.healthCheckProtocol ?? 'tcp',
  });
  return { endpointGroups, healthCheck };
}

/** How long after a region fails new flows leave it: detection only, no DNS TTL on top. */
export function acceleratorFailoverMs(config: AcceleratorConfig): number {
  return timeToDetectMs(config.healthCheck);
}

/** One health check per endpoint group, its id the group's region. */
export function createAcceleratorHealthChecks(config: AcceleratorConfig, startMs: number, random?: Random): HealthCheckSet {
  return createHealthCheckSet(config.endpointGroups.map((group) => createHealthCheck(group.region, group.region, config.healthCheck, startMs, random)));
}

/** Where a client's new flows are directed by proximity and traffic dials, before health is considered. */
export function dialShares(config: AcceleratorConfig, client: AcceleratorClient): readonly GroupShare[] {
  const dialled = groupsByProximity(config, client).filter((group) => group.trafficDialPercent > 0);
  let remaining = 1;
  const shares = dialled.map((group, index): GroupShare => {
    const share = index === dialled.length - 1 ? remaining : (remaining * group.trafficDialPercent) / 100;
    remaining -= share;
    return { region: group.region, share };
  });
  return shares.filter((entry) => entry.share > 0);
}

/** The region one new flow from this client lands in, from one random draw. */
export function routeFlow(config: AcceleratorConfig, client: AcceleratorClient, groupHealthy: (region: string) => boolean, random: Random): FlowRoute {
  const shares = dialShares(config, client);
  const directed = shares.length > 0 ? shares[pickIndexByWeight(shares.map((entry) => entry.share), random)]!.region : undefined;
  if (directed !== undefined && groupHealthy(directed)) return { region: directed, reason: 'directed' };
  // With every dial at 0 nothing is directed anywhere (undocumented); the same failover search applies.
  const byProximity = groupsByProximity(config, client);
  const fallback = byProximity
    .filter((group) => group.region !== directed)
    .slice(0, FAILOVER_GROUPS_TRIED_MAX)
    .find((group) => groupHealthy(group.region));
  if (fallback !== undefined) return { region: fallback.region, reason: 'failover' };
  return { region: byProximity[0]!.region, reason: 'fail-open' };
}

function groupsByProximity(config: AcceleratorConfig, client: AcceleratorClient): EndpointGroup[] {
  const rttMs = (group: EndpointGroup): number => {
    const value = client.rttMsByRegion[group.region];
    if (value === undefined || !(value >= 0)) throw new RoutingQueryError(`accelerator client has no round trip to ${group.region}`);
    return value;
  };
  return config.endpointGroups
    .map((group, index) => ({ group, index, rttMs: rttMs(group) }))
    .sort((a, b) => a.rttMs - b.rttMs || a.index - b.index)
    .map((entry) => entry.group);
}
