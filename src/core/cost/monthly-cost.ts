/**
 * The monthly bill of a plan: what runs where, priced with a price book, one line per thing bought.
 * Pure: the same input and book always give the same breakdown.
 */
import type { CostBreakdown, CostCategory, CostInput, CostLine, DataClassLoad, InterRegionFlow } from './cost-model.ts';
import { continentPrice, interRegionPrice, regionPrice, type Price, type PriceBook } from './price-book.ts';

/** Rates in descriptions: three significant digits, without float noise. */
function rate(value: number): string {
  return Number(value.toPrecision(3)).toLocaleString('en-US');
}

/** AWS prices a month as 730 hours (365 days × 24 hours / 12 months). */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** AWS meters data transfer in binary gigabytes, as its usage reports do. */
export const BYTES_PER_GB = 2 ** 30;

const BYTES_PER_WRITE_UNIT = 1024;
const BYTES_PER_READ_UNIT = 4096;
const PER_MILLION = 1_000_000;
const PER_TEN_THOUSAND = 10_000;

const CATEGORIES: readonly CostCategory[] = [
  'compute',
  'database',
  'replicated-writes',
  'storage',
  'inter-region-transfer',
  'internet-egress',
  'dns',
  'edge',
];

export function estimateMonthlyCost(input: CostInput, prices: PriceBook): CostBreakdown {
  const lines = [
    ...computeLines(input, prices),
    ...input.dataClasses.flatMap((dataClass) => dataClassLines(dataClass, input.aurora, prices)),
    ...input.flows.map((flow) => flowLine(flow, prices)),
    ...servingLines(input, prices),
    ...dnsLines(input, prices),
  ].filter((line) => line.quantity > 0);
  return summarize(lines);
}

function summarize(lines: readonly CostLine[]): CostBreakdown {
  const byCategory = Object.fromEntries(CATEGORIES.map((category) => [category, 0])) as Record<CostCategory, number>;
  let totalMonthlyUsd = 0;
  for (const line of lines) {
    byCategory[line.category] += line.monthlyUsd;
    totalMonthlyUsd += line.monthlyUsd;
  }
  return { lines, byCategory, totalMonthlyUsd, hoursPerMonth: HOURS_PER_MONTH };
}

/** A line of the bill; the price's note (why a stand-in price applies) is kept in the description. */
function costLine(category: CostCategory, description: string, price: Price, quantity: number, region: string | undefined): CostLine {
  return {
    category,
    description: price.note === undefined ? description : `${description} (${price.note})`,
    priceItem: price.id,
    unitPriceUsd: price.valueUsd,
    unit: price.unit,
    quantity,
    monthlyUsd: quantity * price.valueUsd,
    region,
  };
}

function computeLines(input: CostInput, prices: PriceBook): CostLine[] {
  return input.regions.map((region) => {
    const price = regionPrice(prices.ec2.m6gLargePerHourByRegion, region.code, 'EC2 m6g.large');
    const description = `EC2 m6g.large, ${region.instances} instances in ${region.code}`;
    return costLine('compute', description, price, region.instances * HOURS_PER_MONTH, region.code);
  });
}

function dataClassLines(dataClass: DataClassLoad, aurora: CostInput['aurora'], prices: PriceBook): CostLine[] {
  switch (dataClass.engine) {
    case 'dynamodb-table':
    case 'dynamodb-global-table':
    case 'dynamodb-mrsc':
      return dynamoDbLines(dataClass, prices);
    case 'aurora-cluster':
    case 'aurora-global-database':
      return auroraLines(dataClass, aurora, prices);
  }
}

// ---------------------------------------------------------------------------------------------------
// DynamoDB

function dynamoDbLines(dataClass: DataClassLoad, prices: PriceBook): CostLine[] {
  const replicated = dataClass.engine !== 'dynamodb-table';
  return [
    ...dynamoDbRequestLines(dataClass, prices),
    ...(replicated ? replicatedWriteUnitLines(dataClass, prices) : []),
    ...dataClass.replicas.map((region) =>
      storageLine(`DynamoDB table ${dataClass.name}`, dataClass.storageGb, region, prices.dynamodb.storagePerGbMonthByRegion),
    ),
    ...(replicated ? replicationTransferLines(dataClass, writeOrigins(dataClass), dynamoDbReplicationTargets(dataClass), prices) : []),
  ];
}

function writeUnitsPerWrite(itemSizeBytes: number): number {
  return Math.ceil(itemSizeBytes / BYTES_PER_WRITE_UNIT);
}

