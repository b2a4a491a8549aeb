/**
 * What `meridian synth` builds, as plain data: the spec and the chosen architecture reduced to the facts
 * the CDK constructs need. The constructs import nothing but `aws-cdk-lib`, `constructs`, `cdk-nag` and
 * this folder, so the generated CDK app carries them with a JSON copy of its plan and synthesizes on its
 * own (`npx cdk synth` in the output folder). `build-synth-plan.ts` makes a plan from a resolved spec.
 */
export type SynthRoutingPolicy = 'simple' | 'weighted' | 'latency' | 'geolocation' | 'failover' | 'multivalue';
export type SynthConsistency = 'multi-writer' | 'single-writer' | 'strong';

export interface SynthPlan {
  /** The spec's name: stack names and tags start with it. */
  readonly name: string;
  /** The service's DNS name; records are made for `api.<domain>` in a hosted zone for `domain`. */
  readonly domain: string;
  /** The architecture's kind (active-active, …) and title, for the README and tags. */
  readonly architecture: { readonly kind: string; readonly title: string };
  readonly primaryRegion: string;
  /** Every region with a stack, in the spec's deploy order. */
  readonly regions: readonly SynthRegion[];
  readonly routing: SynthRouting;
  readonly dataClasses: readonly SynthDataClass[];
  /** Residency zones: name → regions. */
  readonly zones: Readonly<Record<string, readonly string[]>>;
  readonly service: SynthService;
  /** AWS Budgets monthly budget in USD, when the spec has one. */
  readonly monthlyBudgetUsd: number | undefined;
  /** The experiments to translate into AWS FIS templates. */
  readonly experiments: readonly SynthExperiment[];
}

export interface SynthService {
  readonly name: string;
  /** The container image; the placeholder's when the spec names none. */
  readonly image: string;
  readonly healthPath: string;
  /** The port the container listens on (given to it as `PORT`). */
  readonly containerPort: number;
  /**
   * The container's command, when it is not the image's own: the placeholder's one-line HTTP server,
   * when the spec names no image. Undefined: the image's entry point.
   */
  readonly command?: readonly string[];
}

export interface SynthRegion {
  readonly region: string;
  /** 'serving' regions take traffic; 'standby' regions wait (failover secondary, traffic dial 0). */
  readonly role: 'serving' | 'standby';
  /** Application tasks in the region (the compute placeholder's desired count). */
  readonly instances: number;
  /** Position in the sequential rollout, from 1. */
  readonly deployOrder: number;
}

export interface SynthRouting {
  readonly policy: SynthRoutingPolicy;
  readonly ttlSeconds: number;
  /** Route 53 health checks of each record: interval (10 or 30 s), failure threshold, path; undefined: no health checks. */
  readonly healthCheck: { readonly intervalSeconds: number; readonly failureThreshold: number; readonly path: string } | undefined;
  readonly evaluateTargetHealth: boolean;
  /** The records, one per region or location, as Route 53 will hold them. */
  readonly records: readonly SynthRecord[];
  readonly edge: 'none' | 'accelerator' | 'cdn';
}

export interface SynthRecord {
  readonly setIdentifier: string;
  readonly region: string;
  readonly weight?: number;
  readonly failoverRole?: 'PRIMARY' | 'SECONDARY';
  /** Geolocation: a country code, a continent code, or '*' for the default record. */
  readonly country?: string;
  readonly continent?: string;
  readonly isDefaultLocation?: boolean;
}

export interface SynthDataClass {
  readonly name: string;
  readonly consistency: SynthConsistency;
  /** dynamodb-global-table (multi-writer, or one writer), dynamodb-mrsc (strong), aurora-global-database, or a single regional table / cluster. */
  readonly engine: 'dynamodb-global-table' | 'dynamodb-mrsc' | 'aurora-global-database' | 'dynamodb-table' | 'aurora-cluster';
  /** Regions holding a replica (the writer first for single-writer engines). */
  readonly replicas: readonly string[];
  readonly writer: string | undefined;
  /** MRSC: the witness region, when the table has two replicas and a witness. */
  readonly witness: string | undefined;
  /** The residency zone's name and regions; undefined: the class may live anywhere. */
  readonly residency: { readonly zone: string; readonly regions: readonly string[] } | undefined;
}

export interface SynthExperiment {
  readonly name: string;
  readonly description: string | undefined;
  readonly durationSeconds: number;
  readonly faults: readonly SynthFault[];
}

/** An experiment's fault with its regions resolved; `action` as in Meridian's experiment format. */
export interface SynthFault {
  readonly action: 'region-outage' | 'link-latency' | 'partition' | 'error-injection' | 'replication-pause' | 'health-check-failure';
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly region: string | undefined;
  readonly scope: 'all' | 'app' | 'database' | undefined;
  readonly dataClass: string | undefined;
  readonly errorRate: number | undefined;
  /** A partition or link fault between two regions (roles resolved); undefined for the others. */
  readonly between?: readonly [string, string];
  /** A partition one way only, from `between[0]` to `between[1]`. @default false */
  readonly oneWay?: boolean;
}
