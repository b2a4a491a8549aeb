import type { DnsAnswer, DnsQuery, RecordSetOptions, RoutingRecord } from './record-set.ts';

/**
 * The Route 53 policy behaviour Meridian reproduces, as plain data: a routing group, a query, which
 * health checks are failing, the random draws available, and the expected answer. `answer-query.test.ts`
 * runs them against the pure core; the live DNS router in lab/ is meant to run the same table, so both
 * worlds answer alike. Each case names the documented rule it pins down.
 */
export interface RoutingPolicyCase {
  readonly name: string;
  readonly recordSet: RecordSetOptions;
  readonly query: DnsQuery;
  readonly unhealthyHealthCheckIds: readonly string[];
  /** Replayed in order by a scripted Random (cycling); irrelevant for policies that draw nothing. */
  readonly draws: readonly number[];
  readonly expected: DnsAnswer;
}

const NAME = 'app.example.com';
const TTL_SECONDS = 60;

function record(setIdentifier: string, targetRegion: string, extra: Partial<RoutingRecord> = {}): RoutingRecord {
  return { setIdentifier, targetRegion, healthCheckId: `hc-${setIdentifier}`, ...extra };
}

function group(policy: RecordSetOptions['policy'], records: readonly RoutingRecord[], extra: Partial<RecordSetOptions> = {}): RecordSetOptions {
  return { name: NAME, policy, ttlSeconds: TTL_SECONDS, records, ...extra };
}

function targets(...regions: string[]): DnsAnswer {
  return { targets: regions, ttlSeconds: TTL_SECONDS };
}

const query: DnsQuery = { name: NAME };

const weighted = group('weighted', [
  record('a', 'us-east-1', { weight: 200 }),
  record('b', 'eu-west-1', { weight: 55 }),
  record('c', 'ap-southeast-1', { weight: 0 }),
]);

const fromLondon: DnsQuery = { name: NAME, rttMsByRegion: { 'eu-west-1': 12, 'us-east-1': 76, 'ap-southeast-1': 170 } };
const latency = group('latency', [record('use1', 'us-east-1'), record('euw1', 'eu-west-1'), record('apse1', 'ap-southeast-1')]);

const geolocation = group('geolocation', [
  record('de', 'eu-central-1', { location: { kind: 'country', countryCode: 'DE' } }),
  record('eu', 'eu-west-1', { location: { kind: 'continent', continentCode: 'EU' } }),
  record('default', 'us-east-1', { location: { kind: 'default' } }),
  record('jp', 'ap-northeast-1', { location: { kind: 'country', countryCode: 'JP' } }),
]);
const geolocationWithoutDefault = group('geolocation', [
  record('de', 'eu-central-1', { location: { kind: 'country', countryCode: 'DE' } }),
  record('eu', 'eu-west-1', { location: { kind: 'continent', continentCode: 'EU' } }),
  record('jp', 'ap-northeast-1', { location: { kind: 'country', countryCode: 'JP' } }),
]);
const located = (countryCode?: string, continentCode?: string): DnsQuery => ({ name: NAME, countryCode, continentCode });

const failover = group('failover', [record('primary', 'us-east-1', { failoverRole: 'primary' }), record('secondary', 'us-west-2', { failoverRole: 'secondary' })]);
const failoverUncheckedSecondary = group('failover', [
  record('primary', 'us-east-1', { failoverRole: 'primary' }),
  { setIdentifier: 'secondary', targetRegion: 'us-west-2', failoverRole: 'secondary' },
]);

const TEN_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-1'];
const multivalueTen = group('multivalue', TEN_REGIONS.map((region, index) => record(`m${index}`, region)));
const multivalueFive = group('multivalue', TEN_REGIONS.slice(0, 5).map((region, index) => record(`m${index}`, region)));
const allTenHealthChecks = TEN_REGIONS.map((_, index) => `hc-m${index}`);

