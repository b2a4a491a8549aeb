/**
 * The prices the monthly cost model reads, as plain data. The catalog builds one from its sourced price
 * file; the core only receives it, so the core never depends on where prices come from and a test can
 * hand it any book it likes.
 */
import type { CostInput } from './cost-model.ts';

/** One unit price and where it comes from. */
export interface Price {
  /** Dotted path inside the catalog price file's `items`, e.g. `ec2.m6g.large_on_demand_per_hour`. */
  readonly id: string;
  readonly valueUsd: number;
  /** The unit the price is charged per, in words: `instance-hour`, `GB`, `million WRU`. */
  readonly unit: string;
  /** Why this price stands in for the one asked for (a fallback region, a us-east-1 list price). */
  readonly note?: string;
}

/** Prices keyed by AWS region code, for every region the catalog knows. */
export type RegionPrices = Readonly<Record<string, Price>>;

/** Prices keyed by two-letter continent code of the client, with a price for unknown continents. */
export interface ContinentPrices {
  readonly byContinent: Readonly<Record<string, Price>>;
  readonly unknownContinent: Price;
}

/** A pair of regions that send to each other at a rate lower than their source-region rate. */
export interface RegionPairPrice {
  readonly regions: readonly [string, string];
  readonly price: Price;
}

export type RoutingPolicy = CostInput['routing']['policy'];

export interface PriceBook {
  readonly ec2: {
    readonly m6gLargePerHourByRegion: RegionPrices;
  };
  readonly dataTransfer: {
    /** Charged in the source region for data sent to another AWS region. */
    readonly interRegionPerGbBySourceRegion: RegionPrices;
    /** Exceptions to `interRegionPerGbBySourceRegion`, in both directions. */
    readonly interRegionPairsPerGb: readonly RegionPairPrice[];
    /** First tier (first 10 TB a month) of data out to the internet. */
    readonly internetOutPerGbByRegion: RegionPrices;
  };
  readonly route53: {
    readonly hostedZonePerMonth: Price;
    readonly queriesPerMillionByPolicy: Readonly<Record<RoutingPolicy, Price>>;
    readonly healthCheckPerMonth: Price;
    /** Added to `healthCheckPerMonth` for each check probed every 10 s instead of 30 s. */
    readonly healthCheckFastIntervalPerMonth: Price;
  };
  readonly globalAccelerator: {
    readonly fixedFeePerHour: Price;
    /** Data transfer premium, on top of EC2 data transfer, by where the clients are. */
    readonly premiumPerGbByClientContinent: ContinentPrices;
  };
  readonly cloudfront: {
    readonly dataOutPerGbByClientContinent: ContinentPrices;
    readonly httpsRequestsPer10k: Price;
  };
  readonly dynamodb: {
    readonly writeRequestUnitsPerMillionByRegion: RegionPrices;
    readonly readRequestUnitsPerMillionByRegion: RegionPrices;
    /** Global tables: charged in each replica region a write is replicated to. */
    readonly replicatedWriteRequestUnitsPerMillionByRegion: RegionPrices;
    readonly storagePerGbMonthByRegion: RegionPrices;
  };
  readonly aurora: {
    readonly r6gLargePerHourByRegion: RegionPrices;
    readonly storagePerGbMonthByRegion: RegionPrices;
    readonly ioRequestsPerMillionByRegion: RegionPrices;
    /** Global database: charged for each secondary region. */
    readonly replicatedWriteIoPerMillionByRegion: RegionPrices;
  };
}

/** A price the book does not hold: the plan names a region or a key the catalog has no price for. */
export class MissingPriceError extends Error {
  readonly code = 'MISSING_PRICE';
  readonly what: string;
  readonly key: string;

  constructor(what: string, key: string) {
    super(`no price for ${what} in ${key}`);
    this.name = 'MissingPriceError';
    this.what = what;
    this.key = key;
  }
}

export function regionPrice(prices: RegionPrices, region: string, what: string): Price {
  const price = prices[region];
  if (!price) throw new MissingPriceError(what, region);
  return price;
}

/** Inter-region transfer is charged at the source region's rate unless the pair has its own rate. */
export function interRegionPrice(book: PriceBook, sourceRegion: string, targetRegion: string): Price {
  const pair = book.dataTransfer.interRegionPairsPerGb.find(
    ({ regions: [a, b] }) => (a === sourceRegion && b === targetRegion) || (a === targetRegion && b === sourceRegion),
  );
  if (pair) return pair.price;
  return regionPrice(book.dataTransfer.interRegionPerGbBySourceRegion, sourceRegion, 'inter-region data transfer');
}

export function continentPrice(prices: ContinentPrices, continent: string | undefined): Price {
  if (continent === undefined) return prices.unknownContinent;
  return prices.byContinent[continent] ?? prices.unknownContinent;
}
