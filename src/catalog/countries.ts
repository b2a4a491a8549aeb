import { createRequire } from 'node:module';
import type { GeoPoint } from '../core/geo/great-circle.ts';

/**
 * Country centroids come from `country-locale-map` and two-letter continent codes from `countries-list`,
 * both maintained npm packages (see README.md in this folder), instead of a hand-typed table.
 */
const require = createRequire(import.meta.url);
const localeMap = require('country-locale-map') as {
  getCountryByAlpha2(code: string): { name: string; latitude?: string; longitude?: string } | undefined;
};
const countriesList = require('countries-list') as {
  countries: Record<string, { name: string; continent: string }>;
};

export interface CountryFacts extends GeoPoint {
  readonly code: string;
  readonly name: string;
  /** AF, AN, AS, EU, NA, OC or SA. */
  readonly continent: string;
}

export const CONTINENT_CODES = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'] as const;

export function findCountry(code: string): CountryFacts | undefined {
  const upper = code.toUpperCase();
  const listed = countriesList.countries[upper];
  const located = localeMap.getCountryByAlpha2(upper);
  if (!listed || !located?.latitude || !located.longitude) return undefined;
  return {
    code: upper,
    name: listed.name,
    continent: listed.continent,
    lat: Number(located.latitude),
    lon: Number(located.longitude),
  };
}

/** Every country code that has both a centroid and a continent. */
export function allCountryCodes(): string[] {
  return Object.keys(countriesList.countries).filter((code) => findCountry(code) !== undefined).sort();
}
