import type { ResolvedDataClass } from '../../spec/resolved-spec.ts';

/**
 * The environment every app process gets from the lab, built-in or the user's own (see README.md). This
 * file is the one place that names the variables: the supervisor side writes them with
 * `appEnvironmentVariables`, the sample shop reads them with `readAppEnvironment`.
 */

/** A data class the app in this region serves. */
export interface AppDataClass {
  /** The class name, which is also its table name. */
  readonly name: string;
  /** Reads of this class are ConsistentRead. */
  readonly consistentReads: boolean;
  /**
   * Where reads of the class go: the regional data node when the region holds a replica, else the nearest
   * replica's (through the lab's WAN link). @default AWS_ENDPOINT_URL_DYNAMODB
   */
  readonly endpointUrl?: string;
  /** Where writes go: a single-writer class's writer region. @default endpointUrl */
  readonly writeEndpointUrl?: string;
  /** Every replica's endpoint by region, to follow a NotPrimaryException to the writer it names. */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** Replicas to read from when `endpointUrl` cannot be reached, nearest first. */
  readonly fallbackEndpointUrls?: readonly string[];
}

export interface AppEnvironment {
  readonly region: string;
  readonly host: string;
  readonly port: number;
  /** The regional data node, a DynamoDB-compatible endpoint. */
  readonly dataEndpointUrl: string;
  readonly healthPath: string;
  readonly dataClasses: readonly AppDataClass[];
}

export const DEFAULT_HEALTH_PATH = '/health';
/** Any credentials are accepted by the lab's data nodes; the SDKs want some. */
const DUMMY_ACCESS_KEY_ID = 'meridian';
const DUMMY_SECRET_ACCESS_KEY = 'meridian';

export class AppEnvironmentError extends Error {
  readonly code = 'APP_ENVIRONMENT_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'AppEnvironmentError';
  }
}

export function appEnvironmentVariables(environment: AppEnvironment): Record<string, string> {
  return {
    PORT: String(environment.port),
    HOST: environment.host,
    MERIDIAN_REGION: environment.region,
    AWS_REGION: environment.region,
    AWS_ENDPOINT_URL_DYNAMODB: environment.dataEndpointUrl,
    AWS_ACCESS_KEY_ID: DUMMY_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: DUMMY_SECRET_ACCESS_KEY,
    MERIDIAN_HEALTH_PATH: environment.healthPath,
    // Members beyond name and consistentReads are passed through as given: the lab may tell an app more.
    MERIDIAN_DATA_CLASSES: JSON.stringify(environment.dataClasses),
  };
}

/** Reads the environment of an app process; every missing or malformed variable is named. */
export function readAppEnvironment(variables: Readonly<Record<string, string | undefined>>): AppEnvironment {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = variables[name];
    if (value === undefined || value === '') problems.push(`${name} is not set`);
    return value ?? '';
  };
  const region = variables.MERIDIAN_REGION || required('AWS_REGION');
  const port = Number(required('PORT'));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`PORT must be a port number, got '${variables.PORT ?? ''}'`);
  const dataEndpointUrl = required('AWS_ENDPOINT_URL_DYNAMODB');
  const healthPath = variables.MERIDIAN_HEALTH_PATH || DEFAULT_HEALTH_PATH;
  if (!healthPath.startsWith('/')) problems.push(`MERIDIAN_HEALTH_PATH must start with '/', got '${healthPath}'`);
  const dataClasses = parseDataClasses(variables.MERIDIAN_DATA_CLASSES ?? '[]', problems);
  if (problems.length > 0) throw new AppEnvironmentError(`bad app environment: ${problems.join('; ')}`);
  return { region, host: variables.HOST || '127.0.0.1', port, dataEndpointUrl, healthPath, dataClasses };
}

function parseDataClasses(text: string, problems: string[]): AppDataClass[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push('MERIDIAN_DATA_CLASSES is not JSON');
    return [];
  }
  const valid = (entry: unknown): entry is AppDataClass =>
    typeof entry === 'object' && entry !== null && typeof (entry as AppDataClass).name === 'string' && typeof (entry as AppDataClass).consistentReads === 'boolean';
  if (!Array.isArray(parsed) || !parsed.every(valid)) {
    problems.push('MERIDIAN_DATA_CLASSES must be a JSON array of { "name": string, "consistentReads": boolean }');
    return [];
  }
  return parsed.map(({ name, consistentReads, endpointUrl, writeEndpointUrl, endpoints, fallbackEndpointUrls }) => ({
    name,
    consistentReads,
    ...(typeof endpointUrl === 'string' ? { endpointUrl } : {}),
    ...(typeof writeEndpointUrl === 'string' ? { writeEndpointUrl } : {}),
    ...(typeof endpoints === 'object' && endpoints !== null ? { endpoints } : {}),
    ...(Array.isArray(fallbackEndpointUrls) ? { fallbackEndpointUrls: fallbackEndpointUrls.filter((url): url is string => typeof url === 'string') } : {}),
  }));
}

/**
 * The data classes an app in one region sees: those whose table the region holds. ConsistentRead only
 * means something for strong classes (a read through the quorum); other classes read their local copy.
 */
export function appDataClasses(dataClasses: readonly ResolvedDataClass[], tablesInRegion: readonly string[]): AppDataClass[] {
  const here = new Set(tablesInRegion);
  return dataClasses
    .filter((dataClass) => here.has(dataClass.name))
    .map((dataClass) => ({ name: dataClass.name, consistentReads: dataClass.consistency === 'strong' && dataClass.consistentReads }));
}
