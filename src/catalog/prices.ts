import pricingFile from './data/aws-pricing.json' with { type: 'json' };
import { REGIONS, findRegion } from './regions.ts';
import type { ContinentPrices, Price, PriceBook, RegionPrices, RoutingPolicy } from '../core/cost/price-book.ts';

/** When the price file was assembled; each item carries its own evidence date too. */
export const PRICES_RETRIEVED: string = pricingFile.retrieved;

/**
 * The price book built from data/aws-pricing.json. Each price keeps the dotted id of the item it was read
 * from, so every figure in a cost breakdown can be traced back to its source. Regions the file does not
 * price get a stated stand-in (see the `note` of each price) rather than a silent default.
 */

/** The region whose list prices the file quotes for DynamoDB, Aurora and EC2 instances. */
const LIST_PRICE_REGION = 'us-east-1';

/** Global Accelerator client locations of the eu-west-1 endpoint table, by client continent. */
const ACCELERATOR_LOCATION_BY_CONTINENT: Readonly<Record<string, string>> = {
  NA: 'US/Mexico/Canada',
  EU: 'Europe',
  AS: 'Asia Pacific',
  OC: 'Australia/New Zealand',
  SA: 'South America',
  AF: 'South Africa/Kenya',
};

/** CloudFront pricing zones by client continent; Asia goes to the general (and dearest) Asian zone. */
const CLOUDFRONT_ZONE_BY_CONTINENT: Readonly<Record<string, string>> = {
  NA: 'US/Mexico/Canada',
  EU: 'Europe/Israel',
  AS: 'Hong Kong/Philippines/Asia Pacific',
  OC: 'Australia/New Zealand',
  SA: 'South America',
  AF: 'South Africa/Kenya/Middle East',
};

const INTER_REGION_TABLE = 'data_transfer.inter_region_per_gb_by_source_region';
const INTERNET_OUT_TABLE = 'data_transfer.internet_out_first_tier_per_gb';
const ACCELERATOR_TABLE = 'global_accelerator.dt_premium_per_gb.endpoint_in_eu-west-1_by_client_location';
const CLOUDFRONT_OUT_TABLE = 'cloudfront.data_transfer_out_first_10tb_per_gb';
const REPLICATED_WRU_TABLE = 'dynamodb.global_tables_replicated_write_request_units_per_million';

let memoizedPriceBook: PriceBook | undefined;

/** The price book of the catalog's price file, built once. */
export function defaultPriceBook(): PriceBook {
  memoizedPriceBook ??= deepFreeze(buildPriceBook());
  return memoizedPriceBook;
}

function buildPriceBook(): PriceBook {
  return {
    ec2: { m6gLargePerHourByRegion: listPriceEverywhere('ec2.m6g.large_on_demand_per_hour', 'instance-hour') },
    dataTransfer: {
      interRegionPerGbBySourceRegion: regionTable(INTER_REGION_TABLE, 'GB'),
      interRegionPairsPerGb: [
        {
          regions: ['us-east-1', 'us-east-2'],
          price: itemPrice(`${INTER_REGION_TABLE}.special_cases.us-east-1<->us-east-2`, 'GB'),
        },
      ],
      internetOutPerGbByRegion: regionTable(INTERNET_OUT_TABLE, 'GB'),
    },
    route53: buildRoute53Prices(),
    globalAccelerator: {
      fixedFeePerHour: itemPrice('global_accelerator.fixed_fee_per_hour', 'accelerator-hour'),
      premiumPerGbByClientContinent: continentTable(ACCELERATOR_TABLE, ACCELERATOR_LOCATION_BY_CONTINENT, 'GB'),
    },
    cloudfront: {
      dataOutPerGbByClientContinent: continentTable(CLOUDFRONT_OUT_TABLE, CLOUDFRONT_ZONE_BY_CONTINENT, 'GB'),
      httpsRequestsPer10k: itemPrice(
        'cloudfront.requests_per_10k_us.https',
        '10k HTTPS requests',
        'the US request price applied to every client location',
      ),
    },
    dynamodb: {
      writeRequestUnitsPerMillionByRegion: listPriceEverywhere('dynamodb.on_demand_write_request_units_per_million', 'million WRU'),
      readRequestUnitsPerMillionByRegion: listPriceEverywhere('dynamodb.on_demand_read_request_units_per_million', 'million RRU'),
      replicatedWriteRequestUnitsPerMillionByRegion: buildReplicatedWritePrices(),
      storagePerGbMonthByRegion: listPriceEverywhere('dynamodb.storage_per_gb_month', 'GB-month'),
    },
    aurora: {
      r6gLargePerHourByRegion: listPriceEverywhere('aurora.db.r6g.large_on_demand_per_hour', 'instance-hour'),
      storagePerGbMonthByRegion: listPriceEverywhere('aurora.storage_per_gb_month.standard', 'GB-month'),
      ioRequestsPerMillionByRegion: listPriceEverywhere('aurora.io_requests_per_million', 'million I/O requests'),
      replicatedWriteIoPerMillionByRegion: listPriceEverywhere(
        'aurora.global_database_replicated_write_io_per_million',
        'million replicated write I/Os',
      ),
    },
  };
}

