import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify as yamlStringify } from 'yaml';
import { checkSpecSource, parseDataSpec } from '../../src/spec/load-spec.ts';
import type { MeridianConfig } from '../../src/spec/schema.ts';
import type { SpecIssue } from '../../src/spec/spec-issue.ts';
import { SPEC_RULES } from '../../src/spec/validate-spec.ts';

/**
 * One table case per thing a rule protects against. Every case mutates a deep copy of BASE_SPEC, which
 * has no issue at all, so a case proves both that its rule stays quiet on a sound spec and that it
 * speaks up, with the right severity and path, once the spec breaks it.
 */

const BASE_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1'] as const;

const BASE_SPEC: MeridianConfig = deepFreeze({
  name: 'base',
  domain: 'base.meridian.test',
  regions: {
    'us-east-1': { role: 'primary' },
    'us-east-2': { role: 'secondary' },
    'us-west-2': { role: 'secondary' },
    'eu-west-1': { role: 'secondary' },
    'eu-central-1': { role: 'secondary' },
  },
  zones: { eu: ['eu-west-1', 'eu-central-1'] },
  populations: {
    'north-america': { countries: { US: 0.9, CA: 0.1 }, requestsPerSecond: 1000 },
    europe: { countries: ['DE', 'FR'], requestsPerSecond: 500, mix: { ledger: 0 } },
  },
  services: { shop: { app: 'sample-shop', healthPath: '/health' } },
  data: {
    profiles: { consistency: 'multi-writer', readsPerSecond: 100, writesPerSecond: 10 },
    orders: { consistency: 'single-writer', readsPerSecond: 50, writesPerSecond: 5 },
    'health-records': { consistency: 'single-writer', residency: 'eu', replicas: ['eu-west-1', 'eu-central-1'] },
    ledger: { consistency: 'strong', replicas: ['us-east-1', 'us-east-2', 'us-west-2'], writesPerSecond: 20 },
  },
  routing: {
    policy: 'latency',
    healthCheck: { intervalSeconds: 30, failureThreshold: 3, path: '/health' },
    ttlSeconds: 60,
  },
  slo: { availability: 0.9995, latencyP99Ms: 300, rpoSeconds: 5, rtoSeconds: 600 },
  budget: { monthlyUsd: 20000 },
  deploy: { order: [...BASE_REGIONS], bakeMinutes: 60 },
});

