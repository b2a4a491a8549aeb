import { RoutingConfigError, requireIntegerInRange } from './routing-errors.ts';

/**
 * A Route 53 routing group: records with the same name and type and the same routing policy. The
 * answer value of every record is a target region, which is what Meridian routes between.
 */
export type RoutingPolicy = 'simple' | 'weighted' | 'latency' | 'geolocation' | 'failover' | 'multivalue';

/** Geolocation record locations, from the smallest to the largest area. */
export type GeoLocation =
  | { readonly kind: 'country'; readonly countryCode: string }
  | { readonly kind: 'continent'; readonly continentCode: string }
  | { readonly kind: 'default' };

export type FailoverRole = 'primary' | 'secondary';

export interface RoutingRecord {
  /** Unique within the group, like Route 53's SetIdentifier. */
  readonly setIdentifier: string;
  /** The value answered; latency routing also reads it as the record's region. */
  readonly targetRegion: string;
  /** Records without a health check are always healthy. */
  readonly healthCheckId?: string;
  /** Weighted only: 0–255; 0 drains the record. */
  readonly weight?: number;
  /** Geolocation only. */
  readonly location?: GeoLocation;
  /** Failover only. */
  readonly failoverRole?: FailoverRole;
}

export interface RecordSetOptions {
  readonly name: string;
  readonly policy: RoutingPolicy;
  /** One TTL for the whole group: Route 53 rewrites every record to the last TTL it was given. */
  readonly ttlSeconds: number;
  readonly records: readonly RoutingRecord[];
  /** Whether health checks decide answers. @default true */
  readonly evaluateTargetHealth?: boolean;
  /**
   * How long resolvers cache a "no answer" (geolocation with no match and no default): the lesser of
   * the zone SOA's TTL and its minimum field, 900 s on a Route 53 zone by default.
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html
   * @default 900
   */
  readonly negativeTtlSeconds?: number;
}

export type RecordSet = Readonly<Required<RecordSetOptions>>;

export interface DnsQuery {
  readonly name: string;
  /** Latency routing: the client's (or its resolver's EDNS subnet's) round trip to each region. */
  readonly rttMsByRegion?: Readonly<Record<string, number>>;
  /** Geolocation routing: ISO 3166 alpha-2 code, absent when the address maps to no location. */
  readonly countryCode?: string;
  /** Geolocation routing: AF, AN, AS, EU, OC, NA or SA. */
  readonly continentCode?: string;
}

export interface DnsAnswer {
  /** Empty for "no answer" (NOERROR with no records). */
  readonly targets: readonly string[];
  readonly ttlSeconds: number;
}

/** Whether the health check with this id is healthy now. */
export type HealthLookup = (healthCheckId: string) => boolean;

/** Route 53 accepts TTLs up to 2^31 - 1 seconds. */
export const TTL_SECONDS_MAX = 2_147_483_647;
/** https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html */
export const ROUTE53_NEGATIVE_TTL_SECONDS_DEFAULT = 900;
/** Bound on records per group; far above any multi-region plan, low enough to keep answers cheap. */
export const RECORDS_PER_SET_MAX = 256;
const WEIGHT_MAX = 255;

/** Resolves and validates a routing group once; every answer reads the result. */
export function defineRecordSet(options: RecordSetOptions): RecordSet {
  if (options.name.trim() === '') throw new RoutingConfigError('name', 'must not be empty');
  requireIntegerInRange('ttlSeconds', options.ttlSeconds, 0, TTL_SECONDS_MAX);
  const negativeTtlSeconds = options.negativeTtlSeconds ?? ROUTE53_NEGATIVE_TTL_SECONDS_DEFAULT;
  requireIntegerInRange('negativeTtlSeconds', negativeTtlSeconds, 0, TTL_SECONDS_MAX);
  requireIntegerInRange('records.length', options.records.length, 1, RECORDS_PER_SET_MAX);
  validateRecords(options.policy, options.records);
  return {
    name: options.name,
    policy: options.policy,
    ttlSeconds: options.ttlSeconds,
    records: options.records,
    evaluateTargetHealth: options.evaluateTargetHealth ?? true,
    negativeTtlSeconds,
  };
}

function validateRecords(policy: RoutingPolicy, records: readonly RoutingRecord[]): void {
  const identifiers = new Set<string>();
  records.forEach((record, index) => {
    const path = `records[${index}]`;
    if (record.setIdentifier === '') throw new RoutingConfigError(`${path}.setIdentifier`, 'must not be empty');
    if (identifiers.has(record.setIdentifier)) throw new RoutingConfigError(`${path}.setIdentifier`, `duplicate "${record.setIdentifier}"`);
    identifiers.add(record.setIdentifier);
    if (record.targetRegion === '') throw new RoutingConfigError(`${path}.targetRegion`, 'must not be empty');
    rejectForeignFields(policy, record, path);
    if (policy === 'weighted') {
      if (record.weight === undefined) throw new RoutingConfigError(`${path}.weight`, 'weighted records need a weight');
      requireIntegerInRange(`${path}.weight`, record.weight, 0, WEIGHT_MAX);
    }
    if (policy === 'geolocation' && record.location === undefined) throw new RoutingConfigError(`${path}.location`, 'geolocation records need a location');
    if (policy === 'failover' && record.failoverRole === undefined) throw new RoutingConfigError(`${path}.failoverRole`, 'failover records need a role');
  });
  if (policy === 'geolocation') validateGeolocation(records);
  if (policy === 'failover') validateFailover(records);
}

/** A field of another policy is a spec mistake, not something to ignore quietly. */
function rejectForeignFields(policy: RoutingPolicy, record: RoutingRecord, path: string): void {
  const foreign: [keyof RoutingRecord, RoutingPolicy][] = [
    ['weight', 'weighted'],
    ['location', 'geolocation'],
    ['failoverRole', 'failover'],
  ];
  for (const [field, owner] of foreign) {
    if (record[field] !== undefined && policy !== owner) throw new RoutingConfigError(`${path}.${field}`, `only ${owner} records have a ${field}`);
  }
}

function geoLocationKey(location: GeoLocation): string {
  if (location.kind === 'country') return `country:${location.countryCode}`;
  if (location.kind === 'continent') return `continent:${location.continentCode}`;
  return 'default';
}

function validateGeolocation(records: readonly RoutingRecord[]): void {
  const seen = new Set<string>();
  records.forEach((record, index) => {
    const key = geoLocationKey(record.location!);
    if (seen.has(key)) throw new RoutingConfigError(`records[${index}].location`, `a second record for ${key}`);
    seen.add(key);
  });
}

function validateFailover(records: readonly RoutingRecord[]): void {
  const primaries = records.filter((record) => record.failoverRole === 'primary').length;
  const secondaries = records.filter((record) => record.failoverRole === 'secondary').length;
  if (primaries !== 1) throw new RoutingConfigError('records', `failover needs exactly one primary record, got ${primaries}`);
  if (secondaries > 1) throw new RoutingConfigError('records', `failover allows at most one secondary record, got ${secondaries}`);
}
