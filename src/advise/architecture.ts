import type { DeployedEngine } from '../core/cost/cost-model.ts';
import type { ResolvedHealthCheck } from '../spec/resolved-spec.ts';
import type { Consistency, Edge, RoutingPolicy } from '../spec/schema.ts';

/** Candidate architectures, from simplest to most complex. */
export const ARCHITECTURE_KINDS = ['single-region', 'active-passive', 'active-active', 'partitioned-active-active'] as const;
export type ArchitectureKind = (typeof ARCHITECTURE_KINDS)[number];

/** Where a data class lives in an architecture and how it replicates. */
export interface DataPlacement {
  readonly dataClass: string;
  readonly consistency: Consistency;
  readonly engine: DeployedEngine;
  /** Regions holding a full replica. */
  readonly replicas: readonly string[];
  /** The one region that takes writes (single-writer engines and home-region placements). */
  readonly writer: string | undefined;
  readonly witness: string | undefined;
  readonly residencyZone: string | undefined;
  /** One sentence: what the engine is and why it was chosen. */
  readonly description: string;
}

export interface GeolocationPlan {
  /** Region per country code, for countries of the spec's populations. */
  readonly countries: Readonly<Record<string, string>>;
  readonly continents: Readonly<Record<string, string>>;
  readonly default: string | undefined;
  /** Regions a partition may fail over to, per primary target (partitioned designs stay in their zone). */
  readonly failoverWithin: Readonly<Record<string, readonly string[]>>;
}

export interface ArchitectureRouting {
  readonly policy: RoutingPolicy;
  readonly healthCheck: ResolvedHealthCheck | undefined;
  readonly ttlSeconds: number;
  readonly edge: Edge;
  readonly weights: Readonly<Record<string, number>>;
  readonly geolocation: GeolocationPlan | undefined;
}

export interface Architecture {
  readonly kind: ArchitectureKind;
  /** 0 for the simplest; the recommendation takes the lowest that meets every requirement. */
  readonly complexity: number;
  readonly title: string;
  readonly summary: string;
  readonly primary: string;
  /** Regions that take user traffic in steady state. */
  readonly servingRegions: readonly string[];
  /** Regions that take traffic only after a failover, in failover order. */
  readonly standbyRegions: readonly string[];
  readonly routing: ArchitectureRouting;
  readonly placements: readonly DataPlacement[];
  /** Why the architecture cannot be built as the spec requires (empty when it can). */
  readonly infeasible: readonly string[];
}
