import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMonthlyCost } from './monthly-cost.ts';
import { MissingPriceError } from './price-book.ts';
import type { CostBreakdown, CostCategory, CostInput, CostLine, DataClassLoad, PopulationLoad } from './cost-model.ts';
import { defaultPriceBook, findPriceValue } from '../../catalog/prices.ts';

// Hand arithmetic below spells out its constants: a 730-hour month and binary gigabytes.
const SECONDS = 730 * 3600;
const GB = 1024 * 1024 * 1024;
const MILLION = 1_000_000;

const INTER = 'data_transfer.inter_region_per_gb_by_source_region';
const OUT = 'data_transfer.internet_out_first_tier_per_gb';
const US_EAST_PAIR = `${INTER}.special_cases.us-east-1<->us-east-2`;
const WRU = 'dynamodb.on_demand_write_request_units_per_million';
const RWRU = 'dynamodb.global_tables_replicated_write_request_units_per_million';

const prices = defaultPriceBook();

function plan(overrides: Partial<CostInput>): CostInput {
  return {
    regions: [],
    populations: [],
    dataClasses: [],
    flows: [],
    responseBytes: 0,
    routing: { policy: 'simple', healthChecks: 0, fastInterval: false, ttlSeconds: 60 },
    edge: 'none',
    aurora: { instancesPerWriterRegion: 2, instancesPerSecondaryRegion: 1, ioPerWrite: 3, ioPerRead: 0.5 },
    ...overrides,
  };
}

function dataClass(overrides: Partial<DataClassLoad> & Pick<DataClassLoad, 'engine' | 'replicas'>): DataClassLoad {
  return {
    name: 'orders',
    itemSizeBytes: 1000,
    storageGb: 0,
    writer: undefined,
    witness: undefined,
    readsPerSecondByRegion: {},
    writesPerSecondByRegion: {},
    consistentReads: true,
    ...overrides,
  };
}

function population(name: string, continent: string | undefined, requestsPerSecond: number, dnsResolvers = 0): PopulationLoad {
  return { name, continent, requestsPerSecond, dnsResolvers };
}

interface Expected {
  readonly category: CostCategory;
  readonly priceItem: string;
  readonly region?: string;
  /** Picks one line among several with the same category, item and region. */
  readonly describes?: string;
  readonly quantity: number;
  readonly monthlyUsd: number;
}

interface Absent {
  readonly category: CostCategory;
  readonly region?: string;
  readonly priceItem?: string;
}

interface Case {
  readonly name: string;
  readonly input: CostInput;
  readonly expected: readonly Expected[];
  readonly absent?: readonly Absent[];
}

