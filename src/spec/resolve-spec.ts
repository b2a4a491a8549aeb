import { findCountry } from '../catalog/countries.ts';
import { MODEL_ASSUMPTIONS, SERVICE_LEVELS } from '../catalog/service-levels.ts';
import type { MeridianConfig } from './schema.ts';
import type {
  PopulationPoint,
  ResolvedAssumptions,
  ResolvedDataClass,
  ResolvedPopulation,
  ResolvedRegion,
  ResolvedRouting,
  ResolvedSpec,
} from './resolved-spec.ts';

type Input = MeridianConfig;

/**
 * Fills every default once. It never throws on semantic problems (an unknown country is left out of a
 * population's points, an unknown region is kept as written): the rules report those with their paths.
 */
export function resolveSpec(input: Input): ResolvedSpec {
  const assumptions = resolveAssumptions(input);
  const regions = resolveRegions(input, assumptions);
  const routing = resolveRouting(input);
  const primary = regions.find((region) => region.role === 'primary')?.code ?? regions[0]?.code;
  const hasStandby = regions.some((region) => region.role === 'standby');
  return deepFreeze({
    name: input.name,
    domain: input.domain ?? `${input.name}.meridian.test`,
    regions,
    zones: input.zones ?? {},
    populations: Object.entries(input.populations).map(([name, population]) =>
      resolvePopulation(name, population, input, assumptions),
    ),
    services: Object.entries(input.services ?? { app: {} }).map(([name, service]) => ({
      name,
      app: service.command ? service.app : (service.app ?? 'sample-shop'),
      command: service.command,
      healthPath: service.healthPath ?? routing.healthCheck?.path ?? '/health',
      image: service.image,
    })),
    data: Object.entries(input.data ?? {}).map(([name, dataClass]) => resolveDataClass(name, dataClass)),
    routing,
    topology: input.topology ?? (routing.policy === 'failover' || hasStandby ? 'active-passive' : 'active-active'),
    slo: {
      availability: input.slo?.availability,
      latencyP99Ms: input.slo?.latencyP99Ms,
      rpoSeconds: input.slo?.rpoSeconds,
      rtoSeconds: input.slo?.rtoSeconds,
    },
    budget: { monthlyUsd: input.budget?.monthlyUsd },
    deploy: {
      order: input.deploy?.order ?? [...(primary ? [primary] : []), ...regions.map((r) => r.code).filter((c) => c !== primary)],
      bakeMinutes: input.deploy?.bakeMinutes ?? 60,
      healthGates: {
        errorRateMax: input.deploy?.healthGates?.errorRateMax ?? 0.01,
        latencyP99MsMax: input.deploy?.healthGates?.latencyP99MsMax,
      },
    },
    assumptions,
  });
}

function resolveAssumptions(input: Input): ResolvedAssumptions {
  const given = input.assumptions ?? {};
  return {
    accessRttMs: given.accessRttMs ?? MODEL_ASSUMPTIONS.access_rtt_ms.value,
    networkP99OverP50: given.networkP99OverP50 ?? MODEL_ASSUMPTIONS.network_p99_over_p50.value,
    appServiceTimeMs: given.appServiceTimeMs ?? {
      p50: MODEL_ASSUMPTIONS.app_service_time_ms.p50,
      p99: MODEL_ASSUMPTIONS.app_service_time_ms.p99,
    },
    regionalIncidentMinutes: given.regionalIncidentMinutes ?? MODEL_ASSUMPTIONS.regional_incident_minutes.value,
    responseBytes: given.responseBytes ?? MODEL_ASSUMPTIONS.response_bytes.value,
    capacityHeadroom: given.capacityHeadroom ?? MODEL_ASSUMPTIONS.capacity_headroom.value,
    auroraIoPerWrite: given.auroraIoPerWrite ?? MODEL_ASSUMPTIONS.aurora_io_per_write.value,
    auroraIoPerRead: given.auroraIoPerRead ?? MODEL_ASSUMPTIONS.aurora_io_per_read.value,
    requestsPerSecondPerInstance: MODEL_ASSUMPTIONS.requests_per_second_per_instance.value,
    dnsResolversPerPopulation: MODEL_ASSUMPTIONS.dns_resolvers_per_population.value,
    clientTimeoutMs: given.clientTimeoutMs ?? MODEL_ASSUMPTIONS.client_timeout_ms.value,
    keysPerDataClass: given.keysPerDataClass ?? MODEL_ASSUMPTIONS.keys_per_data_class.value,
  };
}