/** Regions, all with measured round trips and none in an MRSC set with the base, to grow the spec. */
const MORE_REGIONS = ['us-west-1', 'ca-central-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'ap-northeast-1', 'ap-southeast-1'] as const;

interface RuleCase {
  readonly name: string;
  readonly mutate: (spec: MeridianConfig) => void;
  readonly rule: string;
  readonly severity: SpecIssue['severity'];
  readonly path: string;
  /** A part of the message worth pinning down, such as a did-you-mean hint. @default any message */
  readonly messageIncludes?: string;
  /** Other rules the same mutation rightly triggers too. @default none */
  readonly alsoRules?: readonly string[];
}

const RULE_CASES: readonly RuleCase[] = [
  // spec-shape
  { name: 'service with both app and command', mutate: (s) => void (s.services!.shop!.command = 'node server.js'), rule: 'spec-shape', severity: 'error', path: 'services.shop' },
  { name: 'no population at all', mutate: (s) => void (s.populations = {}), rule: 'spec-shape', severity: 'error', path: 'populations' },
  {
    name: 'every region declared secondary or standby',
    mutate: (s) => void (s.regions['us-east-1']!.role = 'standby'),
    rule: 'spec-shape',
    severity: 'error',
    path: 'regions',
  },
  { name: 'negative record TTL', mutate: (s) => void (s.routing.recordTtlSeconds = { 'us-east-1': -1 }), rule: 'non-negative', severity: 'error', path: 'routing.recordTtlSeconds.us-east-1', alsoRules: ['routing-group-ttl'] },
  { name: 'negative error-rate gate', mutate: (s) => void (s.deploy!.healthGates = { errorRateMax: -0.1 }), rule: 'non-negative', severity: 'error', path: 'deploy.healthGates.errorRateMax' },
  {
    name: 'witness without replicas',
    mutate: (s) => {
      s.data!.ledger!.replicas = undefined;
      s.data!.ledger!.witness = 'us-west-2';
    },
    rule: 'mrsc-region-set',
    severity: 'error',
    path: 'data.ledger.witness',
  },
  {
    name: 'lower-case geolocation country',
    mutate: (s) => {
      s.routing.policy = 'geolocation';
      s.routing.geolocation = { countries: { de: 'eu-central-1' }, default: 'us-east-1' };
    },
    rule: 'geolocation-coverage',
    severity: 'error',
    path: 'routing.geolocation.countries.de',
  },

  // unknown-region
  {
    name: 'unknown region code, with did-you-mean',
    mutate: (s) => addRegions(s, ['eu-wset-3']),
    rule: 'unknown-region',
    severity: 'error',
    path: 'regions.eu-wset-3',
    messageIncludes: 'did you mean eu-west-3?',
  },
  {
    name: 'unknown region in the deploy order, with did-you-mean',
    mutate: (s) => addRegions(s, ['eu-wset-3']),
    rule: 'unknown-region',
    severity: 'error',
    path: 'deploy.order[5]',
    messageIncludes: 'did you mean eu-west-3?',
  },
  {
    name: 'unknown region code far from any real one',
    mutate: (s) => void (s.routing.recordTtlSeconds = { 'moon-base-9': 60 }),
    rule: 'unknown-region',
    severity: 'error',
    path: 'routing.recordTtlSeconds.moon-base-9',
    messageIncludes: 'see `meridian regions`',
  },

  // region-not-in-spec
  { name: 'zone naming a region not in the spec', mutate: (s) => void s.zones!.eu!.push('eu-west-3'), rule: 'region-not-in-spec', severity: 'error', path: 'zones.eu[2]' },
  { name: 'deploy order naming a region not in the spec', mutate: (s) => void s.deploy!.order!.push('ap-south-1'), rule: 'region-not-in-spec', severity: 'error', path: 'deploy.order[5]' },
  {
    name: 'weight for a region not in the spec',
    mutate: (s) => void (s.routing.weights = { 'ap-south-1': 1 }),
    rule: 'region-not-in-spec',
    severity: 'error',
    path: 'routing.weights.ap-south-1',
  },

  // region-roles
  { name: 'two primaries under latency routing', mutate: (s) => void (s.regions['us-east-2']!.role = 'primary'), rule: 'region-roles', severity: 'error', path: 'regions.us-east-2.role' },

  // region-without-measurements
  { name: 'region with no measured round trips', mutate: (s) => addRegions(s, ['ap-east-2']), rule: 'region-without-measurements', severity: 'warning', path: 'regions.ap-east-2' },

  // zone-regions
  { name: 'empty zone', mutate: (s) => void (s.zones!.empty = []), rule: 'zone-regions', severity: 'error', path: 'zones.empty' },
  { name: 'zone mixing legal regimes', mutate: (s) => void (s.zones!.mixed = ['us-east-1', 'eu-west-1']), rule: 'zone-regions', severity: 'warning', path: 'zones.mixed', messageIncludes: 'EU_EEA' },

  // residency-zone
  { name: 'residency zone not defined', mutate: (s) => void (s.data!['health-records']!.residency = 'apac'), rule: 'residency-zone', severity: 'error', path: 'data.health-records.residency', messageIncludes: "zone 'apac' is not defined" },
  {
    name: 'residency zone with no region of the spec',
    mutate: (s) => {
      s.zones!.apac = ['ap-northeast-1'];
      s.data!['health-records']!.residency = 'apac';
      delete s.data!['health-records']!.replicas;
    },
    rule: 'residency-zone',
    severity: 'error',
    path: 'data.health-records.residency',
    messageIncludes: 'no region of the spec',
    alsoRules: ['region-not-in-spec'],
  },

  // residency-replicas
  {
    name: 'resident data replicated out of its zone',
    mutate: (s) => void (s.data!['health-records']!.replicas = ['eu-west-1', 'us-east-1']),
    rule: 'residency-replicas',
    severity: 'error',
    path: 'data.health-records.replicas[1]',
  },
  {
    name: 'resident strong data with its witness out of its zone',
    mutate: (s) => void (s.data!['eu-ledger'] = { consistency: 'strong', residency: 'eu', replicas: ['eu-west-1', 'eu-central-1'], witness: 'eu-west-3' }),
    rule: 'residency-replicas',
    severity: 'error',
    path: 'data.eu-ledger.witness',
  },

  // strong-engine
  {
    name: 'strong data on a last-writer-wins global table',
    mutate: (s) => void (s.data!.ledger!.engine = 'dynamodb-global-table'),
    rule: 'strong-engine',
    severity: 'error',
    path: 'data.ledger.engine',
    messageIncludes: 'last-writer-wins',
  },
  {
    name: 'strong data on an asynchronous Aurora global database',
    mutate: (s) => void (s.data!.ledger!.engine = 'aurora-global-database'),
    rule: 'strong-engine',
    severity: 'error',
    path: 'data.ledger.engine',
    messageIncludes: 'asynchronous',
  },

  // multi-writer-engine
  { name: 'multi-writer data on Aurora', mutate: (s) => void (s.data!.profiles!.engine = 'aurora-global-database'), rule: 'multi-writer-engine', severity: 'error', path: 'data.profiles.engine' },

  // aurora-secondaries
  {
    name: 'single-writer data over 12 regions (11 secondaries)',
    mutate: (s) => addRegions(s, MORE_REGIONS),
    rule: 'aurora-secondaries',
    severity: 'error',
    path: 'data.orders',
    messageIncludes: 'has 11 secondary regions',
  },
  {
    name: 'single-writer data with 12 declared replicas',
    mutate: (s) => {
      addRegions(s, MORE_REGIONS);
      s.data!.orders!.replicas = [...BASE_REGIONS, ...MORE_REGIONS];
    },
    rule: 'aurora-secondaries',
    severity: 'error',
    path: 'data.orders.replicas',
  },

  // mrsc-region-set
  {
    name: 'strong replicas not in one MRSC region set',
    mutate: (s) => void (s.data!.ledger!.replicas = ['us-east-1', 'us-east-2', 'eu-west-1']),
    rule: 'mrsc-region-set',
    severity: 'error',
    path: 'data.ledger.replicas',
    messageIncludes: 'not in one MRSC region set',
  },
  {
    name: 'strong data with 4 replicas',
    mutate: (s) => void (s.data!.ledger!.replicas = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1']),
    rule: 'mrsc-region-set',
    severity: 'error',
    path: 'data.ledger.replicas',
    messageIncludes: 'got 4 replicas',
  },
  {
    name: 'strong data with 2 replicas and no witness',
    mutate: (s) => void (s.data!.ledger!.replicas = ['us-east-1', 'us-east-2']),
    rule: 'mrsc-region-set',
    severity: 'error',
    path: 'data.ledger.replicas',
    messageIncludes: 'got 2 replicas',
  },
  {
    name: 'strong data with 3 replicas and a witness',
    mutate: (s) => void (s.data!.ledger!.witness = 'us-west-1'),
    rule: 'mrsc-region-set',
    severity: 'error',
    path: 'data.ledger.replicas',
    messageIncludes: 'got 3 replicas and a witness',
  },
  {
    name: 'witness equal to a replica',
    mutate: (s) => {
      s.data!.ledger!.replicas = ['us-east-1', 'us-east-2'];
      s.data!.ledger!.witness = 'us-east-1';
    },
    rule: 'mrsc-region-set',
    severity: 'error',
    path: 'data.ledger.witness',
  },

  // population-place
  { name: 'unknown country code in a list', mutate: (s) => void (s.populations.europe!.countries = ['DE', 'FR', 'XX']), rule: 'population-place', severity: 'error', path: 'populations.europe.countries[2]', messageIncludes: "'XX'" },
  {
    name: 'unknown country code in a weighted map',
    mutate: (s) => void (s.populations['north-america']!.countries = { US: 0.9, QQ: 0.1 }),
    rule: 'population-place',
    severity: 'error',
    path: 'populations.north-america.countries.QQ',
  },
  { name: 'population with neither countries nor location', mutate: (s) => void delete s.populations.europe!.countries, rule: 'population-place', severity: 'error', path: 'populations.europe', messageIncludes: 'needs countries or a location' },
  { name: 'population with both countries and location', mutate: (s) => void (s.populations.europe!.location = { lat: 50, lon: 8 }), rule: 'population-place', severity: 'error', path: 'populations.europe', messageIncludes: 'not both' },
  { name: 'population with an empty country list', mutate: (s) => void (s.populations.europe!.countries = []), rule: 'population-place', severity: 'error', path: 'populations.europe.countries' },
  {
    name: 'population location off the globe',
    mutate: (s) => {
      delete s.populations.europe!.countries;
      s.populations.europe!.location = { lat: 95, lon: 8 };
    },
    rule: 'population-place',
    severity: 'error',
    path: 'populations.europe.location',
  },

  // population-mix
  { name: 'mix naming an unknown data class', mutate: (s) => void (s.populations.europe!.mix = { ledgers: 0 }), rule: 'population-mix', severity: 'error', path: 'populations.europe.mix.ledgers' },

  // failover-health-check
  {
    name: 'failover without a health check',
    mutate: (s) => {
      s.routing.policy = 'failover';
      s.routing.healthCheck = false;
    },
    rule: 'failover-health-check',
    severity: 'error',
    path: 'routing.healthCheck',
  },

  // failover-primary
  {
    name: 'failover with no declared primary',
    mutate: (s) => {
      s.routing.policy = 'failover';
      delete s.regions['us-east-1']!.role;
    },
    rule: 'failover-primary',
    severity: 'error',
    path: 'regions',
    messageIncludes: 'none is declared',
  },
  {
    name: 'failover with two primaries',
    mutate: (s) => {
      s.routing.policy = 'failover';
      s.regions['us-east-2']!.role = 'primary';
    },
    rule: 'failover-primary',
    severity: 'error',
    path: 'regions',
    messageIncludes: 'us-east-1, us-east-2 are declared',
  },

  // geolocation-coverage
  {
    name: 'geolocation routing with a population no rule covers',
    mutate: (s) => {
      s.routing.policy = 'geolocation';
      s.routing.geolocation = { continents: { NA: 'us-east-1' } };
    },
    rule: 'geolocation-coverage',
    severity: 'error',
    path: 'populations.europe',
    messageIncludes: 'DE, FR',
  },
  {
    name: 'geolocation rule for an unknown country',
    mutate: (s) => {
      s.routing.policy = 'geolocation';
      s.routing.geolocation = { countries: { XX: 'us-east-1' }, default: 'us-east-1' };
    },
    rule: 'geolocation-coverage',
    severity: 'error',
    path: 'routing.geolocation.countries.XX',
  },
  {
    name: 'geolocation rule for an unknown continent',
    mutate: (s) => {
      s.routing.policy = 'geolocation';
      s.routing.geolocation = { continents: { EURO: 'eu-west-1' }, default: 'us-east-1' };
    },
    rule: 'geolocation-coverage',
    severity: 'error',
    path: 'routing.geolocation.continents.EURO',
  },

  // weighted-weights
  {
    name: 'weighted routing with every weight 0',
    mutate: (s) => {
      s.routing.policy = 'weighted';
      s.routing.weights = Object.fromEntries(BASE_REGIONS.map((code) => [code, 0]));
    },
    rule: 'weighted-weights',
    severity: 'error',
    path: 'routing.weights',
    messageIncludes: 'every weight is 0',
  },
  { name: 'weighted routing with no weights', mutate: (s) => void (s.routing.policy = 'weighted'), rule: 'weighted-weights', severity: 'error', path: 'routing.weights', messageIncludes: 'needs a weight' },

  // health-check-settings
  {
    name: 'fast lab health-check interval of 1 s',
    mutate: (s) => void (healthCheckOf(s).intervalSeconds = 1),
    rule: 'health-check-settings',
    severity: 'warning',
    path: 'routing.healthCheck.intervalSeconds',
    messageIncludes: 'only run every 10 or 30 seconds; this value is for fast lab and simulator runs, and `meridian synth` will refuse it',
  },
  { name: 'non-AWS health-check interval of 15 s', mutate: (s) => void (healthCheckOf(s).intervalSeconds = 15), rule: 'health-check-settings', severity: 'warning', path: 'routing.healthCheck.intervalSeconds', messageIncludes: 'Global Accelerator' },
  {
    name: 'fast lab settings together: interval 1 s, threshold 2, TTL 2 s',
    mutate: (s) => {
      s.routing.healthCheck = { intervalSeconds: 1, failureThreshold: 2, path: '/health' };
      s.routing.ttlSeconds = 2;
    },
    rule: 'health-check-settings',
    severity: 'warning',
    path: 'routing.healthCheck.intervalSeconds',
  },
  { name: 'health-check interval of 0 s', mutate: (s) => void (healthCheckOf(s).intervalSeconds = 0), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.intervalSeconds' },
  { name: 'fractional health-check interval', mutate: (s) => void (healthCheckOf(s).intervalSeconds = 1.5), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.intervalSeconds' },
  { name: 'health-check interval of 31 s', mutate: (s) => void (healthCheckOf(s).intervalSeconds = 31), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.intervalSeconds', messageIncludes: 'from 1 to 30' },
  { name: 'health-check threshold of 11', mutate: (s) => void (healthCheckOf(s).failureThreshold = 11), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.failureThreshold' },
  { name: 'health-check threshold of 0', mutate: (s) => void (healthCheckOf(s).failureThreshold = 0), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.failureThreshold' },
  { name: 'fractional health-check threshold', mutate: (s) => void (healthCheckOf(s).failureThreshold = 2.5), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.failureThreshold' },
  { name: 'health-check path without a slash', mutate: (s) => void (healthCheckOf(s).path = 'health'), rule: 'health-check-settings', severity: 'error', path: 'routing.healthCheck.path' },

  // health-checked-ttl
  { name: 'TTL 120 on health-checked records', mutate: (s) => void (s.routing.ttlSeconds = 120), rule: 'health-checked-ttl', severity: 'warning', path: 'routing.ttlSeconds' },
  {
    name: 'record TTL 120 on a health-checked record',
    mutate: (s) => {
      s.routing.ttlSeconds = 120;
      s.routing.recordTtlSeconds = { 'us-east-1': 120 };
    },
    rule: 'health-checked-ttl',
    severity: 'warning',
    path: 'routing.recordTtlSeconds.us-east-1',
  },

  // routing-group-ttl
  { name: 'records with different TTLs', mutate: (s) => void (s.routing.recordTtlSeconds = { 'us-east-1': 30 }), rule: 'routing-group-ttl', severity: 'error', path: 'routing.recordTtlSeconds', messageIncludes: '60, 30' },

  // edge-policy
  {
    name: 'multivalue routing over 9 regions',
    mutate: (s) => {
      s.routing.policy = 'multivalue';
      addRegions(s, MORE_REGIONS.slice(0, 4));
    },
    rule: 'edge-policy',
    severity: 'warning',
    path: 'routing.policy',
  },

  // slo-availability
  { name: 'availability 0', mutate: (s) => void (s.slo!.availability = 0), rule: 'slo-availability', severity: 'error', path: 'slo.availability' },
  { name: 'availability 1', mutate: (s) => void (s.slo!.availability = 1), rule: 'slo-availability', severity: 'error', path: 'slo.availability' },
  { name: 'availability 99.99, written as a percentage', mutate: (s) => void (s.slo!.availability = 99.99), rule: 'slo-availability', severity: 'error', path: 'slo.availability', messageIncludes: 'write 0.9999' },
  { name: 'availability 1.5', mutate: (s) => void (s.slo!.availability = 1.5), rule: 'slo-availability', severity: 'error', path: 'slo.availability', messageIncludes: 'write 0.015' },

  // non-negative
  { name: 'negative budget', mutate: (s) => void (s.budget!.monthlyUsd = -100), rule: 'non-negative', severity: 'error', path: 'budget.monthlyUsd' },
  { name: 'negative readsPerSecond', mutate: (s) => void (s.data!.orders!.readsPerSecond = -5), rule: 'non-negative', severity: 'error', path: 'data.orders.readsPerSecond' },
  { name: 'negative requestsPerSecond', mutate: (s) => void (s.populations.europe!.requestsPerSecond = -1), rule: 'non-negative', severity: 'error', path: 'populations.europe.requestsPerSecond' },
  { name: 'negative bake time', mutate: (s) => void (s.deploy!.bakeMinutes = -1), rule: 'non-negative', severity: 'error', path: 'deploy.bakeMinutes' },

  // deploy-order
  { name: 'deploy order missing a region', mutate: (s) => void s.deploy!.order!.pop(), rule: 'deploy-order', severity: 'error', path: 'deploy.order', messageIncludes: 'leaves out eu-central-1' },
  { name: 'deploy order naming a region twice', mutate: (s) => void s.deploy!.order!.push('us-east-1'), rule: 'deploy-order', severity: 'error', path: 'deploy.order[5]', messageIncludes: 'appears twice' },
];

/** Mutations that look close to a rule but are sound: each must leave the spec without any issue. */
const SOUND_VARIANTS: readonly { readonly name: string; readonly mutate: (spec: MeridianConfig) => void }[] = [
  {
    name: 'strong data with 2 replicas and a witness',
    mutate: (s) => {
      s.data!.ledger!.replicas = ['us-east-1', 'us-east-2'];
      s.data!.ledger!.witness = 'us-west-2';
    },
  },
  { name: 'strong data on Aurora in one region only', mutate: (s) => void Object.assign(s.data!.ledger!, { engine: 'aurora-global-database', replicas: ['us-east-1'] }) },
  { name: 'single-writer data over 11 regions (10 secondaries)', mutate: (s) => addRegions(s, MORE_REGIONS.slice(0, 6)) },
  {
    name: 'geolocation population covered by a default rule',
    mutate: (s) => {
      s.routing.policy = 'geolocation';
      s.routing.geolocation = { continents: { NA: 'us-east-1' }, default: 'eu-west-1' };
    },
  },
  {
    name: 'geolocation population covered by country rules',
    mutate: (s) => {
      s.routing.policy = 'geolocation';
      s.routing.geolocation = { countries: { US: 'us-east-1', CA: 'us-east-1', DE: 'eu-central-1', FR: 'eu-west-1' } };
    },
  },
  {
    name: 'failover with one primary and a health check',
    mutate: (s) => {
      s.routing.policy = 'failover';
      s.regions['us-east-2']!.role = 'standby';
    },
  },
  {
    name: 'weighted routing draining one region',
    mutate: (s) => {
      s.routing.policy = 'weighted';
      s.routing.weights = { 'us-east-1': 0, 'us-east-2': 1, 'us-west-2': 1, 'eu-west-1': 1, 'eu-central-1': 1 };
    },
  },
  {
    name: 'TTL 120 without health checks',
    mutate: (s) => {
      s.routing.healthCheck = false;
      s.routing.ttlSeconds = 120;
    },
  },
  { name: 'record TTL equal to the group TTL', mutate: (s) => void (s.routing.recordTtlSeconds = { 'us-east-1': 60 }) },
  { name: 'health check left to its defaults', mutate: (s) => void (s.routing.healthCheck = {}) },
  { name: 'health-check interval of 10 s and threshold of 10', mutate: (s) => void (s.routing.healthCheck = { intervalSeconds: 10, failureThreshold: 10 }) },
  { name: 'TTL 2 s on health-checked records', mutate: (s) => void (s.routing.ttlSeconds = 2) },
  { name: 'multivalue routing over 8 regions', mutate: (s) => void ((s.routing.policy = 'multivalue'), addRegions(s, MORE_REGIONS.slice(0, 3))) },
  { name: 'zero budget and zero traffic', mutate: (s) => void ((s.budget!.monthlyUsd = 0), (s.populations.europe!.requestsPerSecond = 0)) },
  { name: 'population placed by a location', mutate: (s) => void ((s.populations.europe!.location = { lat: 50.1, lon: 8.7 }), delete s.populations.europe!.countries) },
  { name: 'residency none', mutate: (s) => void (s.data!.orders!.residency = 'none') },
  { name: 'no deploy order', mutate: (s) => void delete s.deploy!.order },
];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A deep, mutable copy of the base spec with one change applied. */
function mutated(mutate: (spec: MeridianConfig) => void): MeridianConfig {
  const spec = structuredClone(BASE_SPEC);
  mutate(spec);
  return spec;
}

/** Checks a spec the way a YAML file is checked, so issues also get source positions. */
function check(spec: MeridianConfig): readonly SpecIssue[] {
  return checkSpecSource(parseDataSpec('case.yaml', yamlStringify(spec), 'yaml')).issues;
}

/** Adds regions to the spec and to its deploy order, so that only the rule under test notices. */
function addRegions(spec: MeridianConfig, codes: readonly string[]): void {
  for (const code of codes) {
    spec.regions[code] = { role: 'secondary' };
    spec.deploy?.order?.push(code);
  }
}

function healthCheckOf(spec: MeridianConfig): Exclude<NonNullable<MeridianConfig['routing']['healthCheck']>, false> {
  const healthCheck = spec.routing.healthCheck;
  assert.ok(healthCheck, 'the base spec has a health check');
  return healthCheck;
}

function matcher(ruleCase: RuleCase): (issue: SpecIssue) => boolean {
  return (issue) =>
    issue.rule === ruleCase.rule &&
    issue.severity === ruleCase.severity &&
    issue.path === ruleCase.path &&
    (ruleCase.messageIncludes === undefined || issue.message.includes(ruleCase.messageIncludes));
}

function listIssues(issues: readonly SpecIssue[]): string {
  return issues.length === 0 ? '(none)' : issues.map((issue) => `${issue.severity} ${issue.rule} at ${issue.path}: ${issue.message}`).join('\n');
}

describe('spec rules', () => {
  const baseIssues = check(BASE_SPEC);

  test('the base spec has no issue at all', () => {
    assert.deepEqual(baseIssues, [], listIssues(baseIssues));
  });

  test('rule ids are unique', () => {
    const ids = SPEC_RULES.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('every rule has at least one case, and every case names a rule', () => {
    const covered = [...new Set(RULE_CASES.map((ruleCase) => ruleCase.rule))].sort();
    const ruleIds = SPEC_RULES.map((rule) => rule.id).sort();
    assert.deepEqual(covered, ruleIds);
  });

  describe('each case breaks exactly its rule', () => {
    for (const ruleCase of RULE_CASES) {
      test(`${ruleCase.rule}: ${ruleCase.name}`, () => {
        const matches = matcher(ruleCase);
        assert.equal(baseIssues.filter(matches).length, 0, 'the issue must be absent from the base spec');
        const issues = check(mutated(ruleCase.mutate));
        const found = issues.find(matches);
        assert.ok(found, `expected ${ruleCase.severity} ${ruleCase.rule} at ${ruleCase.path}; got:\n${listIssues(issues)}`);
        assert.equal(typeof found.line, 'number', 'an issue of a YAML spec carries its line');
        const allowed = new Set([ruleCase.rule, ...(ruleCase.alsoRules ?? [])]);
        const unexpected = issues.filter((issue) => !allowed.has(issue.rule));
        assert.deepEqual(unexpected, [], `other rules fired too:\n${listIssues(unexpected)}`);
      });
    }
  });

  describe('sound variants stay without issue', () => {
    for (const variant of SOUND_VARIANTS) {
      test(variant.name, () => {
        const issues = check(mutated(variant.mutate));
        assert.deepEqual(issues, [], listIssues(issues));
      });
    }
  });

  test('fast lab settings (interval 1 s, threshold 2, TTL 2 s) give one warning and no error', () => {
    const issues = check(
      mutated((s) => {
        s.routing.healthCheck = { intervalSeconds: 1, failureThreshold: 2, path: '/health' };
        s.routing.ttlSeconds = 2;
      }),
    );
    assert.deepEqual(
      issues.map((issue) => [issue.severity, issue.rule, issue.path]),
      [['warning', 'health-check-settings', 'routing.healthCheck.intervalSeconds']],
      listIssues(issues),
    );
  });

  test('the mutations never touch the base spec', () => {
    for (const ruleCase of RULE_CASES) mutated(ruleCase.mutate);
    assert.deepEqual(check(BASE_SPEC), []);
  });
});