const dynamoDbCases: Case[] = [
  {
    name: 'single region: 2 instances, a DynamoDB table with eventually consistent reads',
    input: plan({
      regions: [{ code: 'us-east-1', instances: 2, requestsPerSecond: 0 }],
      dataClasses: [
        dataClass({
          engine: 'dynamodb-table',
          replicas: ['us-east-1'],
          itemSizeBytes: 1500, // 2 WRU per write, 1 RRU per strong read, 0.5 per eventual read
          storageGb: 20,
          writesPerSecondByRegion: { 'us-east-1': 10 },
          readsPerSecondByRegion: { 'us-east-1': 100 },
          consistentReads: false,
        }),
      ],
    }),
    expected: [
      { category: 'compute', priceItem: 'ec2.m6g.large_on_demand_per_hour', region: 'us-east-1', quantity: 1460, monthlyUsd: 112.42 },
      { category: 'database', priceItem: WRU, region: 'us-east-1', quantity: 52.56, monthlyUsd: 52.56 * 0.625 },
      { category: 'database', priceItem: 'dynamodb.on_demand_read_request_units_per_million', region: 'us-east-1', quantity: 131.4, monthlyUsd: 131.4 * 0.125 },
      { category: 'storage', priceItem: 'dynamodb.storage_per_gb_month', region: 'us-east-1', quantity: 20, monthlyUsd: 5 },
    ],
    absent: [{ category: 'replicated-writes' }, { category: 'inter-region-transfer' }],
  },
  {
    name: 'strongly consistent reads of a 5000-byte item take 2 RRU each',
    input: plan({
      dataClasses: [
        dataClass({
          engine: 'dynamodb-table',
          replicas: ['eu-west-1'],
          itemSizeBytes: 5000,
          readsPerSecondByRegion: { 'eu-west-1': 10 },
        }),
      ],
    }),
    expected: [
      { category: 'database', priceItem: 'dynamodb.on_demand_read_request_units_per_million', region: 'eu-west-1', quantity: 52.56, monthlyUsd: 52.56 * 0.125 },
    ],
  },
  {
    name: 'global table over 3 replicas: each write lands as rWRU in the 2 other replicas',
    input: plan({
      dataClasses: [
        dataClass({
          engine: 'dynamodb-global-table',
          replicas: ['us-east-1', 'us-east-2', 'eu-west-1'],
          itemSizeBytes: 1000,
          storageGb: 10,
          writesPerSecondByRegion: { 'us-east-1': 10, 'eu-west-1': 5 },
        }),
      ],
    }),
    expected: [
      // Writes are WRU where they are made.
      { category: 'database', priceItem: WRU, region: 'us-east-1', quantity: (10 * SECONDS) / MILLION, monthlyUsd: (10 * SECONDS * 0.625) / MILLION },
      { category: 'database', priceItem: WRU, region: 'eu-west-1', quantity: (5 * SECONDS) / MILLION, monthlyUsd: (5 * SECONDS * 0.625) / MILLION },
      // rWRU: 15 writes/s × 2 other replicas each = 30 rWRU/s in total.
      { category: 'replicated-writes', priceItem: WRU, region: 'us-east-1', quantity: (5 * SECONDS) / MILLION, monthlyUsd: (5 * SECONDS * 0.625) / MILLION },
      { category: 'replicated-writes', priceItem: `${RWRU}.us-east-2`, region: 'us-east-2', quantity: (15 * SECONDS) / MILLION, monthlyUsd: (15 * SECONDS * 0.625) / MILLION },
      { category: 'replicated-writes', priceItem: WRU, region: 'eu-west-1', quantity: (10 * SECONDS) / MILLION, monthlyUsd: (10 * SECONDS * 0.625) / MILLION },
      { category: 'storage', priceItem: 'dynamodb.storage_per_gb_month', region: 'us-east-2', quantity: 10, monthlyUsd: 2.5 },
      // Replication bytes leave at the source's rate; us-east-1 → us-east-2 is the 0.01 pair.
      { category: 'inter-region-transfer', priceItem: US_EAST_PAIR, region: 'us-east-1', quantity: (10 * 1000 * SECONDS) / GB, monthlyUsd: (10 * 1000 * SECONDS * 0.01) / GB },
      { category: 'inter-region-transfer', priceItem: `${INTER}.us-east-1`, region: 'us-east-1', describes: '→ eu-west-1', quantity: (10 * 1000 * SECONDS) / GB, monthlyUsd: (10 * 1000 * SECONDS * 0.02) / GB },
      { category: 'inter-region-transfer', priceItem: `${INTER}.eu-west-1`, region: 'eu-west-1', describes: '→ us-east-2', quantity: (5 * 1000 * SECONDS) / GB, monthlyUsd: (5 * 1000 * SECONDS * 0.02) / GB },
    ],
  },
  {
    name: 'MRSC with a witness: the witness gets replication bytes but no rWRU and no storage',
    input: plan({
      dataClasses: [
        dataClass({
          engine: 'dynamodb-mrsc',
          replicas: ['us-east-1', 'us-east-2'],
          witness: 'us-west-2',
          itemSizeBytes: 2048, // 2 WRU
          storageGb: 10,
          writesPerSecondByRegion: { 'us-east-1': 10 },
        }),
      ],
    }),
    expected: [
      { category: 'replicated-writes', priceItem: `${RWRU}.us-east-2`, region: 'us-east-2', quantity: (20 * SECONDS) / MILLION, monthlyUsd: (20 * SECONDS * 0.625) / MILLION },
      { category: 'inter-region-transfer', priceItem: US_EAST_PAIR, region: 'us-east-1', quantity: (10 * 2048 * SECONDS) / GB, monthlyUsd: (10 * 2048 * SECONDS * 0.01) / GB },
      { category: 'inter-region-transfer', priceItem: `${INTER}.us-east-1`, region: 'us-east-1', describes: '→ us-west-2', quantity: (10 * 2048 * SECONDS) / GB, monthlyUsd: (10 * 2048 * SECONDS * 0.02) / GB },
    ],
    absent: [
      { category: 'replicated-writes', region: 'us-west-2' },
      { category: 'replicated-writes', region: 'us-east-1' },
      { category: 'storage', region: 'us-west-2' },
    ],
  },
];

