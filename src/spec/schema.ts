import { z } from 'zod';

/**
 * The shape of a Meridian spec as users write it (meridian.config.ts, YAML or JSON). The schema checks
 * types and structure only; ranges and cross-field rules live in ./rules so that every problem of a spec
 * is reported at once, each with its path. Every optional field documents its default; defaults are
 * filled once by resolveSpec().
 */

const regionCode = z.string().min(1);
const positiveOrZero = z.number();

export const regionRoleSchema = z.enum(['primary', 'secondary', 'standby']);

export const regionSchema = z.strictObject({
  /** @default 'primary' for the first region listed, 'secondary' for the others */
  role: regionRoleSchema.optional(),
  /** Application instances in the region. @default sized from the traffic the region serves */
  instances: z.number().optional(),
  /** Requests per second one instance handles. @default catalog assumption (400) */
  requestsPerSecondPerInstance: z.number().optional(),
});

export const populationSchema = z.strictObject({
  /** ISO 3166-1 alpha-2 codes, as a list (equal weights) or a map of relative weights. */
  countries: z.union([z.array(z.string()), z.record(z.string(), z.number())]).optional(),
  /** A single place instead of countries. */
  location: z.strictObject({ lat: z.number(), lon: z.number() }).optional(),
  requestsPerSecond: positiveOrZero,
  /**
   * Relative weight of each data class in this population's requests (1 = the population's share of
   * traffic; 0 = this population never touches the class). @default 1 for every class
   */
  mix: z.record(z.string(), z.number()).optional(),
  /** Round trip of the users' access network, in ms. @default assumptions.accessRttMs (20) */
  accessRttMs: z.number().optional(),
  /** Distinct DNS resolvers asking on behalf of this population. @default 2000 */
  dnsResolvers: z.number().optional(),
});

export const serviceSchema = z.strictObject({
  /** The built-in sample app. @default 'sample-shop' when no command is given */
  app: z.enum(['sample-shop']).optional(),
  /** The user's own service, started once per region. */
  command: z.string().optional(),
  /** Health-check path. @default routing.healthCheck.path */
  healthPath: z.string().optional(),
  /** Container image for `meridian synth`, listening on `PORT`. @default a placeholder: Node.js answering 200 on every path */
  image: z.string().optional(),
});

export const engineSchema = z.enum(['dynamodb-global-table', 'dynamodb-mrsc', 'aurora-global-database']);
export const consistencySchema = z.enum(['strong', 'single-writer', 'multi-writer']);

export const dataClassSchema = z.strictObject({
  consistency: consistencySchema,
  /** A zone name from `zones`, or 'none'. @default 'none' */
  residency: z.string().optional(),
  /** @default 1024 */
  itemSizeBytes: z.number().optional(),
  /** Total over all populations. @default 0 */
  readsPerSecond: z.number().optional(),
  /** Total over all populations. @default 0 */
  writesPerSecond: z.number().optional(),
  /** Stored data, for storage cost. @default 10 */
  storageGb: z.number().optional(),
  /**
   * Regions holding a replica. @default every spec region allowed by residency (strong data: chosen by
   * the architecture)
   */
  replicas: z.array(regionCode).optional(),
  /** Witness region of a strong class with two replicas (DynamoDB MRSC). */
  witness: regionCode.optional(),
  /**
   * Engine behind the class: a DynamoDB global table (multi-writer, last writer wins), a DynamoDB
   * multi-Region strongly consistent table, or an Aurora global database (one writer region).
   * @default 'dynamodb-mrsc' for strong, 'aurora-global-database' for single-writer, 'dynamodb-global-table' for multi-writer
   */
  engine: engineSchema.optional(),
  /** Replication lag of an asynchronous class, in ms. @default the engine's typical lag (1000) */
  replicationLagMs: z.number().optional(),
  /** Strong classes: reads are strongly consistent (ConsistentRead). @default true */
  consistentReads: z.boolean().optional(),
});

export const healthCheckSchema = z.strictObject({
  /**
   * Route 53 and Global Accelerator allow 10 or 30. Any other whole number from 1 to 30 is a non-AWS
   * setting for fast lab and simulator runs: validation warns, synthesis for AWS refuses it. @default 30
   */
  intervalSeconds: z.number().optional(),
  /** 1 to 10. @default 3 */
  failureThreshold: z.number().optional(),
  /** @default '/health' */
  path: z.string().optional(),
});