/** Writes are billed as WRU in the region they are made in, also for global tables. */
function dynamoDbRequestLines(dataClass: DataClassLoad, prices: PriceBook): CostLine[] {
  const writeUnits = writeUnitsPerWrite(dataClass.itemSizeBytes);
  const readUnits = Math.ceil(dataClass.itemSizeBytes / BYTES_PER_READ_UNIT) * (dataClass.consistentReads ? 1 : 0.5);
  const readKind = dataClass.consistentReads ? 'strongly consistent' : 'eventually consistent';
  const writeLines = Object.entries(dataClass.writesPerSecondByRegion).map(([region, writesPerSecond]) => {
    const price = regionPrice(prices.dynamodb.writeRequestUnitsPerMillionByRegion, region, 'DynamoDB WRU');
    const description = `DynamoDB ${dataClass.name}: ${rate(writesPerSecond)} writes/s × ${writeUnits} WRU in ${region}`;
    return costLine('database', description, price, (writesPerSecond * writeUnits * SECONDS_PER_MONTH) / PER_MILLION, region);
  });
  const readLines = Object.entries(dataClass.readsPerSecondByRegion).map(([region, readsPerSecond]) => {
    const price = regionPrice(prices.dynamodb.readRequestUnitsPerMillionByRegion, region, 'DynamoDB RRU');
    const description = `DynamoDB ${dataClass.name}: ${rate(readsPerSecond)} ${readKind} reads/s × ${readUnits} RRU in ${region}`;
    return costLine('database', description, price, (readsPerSecond * readUnits * SECONDS_PER_MONTH) / PER_MILLION, region);
  });
  return [...writeLines, ...readLines];
}

/** Each replica applies every write made elsewhere as replicated WRU; an MRSC witness applies none. */
function replicatedWriteUnitLines(dataClass: DataClassLoad, prices: PriceBook): CostLine[] {
  const writeUnits = writeUnitsPerWrite(dataClass.itemSizeBytes);
  return dataClass.replicas.map((target) => {
    const writesPerSecond = sumWritesFromOtherRegions(dataClass, target);
    const price = regionPrice(prices.dynamodb.replicatedWriteRequestUnitsPerMillionByRegion, target, 'DynamoDB rWRU');
    const description = `DynamoDB global table ${dataClass.name}: ${rate(writesPerSecond)} writes/s from other regions × ${writeUnits} rWRU in ${target}`;
    return costLine('replicated-writes', description, price, (writesPerSecond * writeUnits * SECONDS_PER_MONTH) / PER_MILLION, target);
  });
}

function sumWritesFromOtherRegions(dataClass: DataClassLoad, target: string): number {
  let writesPerSecond = 0;
  for (const [origin, rate] of Object.entries(dataClass.writesPerSecondByRegion)) {
    if (origin !== target) writesPerSecond += rate;
  }
  return writesPerSecond;
}

/** Every replica, and for MRSC the witness too, receives each write's item. */
function dynamoDbReplicationTargets(dataClass: DataClassLoad): readonly string[] {
  const targets = dataClass.engine === 'dynamodb-mrsc' && dataClass.witness !== undefined ? [...dataClass.replicas, dataClass.witness] : dataClass.replicas;
  return [...new Set(targets)];
}

function writeOrigins(dataClass: DataClassLoad): ReadonlyArray<readonly [string, number]> {
  return Object.entries(dataClass.writesPerSecondByRegion);
}

// ---------------------------------------------------------------------------------------------------
// Aurora

function auroraLines(dataClass: DataClassLoad, aurora: CostInput['aurora'], prices: PriceBook): CostLine[] {
  const writer = dataClass.writer;
  if (writer === undefined) throw new Error(`Aurora data class ${dataClass.name} has no writer region`);
  const global = dataClass.engine === 'aurora-global-database';
  const regions = global ? [...new Set([writer, ...dataClass.replicas])] : [writer];
  const secondaries = regions.filter((region) => region !== writer);
  const writesPerSecond = Object.values(dataClass.writesPerSecondByRegion).reduce((sum, rate) => sum + rate, 0);
  return [
    ...regions.map((region) => {
      const instances = region === writer ? aurora.instancesPerWriterRegion : aurora.instancesPerSecondaryRegion;
      return auroraInstanceLine(dataClass.name, region, instances, prices);
    }),
    ...auroraIoLines(dataClass, writer, writesPerSecond, aurora, prices),
    ...secondaries.map((region) => replicatedWriteIoLine(dataClass.name, region, writesPerSecond * aurora.ioPerWrite, prices)),
    ...regions.map((region) =>
      storageLine(`Aurora cluster volume ${dataClass.name}`, dataClass.storageGb, region, prices.aurora.storagePerGbMonthByRegion),
    ),
    ...replicationTransferLines(dataClass, [[writer, writesPerSecond]], secondaries, prices),
  ];
}