const auroraCases: Case[] = [
  {
    name: 'Aurora global database: instances, I/O, replicated write I/O and storage per region',
    input: plan({
      dataClasses: [
        dataClass({
          engine: 'aurora-global-database',
          replicas: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
          writer: 'us-east-1',
          itemSizeBytes: 2048,
          storageGb: 100,
          writesPerSecondByRegion: { 'us-east-1': 100 },
          readsPerSecondByRegion: { 'us-east-1': 200, 'eu-west-1': 400 },
        }),
      ],
    }),
    expected: [
      { category: 'database', priceItem: 'aurora.db.r6g.large_on_demand_per_hour', region: 'us-east-1', quantity: 1460, monthlyUsd: 379.6 },
      { category: 'database', priceItem: 'aurora.db.r6g.large_on_demand_per_hour', region: 'eu-west-1', quantity: 730, monthlyUsd: 189.8 },
      { category: 'database', priceItem: 'aurora.db.r6g.large_on_demand_per_hour', region: 'ap-southeast-2', quantity: 730, monthlyUsd: 189.8 },
      // (200 reads × 0.5 + 100 writes × 3) I/O per second at the writer, 400 × 0.5 in eu-west-1.
      { category: 'database', priceItem: 'aurora.io_requests_per_million', region: 'us-east-1', quantity: 1051.2, monthlyUsd: 210.24 },
      { category: 'database', priceItem: 'aurora.io_requests_per_million', region: 'eu-west-1', quantity: 525.6, monthlyUsd: 105.12 },
      { category: 'replicated-writes', priceItem: 'aurora.global_database_replicated_write_io_per_million', region: 'eu-west-1', quantity: 788.4, monthlyUsd: 157.68 },
      { category: 'replicated-writes', priceItem: 'aurora.global_database_replicated_write_io_per_million', region: 'ap-southeast-2', quantity: 788.4, monthlyUsd: 157.68 },
      { category: 'storage', priceItem: 'aurora.storage_per_gb_month.standard', region: 'us-east-1', quantity: 100, monthlyUsd: 10 },
      { category: 'storage', priceItem: 'aurora.storage_per_gb_month.standard', region: 'eu-west-1', quantity: 100, monthlyUsd: 10 },
      { category: 'storage', priceItem: 'aurora.storage_per_gb_month.standard', region: 'ap-southeast-2', quantity: 100, monthlyUsd: 10 },
      { category: 'inter-region-transfer', priceItem: `${INTER}.us-east-1`, region: 'us-east-1', describes: '→ ap-southeast-2', quantity: (100 * 2048 * SECONDS) / GB, monthlyUsd: (100 * 2048 * SECONDS * 0.02) / GB },
    ],
    absent: [
      { category: 'replicated-writes', region: 'us-east-1' },
      { category: 'database', region: 'ap-southeast-2', priceItem: 'aurora.io_requests_per_million' },
    ],
  },
  {
    name: 'Aurora cluster in one region: no secondaries, nothing replicated',
    input: plan({
      dataClasses: [
        dataClass({
          engine: 'aurora-cluster',
          replicas: ['eu-west-1'],
          writer: 'eu-west-1',
          storageGb: 50,
          writesPerSecondByRegion: { 'eu-west-1': 10 },
        }),
      ],
    }),
    expected: [
      { category: 'database', priceItem: 'aurora.db.r6g.large_on_demand_per_hour', region: 'eu-west-1', quantity: 1460, monthlyUsd: 379.6 },
      { category: 'database', priceItem: 'aurora.io_requests_per_million', region: 'eu-west-1', quantity: 78.84, monthlyUsd: 15.768 },
      { category: 'storage', priceItem: 'aurora.storage_per_gb_month.standard', region: 'eu-west-1', quantity: 50, monthlyUsd: 5 },
    ],
    absent: [{ category: 'replicated-writes' }, { category: 'inter-region-transfer' }],
  },
];

