import { randomUUID } from 'node:crypto';
import { AppRequestError } from './app-errors.ts';
import { catalogPage } from './shop-catalog.ts';
import { type ShopData, unknownDataClass } from './shop-data.ts';

/**
 * The sample shop's routes: the app contract (health, browse, data GET/PUT — see README.md) and the
 * shop's own friendly aliases on top of it. Handlers return a status and a JSON body, or throw an
 * AppRequestError; the HTTP shell (sample-shop.ts) does the rest.
 */
export interface RouteRequest {
  /** The path's captured segments, URL-decoded. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** The JSON body (bounded by the shell); a malformed body is a 400. */
  readonly body: () => Promise<unknown>;
}

export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface Route {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly pattern: RegExp;
  readonly handle: (request: RouteRequest) => Promise<RouteAnswer>;
}

export interface ShopContext {
  readonly region: string;
  readonly healthPath: string;
  readonly data: ShopData;
  /** The health check's data-node call fails after this long. */
  readonly healthTimeoutMs: number;
}

/** Longest item key accepted; DynamoDB allows 2048 bytes of partition key. */
const KEY_LENGTH_MAX = 1024;
const SEGMENT = '([^/]+)';

export function shopRoutes(context: ShopContext): Route[] {
  const { region, data } = context;
  const dataItem = new RegExp(`^/data/${SEGMENT}/${SEGMENT}$`);
  const profile = new RegExp(`^/profiles/${SEGMENT}$`);
  const browse = async ({ query }: RouteRequest): Promise<RouteAnswer> => ({ status: 200, body: catalogPage(region, Number(query.get('page') ?? '1')) });
  return [
    { method: 'GET', pattern: exactPath(context.healthPath), handle: () => health(context) },
    { method: 'GET', pattern: /^\/browse$/, handle: browse },
    { method: 'GET', pattern: dataItem, handle: ({ params }) => readData(data, params[0]!, itemKey(params[1]!)) },
    { method: 'PUT', pattern: dataItem, handle: ({ params, body }) => writeData(data, params[0]!, itemKey(params[1]!), body) },
    // The shop's own routes, friendly aliases over the same data classes.
    { method: 'GET', pattern: /^\/catalog$/, handle: browse },
    { method: 'GET', pattern: profile, handle: ({ params }) => readDocument(data, 'profiles', 'profile', itemKey(params[0]!)) },
    { method: 'PUT', pattern: profile, handle: ({ params, body }) => writeDocument(data, 'profiles', 'profile', itemKey(params[0]!), body, 200) },
    { method: 'POST', pattern: /^\/orders$/, handle: ({ body }) => writeDocument(data, 'orders', 'order', randomUUID(), body, 201) },
    { method: 'POST', pattern: /^\/payments$/, handle: ({ body }) => writeDocument(data, 'payments', 'payment', randomUUID(), body, 201) },
  ];
}

async function health({ region, data, healthTimeoutMs }: ShopContext): Promise<RouteAnswer> {
  try {
    await data.ping(healthTimeoutMs);
    return { status: 200, body: { region, status: 'ok' } };
  } catch (error) {
    const reason = error instanceof AppRequestError ? { error: error.errorName, message: error.message } : { error: 'Error', message: 'health check failed' };
    return { status: 503, body: { region, status: 'unavailable', ...reason } };
  }
}

async function readData(data: ShopData, dataClass: string, key: string): Promise<RouteAnswer> {
  if (!data.has(dataClass)) throw unknownDataClass(dataClass, data.classNames);
  return { status: 200, body: await data.read(dataClass, key) };
}

async function writeData(data: ShopData, dataClass: string, key: string, body: () => Promise<unknown>): Promise<RouteAnswer> {
  if (!data.has(dataClass)) throw unknownDataClass(dataClass, data.classNames);
  const value = stringValue(await body());
  await data.write(dataClass, key, value);
  return { status: 200, body: { key, value } };
}

/** The aliases keep a JSON document in the class's `value` string. */
async function readDocument(data: ShopData, dataClass: string, label: string, id: string): Promise<RouteAnswer> {
  requireAliasClass(data, dataClass);
  const item = await data.read(dataClass, id);
  return { status: 200, body: { id, [label]: item.value === null ? null : parseStored(item.value), found: item.found } };
}

async function writeDocument(data: ShopData, dataClass: string, label: string, id: string, body: () => Promise<unknown>, status: number): Promise<RouteAnswer> {
  requireAliasClass(data, dataClass);
  const document = await body();
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new AppRequestError(400, 'BadRequest', 'the body must be a JSON object');
  }
  await data.write(dataClass, id, JSON.stringify(document));
  return { status, body: { id, [label]: document } };
}

function requireAliasClass(data: ShopData, dataClass: string): void {
  if (data.has(dataClass)) return;
  const here = data.classNames.length === 0 ? 'none' : data.classNames.join(', ');
  throw new AppRequestError(404, 'UnknownDataClass', `this route needs the data class '${dataClass}', which this region does not hold (data classes here: ${here})`);
}

function parseStored(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function stringValue(body: unknown): string {
  const value = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
  if (typeof value !== 'string') throw new AppRequestError(400, 'BadRequest', 'the body must be a JSON object with a string member "value"');
  return value;
}

function itemKey(segment: string): string {
  if (segment.length > KEY_LENGTH_MAX) throw new AppRequestError(400, 'BadRequest', `keys are at most ${KEY_LENGTH_MAX} characters`);
  return segment;
}

function exactPath(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
