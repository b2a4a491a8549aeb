/**
 * The data both servers of the DNS benchmark serve: one zone, a few dozen A names, and the query mix
 * dnsperf sends (mostly A hits, some AAAA for names that only have A — NODATA — and some names that do
 * not exist — NXDOMAIN). Unbound gets it as local-data, Meridian through decide().
 */

export const BENCH_ZONE = 'shop.meridian.test';
export const BENCH_TTL_SECONDS = 60;
/** The SOA both servers give (unbound takes it as local-data; Meridian's defaults match it). */
export const BENCH_SOA = {
  primaryNameServer: `ns1.${BENCH_ZONE}`,
  responsiblePerson: `hostmaster.${BENCH_ZONE}`,
  serial: 1,
  refreshSeconds: 7200,
  retrySeconds: 900,
  expireSeconds: 1_209_600,
  minimumTtlSeconds: 60,
  ttlSeconds: 900,
} as const;

const HOST_COUNT = 40;

/** name → addresses: 'www' and 'api' plus host0…host39, one to three addresses each. */
export function benchRecords(): ReadonlyMap<string, readonly string[]> {
  const records = new Map<string, readonly string[]>([
    [`www.${BENCH_ZONE}`, ['10.0.0.1', '10.0.0.2']],
    [`api.${BENCH_ZONE}`, ['10.0.1.1']],
  ]);
  for (let index = 0; index < HOST_COUNT; index++) {
    const addresses = Array.from({ length: 1 + (index % 3) }, (_, copy) => `10.1.${index}.${copy + 1}`);
    records.set(`host${index}.${BENCH_ZONE}`, addresses);
  }
  return records;
}

/** dnsperf's query file: `name type` per line; 80 % A that exist, 10 % AAAA (NODATA), 10 % NXDOMAIN. */
export function benchQueryLines(): string[] {
  const names = [...benchRecords().keys()];
  const lines: string[] = [];
  for (let index = 0; index < 200; index++) {
    const name = names[index % names.length]!;
    if (index % 10 === 8) lines.push(`${name} AAAA`);
    else if (index % 10 === 9) lines.push(`missing${index}.${BENCH_ZONE} A`);
    else lines.push(`${name} A`);
  }
  return lines;
}

/** unbound.conf lines serving the same data as local-data in a static local zone. */
export function unboundZoneLines(): string[] {
  const soa = BENCH_SOA;
  const lines = [
    `local-zone: "${BENCH_ZONE}." static`,
    `local-data: "${BENCH_ZONE}. ${soa.ttlSeconds} IN SOA ${soa.primaryNameServer}. ${soa.responsiblePerson}. ${soa.serial} ${soa.refreshSeconds} ${soa.retrySeconds} ${soa.expireSeconds} ${soa.minimumTtlSeconds}"`,
    `local-data: "${BENCH_ZONE}. 172800 IN NS ${soa.primaryNameServer}."`,
  ];
  for (const [name, addresses] of benchRecords()) {
    for (const address of addresses) lines.push(`local-data: "${name}. ${BENCH_TTL_SECONDS} IN A ${address}"`);
  }
  return lines;
}
