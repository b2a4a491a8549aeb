import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPriceBook, findPriceValue } from './prices.ts';
import { REGIONS } from './regions.ts';
import { continentPrice, interRegionPrice, type Price, type PriceBook } from '../core/cost/price-book.ts';

const book = defaultPriceBook();
const INTER = 'data_transfer.inter_region_per_gb_by_source_region';
const OUT = 'data_transfer.internet_out_first_tier_per_gb';

test('findPriceValue walks dotted ids, keys with dots and implied `values` levels', () => {
  const cases: [id: string, expected: number | undefined][] = [
    ['ec2.m6g.large_on_demand_per_hour', 0.077],
    ['aurora.db.r6g.large_on_demand_per_hour', 0.26],
    [`${INTER}.eu-west-1`, 0.02],
    [`${INTER}.sa-east-1`, 0.138],
    [`${INTER}.special_cases.us-east-1<->us-east-2`, 0.01],
    [`${OUT}.ap-northeast-2`, 0.126],
    ['route53.health_check_per_month.optional_feature_aws_endpoint', 1.0],
    ['global_accelerator.dt_premium_per_gb.endpoint_in_eu-west-1_by_client_location.South Africa/Kenya', 0.067],
    ['cloudfront.data_transfer_out_first_10tb_per_gb.Europe/Israel', 0.085],
    ['dynamodb.global_tables_replicated_write_request_units_per_million.us-west-1', 0.6975],
    // Not prices: a table, a missing region, a misspelt item, a string leaf.
    [INTER, undefined],
    [`${INTER}.eu-central-2`, undefined],
    ['ec2.m6g.xlarge_on_demand_per_hour', undefined],
    ['ec2.m6g.large_on_demand_per_hour.unit', undefined],
  ];
  for (const [id, expected] of cases) assert.equal(findPriceValue(id), expected, id);
});

test('region-keyed prices: listed regions, continent fallbacks and us-east-1 list prices', () => {
  const dataTransfer = book.dataTransfer;
  const cases: [what: string, price: Price | undefined, id: string, valueUsd: number, note: RegExp | undefined][] = [
    ['inter-region sa-east-1', dataTransfer.interRegionPerGbBySourceRegion['sa-east-1'], `${INTER}.sa-east-1`, 0.138, undefined],
    ['inter-region eu-central-2 (EU fallback)', dataTransfer.interRegionPerGbBySourceRegion['eu-central-2'], `${INTER}.eu-west-1`, 0.02, /eu-central-2 is not in the price file.*EU/],
    ['inter-region mx-central-1 (NA fallback)', dataTransfer.interRegionPerGbBySourceRegion['mx-central-1'], `${INTER}.us-east-1`, 0.02, /mx-central-1/],
    ['inter-region me-central-1 (AS fallback)', dataTransfer.interRegionPerGbBySourceRegion['me-central-1'], `${INTER}.me-south-1`, 0.1105, /highest AS price/],
    ['inter-region ap-southeast-4 (OC fallback)', dataTransfer.interRegionPerGbBySourceRegion['ap-southeast-4'], `${INTER}.ap-southeast-2`, 0.098, /ap-southeast-4/],
    ['internet out eu-west-1', dataTransfer.internetOutPerGbByRegion['eu-west-1'], `${OUT}.eu-west-1`, 0.09, undefined],
    ['internet out ap-southeast-7 (AS fallback)', dataTransfer.internetOutPerGbByRegion['ap-southeast-7'], `${OUT}.ap-northeast-2`, 0.126, /ap-southeast-7/],
    ['internet out ap-southeast-6 (OC fallback)', dataTransfer.internetOutPerGbByRegion['ap-southeast-6'], `${OUT}.ap-southeast-2`, 0.114, /ap-southeast-6/],
    ['EC2 us-east-1', book.ec2.m6gLargePerHourByRegion['us-east-1'], 'ec2.m6g.large_on_demand_per_hour', 0.077, undefined],
    ['EC2 eu-west-1', book.ec2.m6gLargePerHourByRegion['eu-west-1'], 'ec2.m6g.large_on_demand_per_hour', 0.077, /^us-east-1 list price applied to eu-west-1$/],
    ['DynamoDB WRU us-east-1', book.dynamodb.writeRequestUnitsPerMillionByRegion['us-east-1'], 'dynamodb.on_demand_write_request_units_per_million', 0.625, undefined],
    ['DynamoDB RRU ap-south-1', book.dynamodb.readRequestUnitsPerMillionByRegion['ap-south-1'], 'dynamodb.on_demand_read_request_units_per_million', 0.125, /us-east-1 list price applied to ap-south-1/],
    ['DynamoDB rWRU us-east-2', book.dynamodb.replicatedWriteRequestUnitsPerMillionByRegion['us-east-2'], 'dynamodb.global_tables_replicated_write_request_units_per_million.us-east-2', 0.625, undefined],
    ['DynamoDB rWRU eu-west-1', book.dynamodb.replicatedWriteRequestUnitsPerMillionByRegion['eu-west-1'], 'dynamodb.on_demand_write_request_units_per_million', 0.625, /us-east-1 list price applied to eu-west-1/],
    ['DynamoDB storage', book.dynamodb.storagePerGbMonthByRegion['us-east-1'], 'dynamodb.storage_per_gb_month', 0.25, undefined],
    ['Aurora instance eu-west-1', book.aurora.r6gLargePerHourByRegion['eu-west-1'], 'aurora.db.r6g.large_on_demand_per_hour', 0.26, /applied to eu-west-1/],
    ['Aurora storage', book.aurora.storagePerGbMonthByRegion['us-east-1'], 'aurora.storage_per_gb_month.standard', 0.1, undefined],
    ['Aurora I/O', book.aurora.ioRequestsPerMillionByRegion['us-east-1'], 'aurora.io_requests_per_million', 0.2, undefined],
    ['Aurora replicated write I/O', book.aurora.replicatedWriteIoPerMillionByRegion['us-east-1'], 'aurora.global_database_replicated_write_io_per_million', 0.2, undefined],
  ];
  for (const [what, price, id, valueUsd, note] of cases) {
    assert.ok(price, what);
    assert.equal(price.id, id, what);
    assert.equal(price.valueUsd, valueUsd, what);
    if (note === undefined) assert.equal(price.note, undefined, what);
    else assert.match(price.note ?? '', note, what);
  }
});