const transferCases: Case[] = [
  {
    name: 'a flow is priced at its source region (sa-east-1 → 0.138/GB)',
    input: plan({ flows: [{ from: 'sa-east-1', to: 'us-east-1', bytesPerSecond: 1_000_000, reason: 'forwarded writes' }] }),
    expected: [
      { category: 'inter-region-transfer', priceItem: `${INTER}.sa-east-1`, region: 'sa-east-1', quantity: (1e6 * SECONDS) / GB, monthlyUsd: (1e6 * SECONDS * 0.138) / GB },
    ],
  },
  {
    name: 'us-east-2 → us-east-1 uses the 0.01 pair price; us-east-2 → us-west-2 the 0.02 source price',
    input: plan({
      flows: [
        { from: 'us-east-2', to: 'us-east-1', bytesPerSecond: 1_000_000, reason: 'forwarded writes' },
        { from: 'us-east-2', to: 'us-west-2', bytesPerSecond: 1_000_000, reason: 'forwarded reads' },
      ],
    }),
    expected: [
      { category: 'inter-region-transfer', priceItem: US_EAST_PAIR, region: 'us-east-2', quantity: (1e6 * SECONDS) / GB, monthlyUsd: (1e6 * SECONDS * 0.01) / GB },
      { category: 'inter-region-transfer', priceItem: `${INTER}.us-east-2`, region: 'us-east-2', quantity: (1e6 * SECONDS) / GB, monthlyUsd: (1e6 * SECONDS * 0.02) / GB },
    ],
  },
];

const servingRegions = [
  { code: 'us-east-1', instances: 0, requestsPerSecond: 100 },
  { code: 'sa-east-1', instances: 0, requestsPerSecond: 50 },
];
const servingPopulations = [population('north-america', 'NA', 100), population('oceania', 'OC', 50)];

const servingCases: Case[] = [
  {
    name: 'no edge: each region pays its own first-tier internet egress',
    input: plan({ regions: servingRegions, populations: servingPopulations, responseBytes: 10_000 }),
    expected: [
      { category: 'internet-egress', priceItem: `${OUT}.us-east-1`, region: 'us-east-1', quantity: (100 * 1e4 * SECONDS) / GB, monthlyUsd: (100 * 1e4 * SECONDS * 0.09) / GB },
      { category: 'internet-egress', priceItem: `${OUT}.sa-east-1`, region: 'sa-east-1', quantity: (50 * 1e4 * SECONDS) / GB, monthlyUsd: (50 * 1e4 * SECONDS * 0.15) / GB },
    ],
    absent: [{ category: 'edge' }],
  },
  {
    name: 'CDN: CloudFront per GB by client continent and HTTPS requests replace EC2 egress',
    input: plan({ regions: servingRegions, populations: servingPopulations, responseBytes: 10_000, edge: 'cdn' }),
    expected: [
      { category: 'internet-egress', priceItem: 'cloudfront.data_transfer_out_first_10tb_per_gb.US/Mexico/Canada', quantity: (100 * 1e4 * SECONDS) / GB, monthlyUsd: (100 * 1e4 * SECONDS * 0.085) / GB },
      { category: 'internet-egress', priceItem: 'cloudfront.data_transfer_out_first_10tb_per_gb.Australia/New Zealand', quantity: (50 * 1e4 * SECONDS) / GB, monthlyUsd: (50 * 1e4 * SECONDS * 0.114) / GB },
      { category: 'edge', priceItem: 'cloudfront.requests_per_10k_us.https', quantity: (150 * SECONDS) / 10_000, monthlyUsd: 394.2 },
    ],
    absent: [
      { category: 'internet-egress', priceItem: `${OUT}.us-east-1` },
      { category: 'internet-egress', priceItem: `${OUT}.sa-east-1` },
    ],
  },
  {
    name: 'accelerator: EC2 egress kept, plus the fixed fee and the premium by client continent',
    input: plan({ regions: servingRegions, populations: servingPopulations, responseBytes: 10_000, edge: 'accelerator' }),
    expected: [
      { category: 'internet-egress', priceItem: `${OUT}.us-east-1`, region: 'us-east-1', quantity: (100 * 1e4 * SECONDS) / GB, monthlyUsd: (100 * 1e4 * SECONDS * 0.09) / GB },
      { category: 'edge', priceItem: 'global_accelerator.fixed_fee_per_hour', quantity: 730, monthlyUsd: 18.25 },
      { category: 'edge', priceItem: 'global_accelerator.dt_premium_per_gb.endpoint_in_eu-west-1_by_client_location.US/Mexico/Canada', quantity: (100 * 1e4 * SECONDS) / GB, monthlyUsd: (100 * 1e4 * SECONDS * 0.015) / GB },
      { category: 'edge', priceItem: 'global_accelerator.dt_premium_per_gb.endpoint_in_eu-west-1_by_client_location.Australia/New Zealand', quantity: (50 * 1e4 * SECONDS) / GB, monthlyUsd: (50 * 1e4 * SECONDS * 0.105) / GB },
    ],
  },
];

