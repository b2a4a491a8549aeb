/**
 * A ready-made route for the accelerator edge: core/routing's `routeFlow` (proximity, traffic dials,
 * failover to the nearest healthy groups, fail-open) over each population's round trips to the regions,
 * the caller's health view, and one Random. The edge asks it once per new connection.
 */
import type { Random } from '../../core/random.ts';
import { routeFlow, type AcceleratorConfig, type FlowReason } from '../../core/routing/global-accelerator.ts';
import type { AcceleratorTarget } from './accelerator-options.ts';
import { EdgeConfigError } from './edge-errors.ts';
import { requireLoopbackHost, requirePort } from './edge-option-checks.ts';

export interface AcceleratorRouterConfig {
  /** Endpoint groups and their traffic dials, from core/routing's `resolveAcceleratorConfig`. */
  readonly accelerator: AcceleratorConfig;
  /** Round trip from each population to each region: what ranks the groups for its clients. */
  readonly rttMsByPopulation: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The address each region's endpoint listens on (its service, or the WAN link in front of it). */
  readonly endpoints: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
}

export interface AcceleratorRoutedTarget extends AcceleratorTarget {
  readonly reason: FlowReason;
}

export interface AcceleratorRouter {
  /** Pass to `startAcceleratorEdge({ route })`; undefined for a population it does not know. */
  readonly route: (population: string) => AcceleratorRoutedTarget | undefined;
  /** New flows per reason since the start: how many were directed, failed over, or failed open. */
  readonly reasons: () => Readonly<Record<FlowReason, number>>;
}

/**
 * Checks that every group has an endpoint and every population a round trip to every group (core would
 * otherwise throw on the first flow), then routes each call with `routeFlow`.
 */
export function createAcceleratorRouter(config: AcceleratorRouterConfig, healthy: (region: string) => boolean, random: Random): AcceleratorRouter {
  const endpoints = new Map<string, { host: string; port: number }>();
  for (const group of config.accelerator.endpointGroups) {
    const endpoint = config.endpoints[group.region];
    const field = `endpoints.${group.region}`;
    if (endpoint === undefined) throw new EdgeConfigError(field, 'every endpoint group needs an address');
    endpoints.set(group.region, { host: requireLoopbackHost(`${field}.host`, endpoint.host), port: requirePort(`${field}.port`, endpoint.port, false) });
  }
  const clients = new Map<string, { rttMsByRegion: Readonly<Record<string, number>> }>();
  for (const [population, rttMsByRegion] of Object.entries(config.rttMsByPopulation)) {
    for (const group of config.accelerator.endpointGroups) {
      const rttMs = rttMsByRegion[group.region];
      if (rttMs === undefined || !(rttMs >= 0)) throw new EdgeConfigError(`rttMsByPopulation.${population}.${group.region}`, 'needs a round trip in ms, at least 0');
    }
    clients.set(population, { rttMsByRegion });
  }
  const reasons: Record<FlowReason, number> = { directed: 0, failover: 0, 'fail-open': 0 };
  return {
    route: (population) => {
      const client = clients.get(population);
      if (client === undefined) return undefined;
      const flow = routeFlow(config.accelerator, client, healthy, random);
      reasons[flow.reason]++;
      return { region: flow.region, reason: flow.reason, ...endpoints.get(flow.region)! };
    },
    reasons: () => ({ ...reasons }),
  };
}
