import { userRttMs } from '../../advise/traffic.ts';
import type { DnsQuery } from '../../core/routing/record-set.ts';
import type { ResolvedSpec } from '../../spec/resolved-spec.ts';

/**
 * Where the lab's users are: every point of every population (a country, or the population's one
 * location) gets a synthetic IPv4 /24 inside its population's /16, `10.<population>.<point>.0/24`. The
 * load generator sends it as the EDNS Client Subnet of its DNS queries, and the DNS router maps it back to
 * the point: its country and continent (geolocation routing) and its round trip to each region (latency
 * routing), from the same catalog estimate the simulator uses. `dig +subnet=10.3.1.0/24` asks as that place.
 */
export interface PopulationPlace {
  readonly population: string;
  readonly populationIndex: number;
  readonly pointIndex: number;
  /** `europe:DE`, or `north-america-east` for a population with one location. */
  readonly name: string;
  readonly subnet: string;
  readonly populationSubnet: string;
  /** Share of the population's users here. */
  readonly weight: number;
  readonly country: string | undefined;
  readonly continent: string | undefined;
  /** Users' round trip to each region of the lab (access network plus the catalog estimate), ms. */
  readonly rttMsByRegion: Readonly<Record<string, number>>;
}

/** A /16 per population and a /24 per point: bounds that keep the address arithmetic honest. */
const POPULATIONS_MAX = 250;
const POINTS_PER_POPULATION_MAX = 250;

export function populationPlaces(spec: ResolvedSpec, regions: readonly string[]): PopulationPlace[] {
  if (spec.populations.length > POPULATIONS_MAX) throw new Error(`the lab gives subnets to at most ${POPULATIONS_MAX} populations, the spec has ${spec.populations.length}`);
  return spec.populations.flatMap((population, populationIndex) => {
    if (population.points.length > POINTS_PER_POPULATION_MAX) throw new Error(`population ${population.name} has more than ${POINTS_PER_POPULATION_MAX} places`);
    return population.points.map((point, pointIndex) => ({
      population: population.name,
      populationIndex,
      pointIndex,
      name: population.points.length === 1 ? population.name : `${population.name}:${point.country ?? point.label ?? pointIndex}`,
      subnet: `10.${populationIndex + 1}.${pointIndex}.0/24`,
      populationSubnet: `10.${populationIndex + 1}.0.0/16`,
      weight: point.weight,
      country: point.country,
      continent: point.continent,
      rttMsByRegion: Object.fromEntries(regions.map((region) => [region, userRttMs(population, point, region)])),
    }));
  });
}

/** The place an IPv4 client subnet (or address) belongs to, or undefined for an address outside 10.P.Q.0/24. */
export function placeOfAddress(places: readonly PopulationPlace[], address: string): PopulationPlace | undefined {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets[0] !== 10) return undefined;
  return places.find((place) => place.populationIndex + 1 === octets[1] && place.pointIndex === octets[2]);
}

/** The routing question a place asks. */
export function dnsQueryOf(place: PopulationPlace, name: string): DnsQuery {
  return {
    name,
    rttMsByRegion: place.rttMsByRegion,
    ...(place.country === undefined ? {} : { countryCode: place.country }),
    ...(place.continent === undefined ? {} : { continentCode: place.continent }),
  };
}
