import type { Consistency, Edge, Engine, RegionRole, RoutingPolicy } from './schema.ts';

/**
 * The spec with every default filled in, read-only. Everything downstream reads this, never the raw
 * spec, so that defaults live in exactly one place (resolveSpec).
 */
export interface ResolvedRegion {
  readonly code: string;
  readonly role: RegionRole;
  /** Declared instance count; undefined means "size from traffic". */
  readonly instances: number | undefined;
  readonly requestsPerSecondPerInstance: number;
}

export interface PopulationPoint {
  readonly label: string;
  readonly lat: number;
  readonly lon: number;
  /** Share of the population at this point; the shares of a population add up to 1. */
  readonly weight: number;
  /** ISO country code, when the point is a country centroid. */
  readonly country: string | undefined;
  readonly continent: string | undefined;
}

export interface ResolvedPopulation {
  readonly name: string;
  readonly points: readonly PopulationPoint[];
  readonly requestsPerSecond: number;
  /** Weight per data class (1 unless the spec says otherwise). */
  readonly mix: Readonly<Record<string, number>>;
  readonly accessRttMs: number;
  readonly dnsResolvers: number;
}

export interface ResolvedService {
  readonly name: string;
  readonly app: 'sample-shop' | undefined;
  readonly command: string | undefined;
  readonly healthPath: string;
  /** The container image for `meridian synth`; undefined: synth deploys a placeholder server. */
  readonly image: string | undefined;
}

export interface ResolvedDataClass {
  readonly name: string;
  readonly consistency: Consistency;
  /** Zone name, or undefined for data that may live anywhere. */
  readonly residency: string | undefined;
  readonly itemSizeBytes: number;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
  readonly storageGb: number;
  /** Declared replica regions; undefined lets the architecture choose. */
  readonly replicas: readonly string[] | undefined;
  readonly witness: string | undefined;
  readonly engine: Engine;
  readonly replicationLagMs: number;
  readonly consistentReads: boolean;
}

export interface ResolvedHealthCheck {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly path: string;
}

export interface ResolvedRouting {
  readonly policy: RoutingPolicy;
  readonly healthCheck: ResolvedHealthCheck | undefined;
  readonly ttlSeconds: number;
  readonly edge: Edge;
  readonly weights: Readonly<Record<string, number>>;
  readonly recordTtlSeconds: Readonly<Record<string, number>>;
  readonly geolocation: {
    readonly countries: Readonly<Record<string, string>>;
    readonly continents: Readonly<Record<string, string>>;
    readonly default: string | undefined;
  };
  readonly evaluateTargetHealth: boolean;
}

export interface ResolvedSlo {
  readonly availability: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly rpoSeconds: number | undefined;
  readonly rtoSeconds: number | undefined;
}

export interface ResolvedAssumptions {
  readonly accessRttMs: number;
  readonly networkP99OverP50: number;
  readonly appServiceTimeMs: { readonly p50: number; readonly p99: number };
  readonly regionalIncidentMinutes: number;
  readonly responseBytes: number;
  readonly capacityHeadroom: number;
  readonly auroraIoPerWrite: number;
  readonly auroraIoPerRead: number;
  readonly requestsPerSecondPerInstance: number;
  readonly dnsResolversPerPopulation: number;
  readonly clientTimeoutMs: number;
  readonly keysPerDataClass: number;
}

export interface ResolvedSpec {
  readonly name: string;
  readonly domain: string;
  /** In the order the spec lists them. */
  readonly regions: readonly ResolvedRegion[];
  readonly zones: Readonly<Record<string, readonly string[]>>;
  readonly populations: readonly ResolvedPopulation[];
  readonly services: readonly ResolvedService[];
  readonly data: readonly ResolvedDataClass[];
  readonly routing: ResolvedRouting;
  readonly topology: 'active-active' | 'active-passive';
  readonly slo: ResolvedSlo;
  readonly budget: { readonly monthlyUsd: number | undefined };
  readonly deploy: {
    readonly order: readonly string[];
    readonly bakeMinutes: number;
    readonly healthGates: { readonly errorRateMax: number; readonly latencyP99MsMax: number | undefined };
  };
  readonly assumptions: ResolvedAssumptions;
}