export const routingPolicySchema = z.enum(['simple', 'latency', 'geolocation', 'failover', 'weighted', 'multivalue']);
export const edgeSchema = z.enum(['none', 'accelerator', 'cdn']);

export const routingSchema = z.strictObject({
  policy: routingPolicySchema,
  /** Health checks on every routed region; `false` turns them off. @default enabled with defaults */
  healthCheck: z.union([healthCheckSchema, z.literal(false)]).optional(),
  /** DNS TTL of every record in the routing group. @default 60 */
  ttlSeconds: z.number().optional(),
  /** @default 'none' */
  edge: edgeSchema.optional(),
  /** Weighted routing: weight per region (0 drains a region). */
  weights: z.record(regionCode, z.number()).optional(),
  /** Per-record TTL overrides; Route 53 advises one TTL per routing group. */
  recordTtlSeconds: z.record(regionCode, z.number()).optional(),
  /** Geolocation routing rules: country > continent > default. */
  geolocation: z
    .strictObject({
      countries: z.record(z.string(), regionCode).optional(),
      continents: z.record(z.string(), regionCode).optional(),
      default: regionCode.optional(),
    })
    .optional(),
  /** Route 53 evaluate-target-health. @default true */
  evaluateTargetHealth: z.boolean().optional(),
});

export const sloSchema = z.strictObject({
  /** Fraction in (0, 1), e.g. 0.9995. */
  availability: z.number().optional(),
  /** p99 end-to-end latency for every population, in ms. */
  latencyP99Ms: z.number().optional(),
  /** Most data a regional failure may lose, in seconds. */
  rpoSeconds: z.number().optional(),
  /** Longest a regional failure may keep users down, in seconds. */
  rtoSeconds: z.number().optional(),
});

export const deploySchema = z.strictObject({
  /** Region order of a rollout. @default the primary first, then the others as listed */
  order: z.array(regionCode).optional(),
  /** Time each region bakes before the next, in minutes. @default 60 */
  bakeMinutes: z.number().optional(),
  healthGates: z
    .strictObject({
      /** @default 0.01 */
      errorRateMax: z.number().optional(),
      latencyP99MsMax: z.number().optional(),
    })
    .optional(),
});

export const assumptionsSchema = z.strictObject({
  accessRttMs: z.number().optional(),
  networkP99OverP50: z.number().optional(),
  appServiceTimeMs: z.strictObject({ p50: z.number(), p99: z.number() }).optional(),
  regionalIncidentMinutes: z.number().optional(),
  responseBytes: z.number().optional(),
  capacityHeadroom: z.number().optional(),
  auroraIoPerWrite: z.number().optional(),
  auroraIoPerRead: z.number().optional(),
  clientTimeoutMs: z.number().optional(),
  keysPerDataClass: z.number().optional(),
});

export const specSchema = z.strictObject({
  name: z.string().min(1),
  /** DNS domain of the service. @default '<name>.meridian.test' */
  domain: z.string().optional(),
  regions: z.record(regionCode, regionSchema),
  zones: z.record(z.string(), z.array(regionCode)).optional(),
  populations: z.record(z.string(), populationSchema),
  services: z.record(z.string(), serviceSchema).optional(),
  data: z.record(z.string(), dataClassSchema).optional(),
  routing: routingSchema,
  /** @default derived from region roles: any standby region makes it active-passive */
  topology: z.enum(['active-active', 'active-passive']).optional(),
  slo: sloSchema.optional(),
  budget: z.strictObject({ monthlyUsd: z.number() }).optional(),
  deploy: deploySchema.optional(),
  assumptions: assumptionsSchema.optional(),
});

/** A spec as written by the user. */
export type MeridianConfig = z.input<typeof specSchema>;
export type Consistency = z.infer<typeof consistencySchema>;
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;
export type Engine = z.infer<typeof engineSchema>;
export type Edge = z.infer<typeof edgeSchema>;
export type RegionRole = z.infer<typeof regionRoleSchema>;
