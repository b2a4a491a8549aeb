/**
 * The input and output of the monthly cost model. The model is pure: it prices a plan of what runs
 * where (instances, requests, data operations, replication, DNS, edge) with a price book, and every
 * line names the catalog price item it used.
 */

/** Engines as deployed by an architecture: single-region variants carry no replication cost. */
export type DeployedEngine =
  | 'dynamodb-table'
  | 'dynamodb-global-table'
  | 'dynamodb-mrsc'
  | 'aurora-cluster'
  | 'aurora-global-database';

export interface RegionLoad {
  readonly code: string;
  /** Application instances running in the region (compute cost). */
  readonly instances: number;
  /** User requests the region serves in steady state, per second (internet egress). */
  readonly requestsPerSecond: number;
}

export interface PopulationLoad {
  readonly name: string;
  /** Two-letter continent code of most of the population's users (edge pricing zones). */
  readonly continent: string | undefined;
  readonly requestsPerSecond: number;
  /** Distinct DNS resolvers asking for the population (Route 53 query volume). */
  readonly dnsResolvers: number;
}

export interface DataClassLoad {
  readonly name: string;
  readonly engine: DeployedEngine;
  readonly itemSizeBytes: number;
  readonly storageGb: number;
  /** Regions holding a full replica (storage; replicated writes land in each one but the origin). */
  readonly replicas: readonly string[];
  /** Aurora: the writer region. */
  readonly writer: string | undefined;
  /** DynamoDB MRSC: the witness region, which stores the replication log but not the table. */
  readonly witness: string | undefined;
  /** Reads executed against the replica in each region, per second. */
  readonly readsPerSecondByRegion: Readonly<Record<string, number>>;
  /** Writes committed in each region, per second (for Aurora, all at the writer). */
  readonly writesPerSecondByRegion: Readonly<Record<string, number>>;
  /** Strongly consistent reads cost a full read unit; eventually consistent ones half. */
  readonly consistentReads: boolean;
}

/** Bytes an architecture sends between regions besides replication (forwarded requests and answers). */
export interface InterRegionFlow {
  readonly from: string;
  readonly to: string;
  readonly bytesPerSecond: number;
  readonly reason: string;
}

export interface CostInput {
  readonly regions: readonly RegionLoad[];
  readonly populations: readonly PopulationLoad[];
  readonly dataClasses: readonly DataClassLoad[];
  readonly flows: readonly InterRegionFlow[];
  /** Average bytes of one response to a user. */
  readonly responseBytes: number;
  readonly routing: {
    readonly policy: 'simple' | 'latency' | 'geolocation' | 'failover' | 'weighted' | 'multivalue';
    /** Route 53 health checks (one per health-checked region). */
    readonly healthChecks: number;
    /** 10-second checks are an optional feature billed on top. */
    readonly fastInterval: boolean;
    readonly ttlSeconds: number;
  };
  readonly edge: 'none' | 'accelerator' | 'cdn';
  readonly aurora: {
    /** Instances in the writer region and in each secondary region. */
    readonly instancesPerWriterRegion: number;
    readonly instancesPerSecondaryRegion: number;
    readonly ioPerWrite: number;
    readonly ioPerRead: number;
  };
}

export type CostCategory =
  | 'compute'
  | 'database'
  | 'replicated-writes'
  | 'storage'
  | 'inter-region-transfer'
  | 'internet-egress'
  | 'dns'
  | 'edge';

export interface CostLine {
  readonly category: CostCategory;
  /** What is bought, in words: "EC2 m6g.large, 3 instances in us-east-1". */
  readonly description: string;
  /** Dotted id of the price in the catalog's aws-pricing.json, e.g. `ec2.m6g.large_on_demand_per_hour`. */
  readonly priceItem: string;
  readonly unitPriceUsd: number;
  readonly unit: string;
  readonly quantity: number;
  readonly monthlyUsd: number;
  readonly region: string | undefined;
}

export interface CostBreakdown {
  readonly lines: readonly CostLine[];
  readonly byCategory: Readonly<Record<CostCategory, number>>;
  readonly totalMonthlyUsd: number;
  /** Hours and seconds in the billing month the model uses. */
  readonly hoursPerMonth: number;
}