test('inter-region transfer is priced at the source, except between us-east-1 and us-east-2', () => {
  const cases: [source: string, target: string, valueUsd: number][] = [
    ['us-east-1', 'us-east-2', 0.01],
    ['us-east-2', 'us-east-1', 0.01],
    ['us-east-1', 'us-west-2', 0.02],
    ['sa-east-1', 'us-east-1', 0.138],
    ['us-east-1', 'sa-east-1', 0.02],
  ];
  for (const [source, target, valueUsd] of cases) {
    assert.equal(interRegionPrice(book, source, target).valueUsd, valueUsd, `${source} → ${target}`);
  }
});

test('Route 53 prices by routing policy and health check features', () => {
  const cases: [policy: keyof PriceBook['route53']['queriesPerMillionByPolicy'], valueUsd: number][] = [
    ['simple', 0.4],
    ['failover', 0.4],
    ['weighted', 0.4],
    ['multivalue', 0.4],
    ['latency', 0.6],
    ['geolocation', 0.7],
  ];
  for (const [policy, valueUsd] of cases) assert.equal(book.route53.queriesPerMillionByPolicy[policy].valueUsd, valueUsd, policy);
  assert.equal(book.route53.hostedZonePerMonth.valueUsd, 0.5);
  assert.equal(book.route53.healthCheckPerMonth.valueUsd, 0.5);
  assert.equal(book.route53.healthCheckFastIntervalPerMonth.valueUsd, 1.0);
});

test('edge prices by client continent, unknown continents at the dearest zone', () => {
  const accelerator = book.globalAccelerator.premiumPerGbByClientContinent;
  const cloudfront = book.cloudfront.dataOutPerGbByClientContinent;
  const cases: [continent: string | undefined, acceleratorUsd: number, cloudfrontUsd: number][] = [
    ['NA', 0.015, 0.085],
    ['EU', 0.015, 0.085],
    ['AS', 0.033, 0.12],
    ['OC', 0.105, 0.114],
    ['SA', 0.043, 0.11],
    ['AF', 0.067, 0.11],
    ['AN', 0.105, 0.12],
    [undefined, 0.105, 0.12],
  ];
  for (const [continent, acceleratorUsd, cloudfrontUsd] of cases) {
    assert.equal(continentPrice(accelerator, continent).valueUsd, acceleratorUsd, `accelerator ${continent}`);
    assert.equal(continentPrice(cloudfront, continent).valueUsd, cloudfrontUsd, `cloudfront ${continent}`);
  }
  assert.match(continentPrice(cloudfront, undefined).note ?? '', /client continent unknown/);
  assert.equal(book.globalAccelerator.fixedFeePerHour.valueUsd, 0.025);
  assert.equal(book.cloudfront.httpsRequestsPer10k.valueUsd, 0.01);
});

test('every region-keyed table prices every catalog region', () => {
  const tables = {
    ec2: book.ec2.m6gLargePerHourByRegion,
    interRegion: book.dataTransfer.interRegionPerGbBySourceRegion,
    internetOut: book.dataTransfer.internetOutPerGbByRegion,
    ...book.dynamodb,
    ...book.aurora,
  };
  for (const [name, table] of Object.entries(tables)) {
    for (const region of REGIONS) assert.ok(table[region.code], `${name} has no price for ${region.code}`);
  }
});

test('every price in the book carries the value of the item its id names', () => {
  const prices = collectPrices(book);
  assert.ok(prices.length > 200, `only ${prices.length} prices found`);
  for (const price of prices) assert.equal(findPriceValue(price.id), price.valueUsd, price.id);
});

test('defaultPriceBook is built once and cannot be changed', () => {
  assert.equal(defaultPriceBook(), defaultPriceBook());
  assert.ok(Object.isFrozen(book.dataTransfer.interRegionPerGbBySourceRegion['us-east-1']));
  assert.throws(() => {
    (book.route53.hostedZonePerMonth as { valueUsd: number }).valueUsd = 0;
  }, TypeError);
});

function collectPrices(node: unknown): Price[] {
  if (typeof node !== 'object' || node === null) return [];
  if ('id' in node && 'valueUsd' in node) return [node as Price];
  return Object.values(node).flatMap(collectPrices);
}