// A busy population with 100 resolvers and a 60 s TTL asks at most 100 × month / 60 = 4,380,000 times;
// a quiet one (0.01 requests/s) asks at most once per request: 26,280 times.
const dnsPopulations = [population('busy', 'EU', 1000, 100), population('quiet', 'EU', 0.01, 1000)];
const dnsQueriesMillion = (4_380_000 + 26_280) / MILLION;

const dnsCases: Case[] = [
  {
    name: 'DNS: latency queries capped by resolvers × month / TTL, zone, health checks with fast interval',
    input: plan({
      populations: dnsPopulations,
      routing: { policy: 'latency', healthChecks: 3, fastInterval: true, ttlSeconds: 60 },
    }),
    expected: [
      { category: 'dns', priceItem: 'route53.hosted_zone_per_month', quantity: 1, monthlyUsd: 0.5 },
      { category: 'dns', priceItem: 'route53.latency_based_routing_queries_per_million', quantity: dnsQueriesMillion, monthlyUsd: dnsQueriesMillion * 0.6 },
      { category: 'dns', priceItem: 'route53.health_check_per_month.aws_endpoint', quantity: 3, monthlyUsd: 1.5 },
      { category: 'dns', priceItem: 'route53.health_check_per_month.optional_feature_aws_endpoint', quantity: 3, monthlyUsd: 3 },
    ],
  },
  {
    name: 'DNS behind an accelerator: a simple record at the standard query price',
    input: plan({
      populations: dnsPopulations,
      edge: 'accelerator',
      routing: { policy: 'geolocation', healthChecks: 0, fastInterval: false, ttlSeconds: 60 },
    }),
    expected: [
      { category: 'dns', priceItem: 'route53.standard_queries_per_million', quantity: dnsQueriesMillion, monthlyUsd: dnsQueriesMillion * 0.4 },
    ],
    absent: [
      { category: 'dns', priceItem: 'route53.geo_dns_queries_per_million' },
      { category: 'dns', priceItem: 'route53.health_check_per_month.aws_endpoint' },
      { category: 'dns', priceItem: 'route53.health_check_per_month.optional_feature_aws_endpoint' },
    ],
  },
];

const allCases = [...dynamoDbCases, ...auroraCases, ...transferCases, ...servingCases, ...dnsCases];

for (const testCase of allCases) {
  test(testCase.name, () => {
    const breakdown = estimateMonthlyCost(testCase.input, prices);
    for (const expected of testCase.expected) {
      const line = onlyLine(breakdown, expected);
      assertClose(line.quantity, expected.quantity, `${expected.priceItem} quantity`);
      assertClose(line.monthlyUsd, expected.monthlyUsd, `${expected.priceItem} monthlyUsd`);
    }
    for (const absent of testCase.absent ?? []) {
      assert.deepEqual(breakdown.lines.filter((line) => matches(line, absent)), [], `unexpected ${JSON.stringify(absent)}`);
    }
  });
}

test('the breakdown sums lines per category and in total, every category present', () => {
  const breakdown = estimateMonthlyCost(richPlan(), prices);
  const categories: CostCategory[] = ['compute', 'database', 'replicated-writes', 'storage', 'inter-region-transfer', 'internet-egress', 'dns', 'edge'];
  assert.deepEqual(Object.keys(breakdown.byCategory).sort(), [...categories].sort());
  for (const category of categories) {
    const sum = breakdown.lines.filter((line) => line.category === category).reduce((total, line) => total + line.monthlyUsd, 0);
    assertClose(breakdown.byCategory[category], sum, category);
  }
  assertClose(breakdown.totalMonthlyUsd, breakdown.lines.reduce((total, line) => total + line.monthlyUsd, 0), 'total');
  assert.equal(breakdown.hoursPerMonth, 730);
  assert.equal(estimateMonthlyCost(plan({}), prices).byCategory.edge, 0);
});

