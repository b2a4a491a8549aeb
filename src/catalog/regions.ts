import regionsFile from './data/aws-regions.json' with { type: 'json' };

/** One AWS region as the catalog knows it (source: data/aws-regions.json). */
export interface RegionFacts {
  readonly code: string;
  readonly name: string;
  readonly city: string;
  readonly country: string;
  readonly continent: string;
  readonly lat: number;
  readonly lon: number;
  /** Regulatory regime of the region's country (EU_EEA, US, UK, ...). */
  readonly regulatoryZone: string;
  readonly optInRequired: boolean;
  readonly inRttMatrix: boolean;
}

export const REGIONS: readonly RegionFacts[] = regionsFile.regions.map((region) => ({
  code: region.code,
  name: region.name,
  city: region.city,
  country: region.country,
  continent: region.continent,
  lat: region.lat,
  lon: region.lon,
  regulatoryZone: region.regulatory_zone,
  optInRequired: region.opt_in_required,
  inRttMatrix: region.in_rtt_matrix,
}));

const REGIONS_BY_CODE = new Map(REGIONS.map((region) => [region.code, region]));

export function findRegion(code: string): RegionFacts | undefined {
  return REGIONS_BY_CODE.get(code);
}

export function getRegion(code: string): RegionFacts {
  const region = REGIONS_BY_CODE.get(code);
  if (!region) throw new Error(`unknown region ${code}`);
  return region;
}

/** Closest region codes by edit distance, for "did you mean" hints. */
export function suggestRegion(code: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const region of REGIONS) {
    const distance = editDistance(code, region.code);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = region.code;
    }
  }
  return bestDistance <= 3 ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