export const ROUTING_POLICY_CASES: readonly RoutingPolicyCase[] = [
  { name: 'simple: the one record', recordSet: group('simple', [record('only', 'us-east-1')]), query, unhealthyHealthCheckIds: [], draws: [0], expected: targets('us-east-1') },
  { name: 'simple: answered even when its health check fails', recordSet: group('simple', [record('only', 'us-east-1')]), query, unhealthyHealthCheckIds: ['hc-only'], draws: [0], expected: targets('us-east-1') },
  { name: 'simple: several values, all answered in random order', recordSet: group('simple', [record('x', 'us-east-1'), record('y', 'eu-west-1')]), query, unhealthyHealthCheckIds: [], draws: [0.9], expected: targets('eu-west-1', 'us-east-1') },

  { name: 'weighted: a low draw lands in the heavy record', recordSet: weighted, query, unhealthyHealthCheckIds: [], draws: [0.5], expected: targets('us-east-1') },
  { name: 'weighted: a high draw lands in the light record', recordSet: weighted, query, unhealthyHealthCheckIds: [], draws: [0.9], expected: targets('eu-west-1') },
  { name: 'weighted: weight 0 is never drawn while a nonzero record is healthy', recordSet: weighted, query, unhealthyHealthCheckIds: [], draws: [0.999], expected: targets('eu-west-1') },
  { name: 'weighted: an unhealthy record is excluded', recordSet: weighted, query, unhealthyHealthCheckIds: ['hc-a'], draws: [0], expected: targets('eu-west-1') },
  { name: 'weighted: zero-weight record answered when every nonzero one is unhealthy', recordSet: weighted, query, unhealthyHealthCheckIds: ['hc-a', 'hc-b'], draws: [0.5], expected: targets('ap-southeast-1') },
  { name: 'weighted: all unhealthy, all treated as healthy and weights apply', recordSet: weighted, query, unhealthyHealthCheckIds: ['hc-a', 'hc-b', 'hc-c'], draws: [0.5], expected: targets('us-east-1') },
  { name: 'weighted: all weights 0, equal probability', recordSet: group('weighted', [record('a', 'us-east-1', { weight: 0 }), record('b', 'eu-west-1', { weight: 0 }), record('c', 'ap-southeast-1', { weight: 0 })]), query, unhealthyHealthCheckIds: [], draws: [0.7], expected: targets('ap-southeast-1') },
  { name: 'weighted: health ignored without evaluate-target-health', recordSet: { ...weighted, evaluateTargetHealth: false }, query, unhealthyHealthCheckIds: ['hc-a'], draws: [0.5], expected: targets('us-east-1') },

  { name: 'latency: lowest round trip', recordSet: latency, query: fromLondon, unhealthyHealthCheckIds: [], draws: [0], expected: targets('eu-west-1') },
  { name: 'latency: next lowest when the nearest is unhealthy', recordSet: latency, query: fromLondon, unhealthyHealthCheckIds: ['hc-euw1'], draws: [0], expected: targets('us-east-1') },
  { name: 'latency: all unhealthy, lowest round trip anyway', recordSet: latency, query: fromLondon, unhealthyHealthCheckIds: ['hc-use1', 'hc-euw1', 'hc-apse1'], draws: [0], expected: targets('eu-west-1') },
  { name: 'latency: health ignored without evaluate-target-health', recordSet: { ...latency, evaluateTargetHealth: false }, query: fromLondon, unhealthyHealthCheckIds: ['hc-euw1'], draws: [0], expected: targets('eu-west-1') },

  { name: 'geolocation: country beats continent', recordSet: geolocation, query: located('DE', 'EU'), unhealthyHealthCheckIds: [], draws: [0], expected: targets('eu-central-1') },
  { name: 'geolocation: continent when no country record', recordSet: geolocation, query: located('FR', 'EU'), unhealthyHealthCheckIds: [], draws: [0], expected: targets('eu-west-1') },
  { name: 'geolocation: default when nothing matches', recordSet: geolocation, query: located('BR', 'SA'), unhealthyHealthCheckIds: [], draws: [0], expected: targets('us-east-1') },
  { name: 'geolocation: unmapped address gets the default', recordSet: geolocation, query: located(), unhealthyHealthCheckIds: [], draws: [0], expected: targets('us-east-1') },
  { name: 'geolocation: unhealthy country falls back to continent', recordSet: geolocation, query: located('DE', 'EU'), unhealthyHealthCheckIds: ['hc-de'], draws: [0], expected: targets('eu-west-1') },
  { name: 'geolocation: unhealthy country and continent fall back to default', recordSet: geolocation, query: located('DE', 'EU'), unhealthyHealthCheckIds: ['hc-de', 'hc-eu'], draws: [0], expected: targets('us-east-1') },
  { name: 'geolocation: all applicable unhealthy, smallest region answers', recordSet: geolocation, query: located('DE', 'EU'), unhealthyHealthCheckIds: ['hc-de', 'hc-eu', 'hc-default'], draws: [0], expected: targets('eu-central-1') },
  { name: 'geolocation: no match and no default is no answer', recordSet: geolocationWithoutDefault, query: located('BR', 'SA'), unhealthyHealthCheckIds: [], draws: [0], expected: { targets: [], ttlSeconds: 900 } },
  { name: 'geolocation: an unhealthy lone match is still answered', recordSet: geolocationWithoutDefault, query: located('JP', 'AS'), unhealthyHealthCheckIds: ['hc-jp'], draws: [0], expected: targets('ap-northeast-1') },

  { name: 'failover: primary while healthy', recordSet: failover, query, unhealthyHealthCheckIds: [], draws: [0], expected: targets('us-east-1') },
  { name: 'failover: secondary when primary unhealthy', recordSet: failover, query, unhealthyHealthCheckIds: ['hc-primary'], draws: [0], expected: targets('us-west-2') },
  { name: 'failover: both unhealthy, primary', recordSet: failover, query, unhealthyHealthCheckIds: ['hc-primary', 'hc-secondary'], draws: [0], expected: targets('us-east-1') },
  { name: 'failover: secondary without health check is always healthy', recordSet: failoverUncheckedSecondary, query, unhealthyHealthCheckIds: ['hc-primary'], draws: [0], expected: targets('us-west-2') },
  { name: 'failover: no failover without evaluate-target-health', recordSet: { ...failover, evaluateTargetHealth: false }, query, unhealthyHealthCheckIds: ['hc-primary'], draws: [0], expected: targets('us-east-1') },

  { name: 'multivalue: at most eight answers', recordSet: multivalueTen, query, unhealthyHealthCheckIds: [], draws: [0], expected: targets(...TEN_REGIONS.slice(0, 8)) },
  { name: 'multivalue: only healthy records', recordSet: multivalueTen, query, unhealthyHealthCheckIds: allTenHealthChecks.slice(3), draws: [0], expected: targets(...TEN_REGIONS.slice(0, 3)) },
  { name: 'multivalue: all unhealthy, up to eight unhealthy records', recordSet: multivalueTen, query, unhealthyHealthCheckIds: allTenHealthChecks, draws: [0], expected: targets(...TEN_REGIONS.slice(0, 8)) },
  { name: 'multivalue: eight or fewer healthy, all of them', recordSet: multivalueFive, query, unhealthyHealthCheckIds: [], draws: [0], expected: targets(...TEN_REGIONS.slice(0, 5)) },
  { name: 'multivalue: random selection and order', recordSet: multivalueTen, query, unhealthyHealthCheckIds: [], draws: [0.95, 0, 0, 0, 0, 0, 0, 0], expected: targets('ap-southeast-1', ...TEN_REGIONS.slice(1, 8)) },
];