test('lines with nothing to buy are left out', () => {
  const breakdown = estimateMonthlyCost(plan({ regions: [{ code: 'eu-west-1', instances: 0, requestsPerSecond: 0 }] }), prices);
  assert.deepEqual(
    breakdown.lines.map((line) => line.priceItem),
    ['route53.hosted_zone_per_month'],
  );
});

test('every line is described and names a real item of aws-pricing.json at its unit price', () => {
  for (const edge of ['none', 'accelerator', 'cdn'] as const) {
    const breakdown = estimateMonthlyCost({ ...richPlan(), edge }, prices);
    assert.ok(breakdown.lines.length > 20);
    for (const line of breakdown.lines) {
      assert.equal(findPriceValue(line.priceItem), line.unitPriceUsd, line.priceItem);
      assert.ok(line.description.length > 10 && line.unit.length > 0, line.priceItem);
      assertClose(line.monthlyUsd, line.quantity * line.unitPriceUsd, line.description);
    }
  }
});

test('a price applied outside the region it was listed for says so in the description', () => {
  const breakdown = estimateMonthlyCost(plan({ regions: [{ code: 'eu-central-2', instances: 1, requestsPerSecond: 1 }], responseBytes: 1000 }), prices);
  const compute = breakdown.lines.find((line) => line.category === 'compute');
  assert.match(compute?.description ?? '', /us-east-1 list price applied to eu-central-2/);
  const egress = breakdown.lines.find((line) => line.category === 'internet-egress');
  assert.match(egress?.description ?? '', /eu-central-2 is not in the price file/);
});

test('a region without a price is a typed error', () => {
  const input = plan({ regions: [{ code: 'xx-nowhere-1', instances: 1, requestsPerSecond: 0 }] });
  assert.throws(() => estimateMonthlyCost(input, prices), (error: unknown) => error instanceof MissingPriceError && error.key === 'xx-nowhere-1');
});

function richPlan(): CostInput {
  return plan({
    regions: [
      { code: 'us-east-1', instances: 3, requestsPerSecond: 300 },
      { code: 'eu-central-2', instances: 2, requestsPerSecond: 100 },
      { code: 'ap-southeast-4', instances: 2, requestsPerSecond: 100 },
    ],
    populations: [population('us', 'NA', 300, 500), population('europe', 'EU', 100, 200), population('antarctica', 'AN', 1, 1), population('unknown', undefined, 99, 50)],
    dataClasses: [
      dataClass({ engine: 'dynamodb-global-table', replicas: ['us-east-1', 'eu-central-2', 'ap-southeast-4'], storageGb: 5, writesPerSecondByRegion: { 'us-east-1': 5, 'eu-central-2': 5 }, readsPerSecondByRegion: { 'ap-southeast-4': 50 } }),
      dataClass({ name: 'ledger', engine: 'dynamodb-mrsc', replicas: ['us-east-1', 'us-east-2'], witness: 'us-west-2', storageGb: 1, writesPerSecondByRegion: { 'us-east-2': 2 } }),
      dataClass({ name: 'catalog', engine: 'aurora-global-database', replicas: ['us-east-1', 'eu-central-2'], writer: 'us-east-1', storageGb: 30, writesPerSecondByRegion: { 'us-east-1': 5 }, readsPerSecondByRegion: { 'eu-central-2': 20 } }),
    ],
    flows: [{ from: 'ap-southeast-4', to: 'us-east-1', bytesPerSecond: 5000, reason: 'forwarded writes' }],
    responseBytes: 8000,
    routing: { policy: 'latency', healthChecks: 3, fastInterval: true, ttlSeconds: 60 },
  });
}

function matches(line: CostLine, query: Absent & { describes?: string }): boolean {
  return (
    line.category === query.category &&
    (query.priceItem === undefined || line.priceItem === query.priceItem) &&
    (query.region === undefined || line.region === query.region) &&
    (query.describes === undefined || line.description.includes(query.describes))
  );
}

function onlyLine(breakdown: CostBreakdown, expected: Expected): CostLine {
  const found = breakdown.lines.filter((line) => matches(line, expected));
  assert.equal(found.length, 1, `expected one line for ${JSON.stringify(expected)}, found ${found.map((line) => line.description).join(' | ')}`);
  return found[0]!;
}

function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected}`);
}