function auroraInstanceLine(name: string, region: string, instances: number, prices: PriceBook): CostLine {
  const price = regionPrice(prices.aurora.r6gLargePerHourByRegion, region, 'Aurora db.r6g.large');
  const description = `Aurora ${name}: db.r6g.large, ${instances} instances in ${region}`;
  return costLine('database', description, price, instances * HOURS_PER_MONTH, region);
}

/** Reads cost I/O in the region that serves them; every write costs I/O at the writer. */
function auroraIoLines(
  dataClass: DataClassLoad,
  writer: string,
  writesPerSecond: number,
  aurora: CostInput['aurora'],
  prices: PriceBook,
): CostLine[] {
  const regions = [...new Set([writer, ...Object.keys(dataClass.readsPerSecondByRegion)])];
  return regions.map((region) => {
    const readsPerSecond = dataClass.readsPerSecondByRegion[region] ?? 0;
    const regionWritesPerSecond = region === writer ? writesPerSecond : 0;
    const ioPerSecond = readsPerSecond * aurora.ioPerRead + regionWritesPerSecond * aurora.ioPerWrite;
    const price = regionPrice(prices.aurora.ioRequestsPerMillionByRegion, region, 'Aurora I/O');
    const description = `Aurora ${dataClass.name}: I/O of ${rate(readsPerSecond)} reads/s and ${rate(regionWritesPerSecond)} writes/s in ${region}`;
    return costLine('database', description, price, (ioPerSecond * SECONDS_PER_MONTH) / PER_MILLION, region);
  });
}

function replicatedWriteIoLine(name: string, region: string, ioPerSecond: number, prices: PriceBook): CostLine {
  const price = regionPrice(prices.aurora.replicatedWriteIoPerMillionByRegion, region, 'Aurora replicated write I/O');
  const description = `Aurora global database ${name}: replicated write I/O into secondary ${region}`;
  return costLine('replicated-writes', description, price, (ioPerSecond * SECONDS_PER_MONTH) / PER_MILLION, region);
}

// ---------------------------------------------------------------------------------------------------
// Storage and inter-region transfer

function storageLine(what: string, storageGb: number, region: string, prices: Readonly<Record<string, Price>>): CostLine {
  const price = regionPrice(prices, region, `${what} storage`);
  return costLine('storage', `${what}: ${storageGb} GB stored in ${region}`, price, storageGb, region);
}

/** Each write's item travels from the region it was made in to every other target, billed at the source. */
function replicationTransferLines(
  dataClass: DataClassLoad,
  origins: ReadonlyArray<readonly [string, number]>,
  targets: readonly string[],
  prices: PriceBook,
): CostLine[] {
  return origins.flatMap(([source, writesPerSecond]) =>
    targets
      .filter((target) => target !== source)
      .map((target) => {
        const gbPerMonth = (writesPerSecond * dataClass.itemSizeBytes * SECONDS_PER_MONTH) / BYTES_PER_GB;
        const description = `${dataClass.name} replication ${source} → ${target}: ${rate(writesPerSecond)} writes/s × ${dataClass.itemSizeBytes} bytes`;
        return costLine('inter-region-transfer', description, interRegionPrice(prices, source, target), gbPerMonth, source);
      }),
  );
}

function flowLine(flow: InterRegionFlow, prices: PriceBook): CostLine {
  const gbPerMonth = (flow.bytesPerSecond * SECONDS_PER_MONTH) / BYTES_PER_GB;
  const description = `${flow.reason}: ${rate(flow.bytesPerSecond)} bytes/s ${flow.from} → ${flow.to}`;
  return costLine('inter-region-transfer', description, interRegionPrice(prices, flow.from, flow.to), gbPerMonth, flow.from);
}

// ---------------------------------------------------------------------------------------------------
// Serving users: internet egress and the edge

function servingLines(input: CostInput, prices: PriceBook): CostLine[] {
  switch (input.edge) {
    case 'none':
      return regionEgressLines(input, prices);
    case 'accelerator':
      return [...regionEgressLines(input, prices), ...acceleratorLines(input, prices)];
    case 'cdn':
      return cloudfrontLines(input, prices);
  }
}