function buildRoute53Prices(): PriceBook['route53'] {
  const standard = itemPrice('route53.standard_queries_per_million', 'million queries');
  const queriesPerMillionByPolicy: Record<RoutingPolicy, Price> = {
    simple: standard,
    failover: standard,
    weighted: standard,
    multivalue: standard,
    latency: itemPrice('route53.latency_based_routing_queries_per_million', 'million queries'),
    geolocation: itemPrice('route53.geo_dns_queries_per_million', 'million queries'),
  };
  return {
    hostedZonePerMonth: itemPrice('route53.hosted_zone_per_month', 'zone-month'),
    queriesPerMillionByPolicy,
    healthCheckPerMonth: itemPrice('route53.health_check_per_month.aws_endpoint', 'health-check-month'),
    healthCheckFastIntervalPerMonth: itemPrice(
      'route53.health_check_per_month.optional_feature_aws_endpoint',
      'health-check-month',
      'the 10-second interval is an optional feature billed on top of the base health check',
    ),
  };
}

/** Since the November 2024 price cut an on-demand rWRU costs what a WRU costs in the same region. */
function buildReplicatedWritePrices(): RegionPrices {
  const listed = listedValues(REPLICATED_WRU_TABLE);
  const wruId = 'dynamodb.on_demand_write_request_units_per_million';
  const prices: Record<string, Price> = {};
  for (const code of allRegionCodes(listed)) {
    if (code in listed) {
      prices[code] = itemPrice(`${REPLICATED_WRU_TABLE}.${code}`, 'million rWRU');
      continue;
    }
    const listPriceNote = code === LIST_PRICE_REGION ? '' : `; ${LIST_PRICE_REGION} list price applied to ${code}`;
    prices[code] = itemPrice(wruId, 'million rWRU', `an rWRU is billed as a WRU since November 2024${listPriceNote}`);
  }
  return prices;
}

/** A price the file quotes for us-east-1 only, applied to every region with a note saying so. */
function listPriceEverywhere(id: string, unit: string): RegionPrices {
  const prices: Record<string, Price> = {};
  for (const { code } of REGIONS) {
    prices[code] = code === LIST_PRICE_REGION ? itemPrice(id, unit) : itemPrice(id, unit, `${LIST_PRICE_REGION} list price applied to ${code}`);
  }
  return prices;
}

/**
 * A region-keyed table. A region the file leaves out gets the highest price among the file's regions on
 * the same continent: AWS prices neighbouring regions alike, and erring high keeps an estimate honest.
 */
function regionTable(tableId: string, unit: string): RegionPrices {
  const listed = listedValues(tableId);
  const prices: Record<string, Price> = {};
  for (const code of allRegionCodes(listed)) {
    prices[code] = code in listed ? itemPrice(`${tableId}.${code}`, unit) : continentFallback(tableId, listed, code, unit);
  }
  return prices;
}

