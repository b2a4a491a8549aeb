import { findCountry } from '../../catalog/countries.ts';
import { formatPath, issueError, type SpecIssue } from '../spec-issue.ts';
import type { ParsedSpec, SpecRule } from './rule.ts';

/** Every number a spec may hold that must not be negative, with its path. */
function nonNegativeNumbers(parsed: ParsedSpec): { path: (string | number)[]; value: number }[] {
  const numbers: { path: (string | number)[]; value: number | undefined }[] = [];
  for (const [code, region] of Object.entries(parsed.regions)) {
    numbers.push({ path: ['regions', code, 'instances'], value: region.instances });
    numbers.push({ path: ['regions', code, 'requestsPerSecondPerInstance'], value: region.requestsPerSecondPerInstance });
  }
  for (const [name, population] of Object.entries(parsed.populations)) {
    numbers.push({ path: ['populations', name, 'requestsPerSecond'], value: population.requestsPerSecond });
    numbers.push({ path: ['populations', name, 'accessRttMs'], value: population.accessRttMs });
    numbers.push({ path: ['populations', name, 'dnsResolvers'], value: population.dnsResolvers });
    for (const [dataClass, weight] of Object.entries(population.mix ?? {})) numbers.push({ path: ['populations', name, 'mix', dataClass], value: weight });
    if (population.countries && !Array.isArray(population.countries)) {
      for (const [code, weight] of Object.entries(population.countries)) numbers.push({ path: ['populations', name, 'countries', code], value: weight });
    }
  }
  for (const [name, dataClass] of Object.entries(parsed.data ?? {})) {
    for (const field of ['readsPerSecond', 'writesPerSecond', 'storageGb', 'replicationLagMs', 'itemSizeBytes'] as const) {
      numbers.push({ path: ['data', name, field], value: dataClass[field] });
    }
  }
  for (const [code, weight] of Object.entries(parsed.routing.weights ?? {})) numbers.push({ path: ['routing', 'weights', code], value: weight });
  for (const [code, ttl] of Object.entries(parsed.routing.recordTtlSeconds ?? {})) numbers.push({ path: ['routing', 'recordTtlSeconds', code], value: ttl });
  numbers.push({ path: ['deploy', 'healthGates', 'errorRateMax'], value: parsed.deploy?.healthGates?.errorRateMax });
  numbers.push({ path: ['deploy', 'healthGates', 'latencyP99MsMax'], value: parsed.deploy?.healthGates?.latencyP99MsMax });
  numbers.push({ path: ['routing', 'ttlSeconds'], value: parsed.routing.ttlSeconds });
  for (const [field, value] of Object.entries(parsed.slo ?? {})) if (field !== 'availability') numbers.push({ path: ['slo', field], value });
  numbers.push({ path: ['budget', 'monthlyUsd'], value: parsed.budget?.monthlyUsd });
  numbers.push({ path: ['deploy', 'bakeMinutes'], value: parsed.deploy?.bakeMinutes });
  for (const [field, value] of Object.entries(parsed.assumptions ?? {})) {
    if (typeof value === 'number') numbers.push({ path: ['assumptions', field], value });
  }
  return numbers.filter((entry): entry is { path: (string | number)[]; value: number } => entry.value !== undefined);
}

export const nonNegative: SpecRule = {
  id: 'non-negative',
  description: 'Rates, sizes, budgets, weights and durations are finite and not negative.',
  check(_spec, parsed) {
    return nonNegativeNumbers(parsed)
      .filter((entry) => !Number.isFinite(entry.value) || entry.value < 0)
      .map((entry) => issueError('non-negative', formatPath(entry.path), `must be a number of 0 or more, not ${entry.value}`));
  },
};

export const sloAvailability: SpecRule = {
  id: 'slo-availability',
  description: 'The availability objective is a fraction strictly between 0 and 1.',
  check(spec) {
    const availability = spec.slo.availability;
    if (availability === undefined || (availability > 0 && availability < 1)) return [];
    const hint = availability >= 1 && availability < 100 ? ` (for ${availability} % write ${Number((availability / 100).toPrecision(12))})` : '';
    return [issueError('slo-availability', 'slo.availability', `availability must be a fraction between 0 and 1, exclusive, not ${availability}${hint}`)];
  },
};

export const populationPlaces: SpecRule = {
  id: 'population-place',
  description: 'A population is placed by known ISO country codes or by one location, not both.',
  check(_spec, parsed) {
    const issues: SpecIssue[] = [];
    for (const [name, population] of Object.entries(parsed.populations)) {
      const path = `populations.${name}`;
      if (!population.countries && !population.location) issues.push(issueError('population-place', path, 'a population needs countries or a location'));
      if (population.countries && population.location) issues.push(issueError('population-place', path, 'give countries or a location, not both'));
      const codes = Array.isArray(population.countries) ? population.countries : Object.keys(population.countries ?? {});
      if (population.countries && codes.length === 0) issues.push(issueError('population-place', `${path}.countries`, 'lists no country'));
      codes.forEach((code, i) => {
        if (!findCountry(code)) {
          const where = Array.isArray(population.countries) ? `${path}.countries[${i}]` : `${path}.countries.${code}`;
          issues.push(issueError('population-place', where, `unknown ISO 3166-1 alpha-2 country code '${code}'`));
        }
      });
      const location = population.location;
      if (location && (Math.abs(location.lat) > 90 || Math.abs(location.lon) > 180)) {
        issues.push(issueError('population-place', `${path}.location`, `latitude must be within ±90 and longitude within ±180, not ${location.lat}, ${location.lon}`));
      }
    }
    return issues;
  },
};

export const populationMix: SpecRule = {
  id: 'population-mix',
  description: 'A population mix names only data classes of the spec.',
  check(_spec, parsed) {
    const classes = Object.keys(parsed.data ?? {});
    const issues: SpecIssue[] = [];
    for (const [name, population] of Object.entries(parsed.populations)) {
      for (const dataClass of Object.keys(population.mix ?? {})) {
        if (!classes.includes(dataClass)) issues.push(issueError('population-mix', `populations.${name}.mix.${dataClass}`, `no data class named '${dataClass}' (classes: ${classes.join(', ') || 'none'})`));
      }
    }
    return issues;
  },
};

export const specShape: SpecRule = {
  id: 'spec-shape',
  description: 'A spec has at least one region and one population; a service is either the sample app or a command.',
  check(_spec, parsed) {
    const issues: SpecIssue[] = [];
    if (Object.keys(parsed.regions).length === 0) issues.push(issueError('spec-shape', 'regions', 'the spec lists no region'));
    if (Object.keys(parsed.populations).length === 0) issues.push(issueError('spec-shape', 'populations', 'the spec lists no population'));
    const roles = Object.values(parsed.regions).map((region) => region.role);
    if (roles.length > 0 && roles.every((role) => role === 'secondary' || role === 'standby')) {
      issues.push(issueError('spec-shape', 'regions', 'no region can be the primary: declare one with role: primary'));
    }
    for (const [name, service] of Object.entries(parsed.services ?? {})) {
      if (service.app && service.command) issues.push(issueError('spec-shape', `services.${name}`, 'give app or command, not both'));
    }
    return issues;
  },
};