function responseGbPerMonth(requestsPerSecond: number, responseBytes: number): number {
  return (requestsPerSecond * responseBytes * SECONDS_PER_MONTH) / BYTES_PER_GB;
}

/** Priced at the first tier (first 10 TB a month): an upper bound for larger volumes. */
function regionEgressLines(input: CostInput, prices: PriceBook): CostLine[] {
  return input.regions.map((region) => {
    const price = regionPrice(prices.dataTransfer.internetOutPerGbByRegion, region.code, 'internet data out');
    const description = `Responses to users from ${region.code}: ${rate(region.requestsPerSecond)} requests/s × ${input.responseBytes} bytes`;
    return costLine('internet-egress', description, price, responseGbPerMonth(region.requestsPerSecond, input.responseBytes), region.code);
  });
}

/** The premium is charged on the dominant direction, which for a web service is the responses. */
function acceleratorLines(input: CostInput, prices: PriceBook): CostLine[] {
  const fixedFee = costLine('edge', 'Global Accelerator, 1 accelerator', prices.globalAccelerator.fixedFeePerHour, HOURS_PER_MONTH, undefined);
  const premiumLines = input.populations.map((population) => {
    const price = continentPrice(prices.globalAccelerator.premiumPerGbByClientContinent, population.continent);
    const description = `Global Accelerator data transfer premium for ${population.name}: ${rate(population.requestsPerSecond)} requests/s × ${input.responseBytes} bytes`;
    return costLine('edge', description, price, responseGbPerMonth(population.requestsPerSecond, input.responseBytes), undefined);
  });
  return [fixedFee, ...premiumLines];
}

/** CloudFront replaces regional egress; origin fetches are small next to responses and left out. */
function cloudfrontLines(input: CostInput, prices: PriceBook): CostLine[] {
  const dataOutLines = input.populations.map((population) => {
    const price = continentPrice(prices.cloudfront.dataOutPerGbByClientContinent, population.continent);
    const description = `CloudFront responses to ${population.name}: ${rate(population.requestsPerSecond)} requests/s × ${input.responseBytes} bytes`;
    return costLine('internet-egress', description, price, responseGbPerMonth(population.requestsPerSecond, input.responseBytes), undefined);
  });
  const requestsPerSecond = input.populations.reduce((sum, population) => sum + population.requestsPerSecond, 0);
  const quantity = (requestsPerSecond * SECONDS_PER_MONTH) / PER_TEN_THOUSAND;
  const description = `CloudFront HTTPS requests: ${rate(requestsPerSecond)} requests/s`;
  return [...dataOutLines, costLine('edge', description, prices.cloudfront.httpsRequestsPer10k, quantity, undefined)];
}

// ---------------------------------------------------------------------------------------------------
// DNS

function dnsLines(input: CostInput, prices: PriceBook): CostLine[] {
  const { routing } = input;
  // Behind Global Accelerator the name is a simple record for the static anycast addresses.
  const policy = input.edge === 'accelerator' ? 'simple' : routing.policy;
  const route53 = prices.route53;
  const lines = [
    costLine('dns', 'Route 53 hosted zone, 1 zone', route53.hostedZonePerMonth, 1, undefined),
    costLine(
      'dns',
      `Route 53 ${policy} queries from ${input.populations.length} populations, resolvers caching for ${routing.ttlSeconds} s`,
      route53.queriesPerMillionByPolicy[policy],
      dnsQueriesPerMonth(input) / PER_MILLION,
      undefined,
    ),
    costLine('dns', `Route 53 health checks, ${routing.healthChecks} checks`, route53.healthCheckPerMonth, routing.healthChecks, undefined),
  ];
  if (!routing.fastInterval) return lines;
  const description = `Route 53 health checks at 10-second interval, ${routing.healthChecks} checks`;
  return [...lines, costLine('dns', description, route53.healthCheckFastIntervalPerMonth, routing.healthChecks, undefined)];
}

/** A resolver asks again only when its cached answer expires, so queries never exceed resolvers × month / TTL. */
function dnsQueriesPerMonth(input: CostInput): number {
  let queries = 0;
  for (const population of input.populations) {
    const requestsPerMonth = population.requestsPerSecond * SECONDS_PER_MONTH;
    const cacheBoundPerMonth = (population.dnsResolvers * SECONDS_PER_MONTH) / input.routing.ttlSeconds;
    queries += Math.min(requestsPerMonth, cacheBoundPerMonth);
  }
  return queries;
}