function continentFallback(tableId: string, listed: Readonly<Record<string, number>>, code: string, unit: string): Price {
  const continent = findRegion(code)?.continent;
  const neighbours = Object.keys(listed).filter((listedCode) => findRegion(listedCode)?.continent === continent);
  const dearest = highestPricedKey(listed, neighbours);
  if (dearest === undefined) throw new Error(`${tableId} prices no region on continent ${continent} (needed for ${code})`);
  const note = `${code} is not in the price file; the highest ${continent} price in the file (${dearest}) applied`;
  return itemPrice(`${tableId}.${dearest}`, unit, note);
}

/** A table keyed by client location, mapped from continent codes; unknown continents pay the most. */
function continentTable(tableId: string, locationByContinent: Readonly<Record<string, string>>, unit: string): ContinentPrices {
  const listed = listedValues(tableId);
  const byContinent: Record<string, Price> = {};
  for (const [continent, location] of Object.entries(locationByContinent)) {
    byContinent[continent] = itemPrice(`${tableId}.${location}`, unit);
  }
  const dearest = highestPricedKey(listed, Object.keys(listed));
  if (dearest === undefined) throw new Error(`${tableId} has no prices`);
  const note = `client continent unknown; the highest price in the table (${dearest}) applied`;
  return { byContinent, unknownContinent: itemPrice(`${tableId}.${dearest}`, unit, note) };
}

function highestPricedKey(listed: Readonly<Record<string, number>>, keys: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const key of keys) {
    if (best === undefined || listed[key]! > listed[best]!) best = key;
  }
  return best;
}

function allRegionCodes(listed: Readonly<Record<string, number>>): string[] {
  return [...new Set([...REGIONS.map((region) => region.code), ...Object.keys(listed)])];
}

function itemPrice(id: string, unit: string, note?: string): Price {
  const valueUsd = findPriceValue(id);
  if (valueUsd === undefined) throw new Error(`aws-pricing.json has no numeric price at items.${id}`);
  return note === undefined ? { id, valueUsd, unit } : { id, valueUsd, unit, note };
}

/** The numeric entries of a keyed table: its `values` object, or the object itself. */
function listedValues(tableId: string): Readonly<Record<string, number>> {
  const table = walk(tableId);
  const entries = isRecord(table) && isRecord(table['values']) ? table['values'] : table;
  if (!isRecord(entries)) throw new Error(`aws-pricing.json has no table at items.${tableId}`);
  const listed: Record<string, number> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (typeof value === 'number') listed[key] = value;
  }
  return listed;
}

/**
 * The USD value of a dotted price id, or undefined when the id names nothing priced. Keys may contain
 * dots themselves (`m6g.large_on_demand_per_hour`), so each step takes the longest run of segments that
 * names a key; a table's `values` level is implied (`...by_source_region.eu-west-1`).
 */
export function findPriceValue(id: string): number | undefined {
  const node = walk(id);
  if (typeof node === 'number') return node;
  if (isRecord(node) && typeof node['value'] === 'number') return node['value'];
  return undefined;
}

function walk(id: string): unknown {
  const segments = id.split('.');
  let node: unknown = pricingFile.items;
  let index = 0;
  while (index < segments.length) {
    const step = longestKeyStep(node, segments, index);
    if (step === undefined) return undefined;
    node = step.child;
    index = step.nextIndex;
  }
  return node;
}

function longestKeyStep(node: unknown, segments: readonly string[], start: number): { child: unknown; nextIndex: number } | undefined {
  if (!isRecord(node)) return undefined;
  const values = node['values'];
  for (let end = segments.length; end > start; end--) {
    const key = segments.slice(start, end).join('.');
    if (Object.hasOwn(node, key)) return { child: node[key], nextIndex: end };
    if (isRecord(values) && Object.hasOwn(values, key)) return { child: values[key], nextIndex: end };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