function resolveRegions(input: Input, assumptions: ResolvedAssumptions): ResolvedRegion[] {
  const entries = Object.entries(input.regions);
  // Without a declared primary, the first region without a declared role is the primary.
  const anyPrimary = entries.some(([, region]) => region.role === 'primary');
  const defaultPrimary = anyPrimary ? undefined : entries.find(([, region]) => region.role === undefined)?.[0];
  return entries.map(([code, region]) => ({
    code,
    role: region.role ?? (code === defaultPrimary ? 'primary' : 'secondary'),
    instances: region.instances,
    requestsPerSecondPerInstance: region.requestsPerSecondPerInstance ?? assumptions.requestsPerSecondPerInstance,
  }));
}

function resolveRouting(input: Input): ResolvedRouting {
  const routing = input.routing;
  const healthCheck = routing.healthCheck;
  const route53 = SERVICE_LEVELS.route53_health_check;
  return {
    policy: routing.policy,
    healthCheck:
      healthCheck === false
        ? undefined
        : {
            intervalSeconds: healthCheck?.intervalSeconds ?? 30,
            failureThreshold: healthCheck?.failureThreshold ?? route53.failure_threshold_default,
            path: healthCheck?.path ?? '/health',
          },
    ttlSeconds: routing.ttlSeconds ?? 60,
    edge: routing.edge ?? 'none',
    weights: routing.weights ?? {},
    recordTtlSeconds: routing.recordTtlSeconds ?? {},
    geolocation: {
      countries: routing.geolocation?.countries ?? {},
      continents: routing.geolocation?.continents ?? {},
      default: routing.geolocation?.default,
    },
    evaluateTargetHealth: routing.evaluateTargetHealth ?? true,
  };
}

type PopulationInput = Input['populations'][string];

function resolvePopulation(name: string, population: PopulationInput, input: Input, assumptions: ResolvedAssumptions): ResolvedPopulation {
  const mix: Record<string, number> = {};
  for (const dataClass of Object.keys(input.data ?? {})) mix[dataClass] = population.mix?.[dataClass] ?? 1;
  return {
    name,
    points: populationPoints(population),
    requestsPerSecond: population.requestsPerSecond,
    mix,
    accessRttMs: population.accessRttMs ?? assumptions.accessRttMs,
    dnsResolvers: population.dnsResolvers ?? assumptions.dnsResolversPerPopulation,
  };
}

function populationPoints(population: PopulationInput): PopulationPoint[] {
  if (population.location) {
    const { lat, lon } = population.location;
    return [{ label: `${lat},${lon}`, lat, lon, weight: 1, country: undefined, continent: undefined }];
  }
  const countries = population.countries ?? [];
  const weighted: [string, number][] = Array.isArray(countries) ? countries.map((code) => [code, 1]) : Object.entries(countries);
  const known = weighted.flatMap(([code, weight]) => {
    const country = findCountry(code);
    return country && weight > 0 ? [{ country, weight }] : [];
  });
  const total = known.reduce((sum, entry) => sum + entry.weight, 0);
  return known.map(({ country, weight }) => ({
    label: country.code,
    lat: country.lat,
    lon: country.lon,
    weight: weight / total,
    country: country.code,
    continent: country.continent,
  }));
}

type DataClassInput = NonNullable<Input['data']>[string];

const DEFAULT_ENGINE = {
  strong: 'dynamodb-mrsc',
  'single-writer': 'aurora-global-database',
  'multi-writer': 'dynamodb-global-table',
} as const;

function resolveDataClass(name: string, dataClass: DataClassInput): ResolvedDataClass {
  const engine = dataClass.engine ?? DEFAULT_ENGINE[dataClass.consistency];
  const typicalLagMs =
    engine === 'aurora-global-database'
      ? SERVICE_LEVELS.aurora_global_database.replication_lag_typical_ms
      : SERVICE_LEVELS.dynamodb_global_tables_mrec.replication_lag_typical_ms;
  return {
    name,
    consistency: dataClass.consistency,
    residency: dataClass.residency === undefined || dataClass.residency === 'none' ? undefined : dataClass.residency,
    itemSizeBytes: dataClass.itemSizeBytes ?? 1024,
    readsPerSecond: dataClass.readsPerSecond ?? 0,
    writesPerSecond: dataClass.writesPerSecond ?? 0,
    storageGb: dataClass.storageGb ?? 10,
    replicas: dataClass.replicas,
    witness: dataClass.witness,
    engine,
    replicationLagMs: dataClass.replicationLagMs ?? typicalLagMs,
    consistentReads: dataClass.consistentReads ?? true,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
