import type { RoutingRecord } from '../core/routing/record-set.ts';
import type { Architecture } from './architecture.ts';

/**
 * The Route 53 records of an architecture's routing policy, by region name: one health-checked record
 * per serving region (latency, weighted, multivalue), the primary and one secondary (failover), one per
 * country and continent rule and the default (geolocation), or the primary alone (simple). The
 * simulator's traffic plane and the lab's DNS router build their record sets from the same list, so both
 * answer the same questions the same way. Each record's health check is named after its region.
 */
export function routingRecords(architecture: Architecture): RoutingRecord[] {
  const routing = architecture.routing;
  const record = (region: string, extra: Partial<RoutingRecord> = {}): RoutingRecord => ({ setIdentifier: region, targetRegion: region, healthCheckId: region, ...extra });
  switch (routing.policy) {
    case 'failover': {
      const secondary = architecture.standbyRegions[0] ?? architecture.servingRegions.find((region) => region !== architecture.primary) ?? architecture.primary;
      return [record(architecture.primary, { failoverRole: 'primary' }), record(secondary, { setIdentifier: `${secondary}-secondary`, failoverRole: 'secondary' })];
    }
    case 'weighted':
      return architecture.servingRegions.map((region) => record(region, { weight: routing.weights[region] ?? 1 }));
    case 'geolocation': {
      const geolocation = routing.geolocation!;
      return [
        ...Object.entries(geolocation.countries).map(([countryCode, region]) => record(region, { setIdentifier: `country-${countryCode}`, location: { kind: 'country', countryCode } })),
        ...Object.entries(geolocation.continents).map(([continentCode, region]) => record(region, { setIdentifier: `continent-${continentCode}`, location: { kind: 'continent', continentCode } })),
        ...(geolocation.default ? [record(geolocation.default, { setIdentifier: 'default', location: { kind: 'default' } })] : []),
      ];
    }
    case 'simple':
      return [{ setIdentifier: architecture.primary, targetRegion: architecture.primary }];
    default:
      return architecture.servingRegions.map((region) => record(region));
  }
}
