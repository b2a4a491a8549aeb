import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppDataClass } from './app-environment.ts';
import { AppRequestError } from './app-errors.ts';
import { ShopData } from './shop-data.ts';
import { shopRoutes, type Route, type RouteAnswer } from './shop-routes.ts';
import { closeServer, listen } from '../http-listen.ts';

/**
 * The built-in sample app: an online shop implementing the app contract (README.md) over its region's
 * data node. This file is the HTTP shell — body size limit, JSON, dispatch, the region header, and the
 * only place that turns errors into responses (never with a stack trace).
 */
export interface SampleShopOptions {
  readonly region: string;
  /** The regional data node (a DynamoDB-compatible endpoint). */
  readonly dataEndpointUrl: string;
  readonly dataClasses: readonly AppDataClass[];
  /** @default '/health' */
  readonly healthPath?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** The health check's call to the data node fails after this long. @default 1000 */
  readonly healthTimeoutMs?: number;
  /** A data call fails after this long (504). @default 5000 */
  readonly dataTimeoutMs?: number;
  /** Largest request body accepted (413 beyond). @default 64 KiB */
  readonly requestBytesMax?: number;
  /** Told about every unexpected error (answered 500 without details). @default log to stderr */
  readonly onInternalError?: (error: unknown) => void;
}

export interface SampleShop {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const REGION_HEADER = 'x-meridian-region';
const REQUEST_BYTES_MAX_DEFAULT = 64 * 1024;
/** A request whose headers and body have not arrived in this long is dropped by Node. */
const REQUEST_TIMEOUT_MS = 30_000;

export async function startSampleShop(options: SampleShopOptions): Promise<SampleShop> {
  const data = new ShopData({ region: options.region, endpointUrl: options.dataEndpointUrl, dataClasses: options.dataClasses, requestTimeoutMs: options.dataTimeoutMs ?? 5000 });
  const routes = shopRoutes({ region: options.region, healthPath: options.healthPath ?? '/health', data, healthTimeoutMs: options.healthTimeoutMs ?? 1000 });
  const shell: ShellOptions = {
    region: options.region,
    routes,
    requestBytesMax: options.requestBytesMax ?? REQUEST_BYTES_MAX_DEFAULT,
    onInternalError: options.onInternalError ?? ((error) => console.error('sample shop internal error:', error)),
  };
  const server = createServer((request, response) => void handle(shell, request, response));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const host = options.host ?? '127.0.0.1';
  try {
    await listen(server, host, options.port ?? 0);
  } catch (error) {
    data.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server).finally(() => data.close()) };
}

interface ShellOptions {
  readonly region: string;
  readonly routes: readonly Route[];
  readonly requestBytesMax: number;
  readonly onInternalError: (error: unknown) => void;
}

async function handle(shell: ShellOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const answer = await dispatch(shell, request);
    send(response, shell.region, answer.status, answer.body);
  } catch (error) {
    if (error instanceof AppRequestError) {
      // A body refused for its size is not read to the end: the connection cannot be reused.
      if (error.httpStatus === 413) response.setHeader('connection', 'close');
      return send(response, shell.region, error.httpStatus, { error: error.errorName, message: error.message });
    }
    shell.onInternalError(error);
    send(response, shell.region, 500, { error: 'InternalError', message: 'internal error' });
  }
}

async function dispatch(shell: ShellOptions, request: IncomingMessage): Promise<RouteAnswer> {
  const url = new URL(request.url ?? '/', 'http://app.invalid');
  const method = request.method ?? 'GET';
  const matching = shell.routes.filter((route) => route.pattern.test(url.pathname));
  if (matching.length === 0) throw new AppRequestError(404, 'NotFound', `no route for ${url.pathname}`);
  const route = matching.find((candidate) => candidate.method === method);
  if (route === undefined) {
    throw new AppRequestError(405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname} (allowed: ${matching.map((candidate) => candidate.method).join(', ')})`);
  }
  const params = route.pattern.exec(url.pathname)!.slice(1).map(decodeSegment);
  return route.handle({ params, query: url.searchParams, body: () => readJsonBody(request, shell.requestBytesMax) });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppRequestError(400, 'BadRequest', `malformed path segment '${segment}'`);
  }
}

/** Reads at most `bytesMax` bytes of body and parses them as JSON. */
async function readJsonBody(request: IncomingMessage, bytesMax: number): Promise<unknown> {
  const tooLarge = () => new AppRequestError(413, 'PayloadTooLarge', `request bodies are at most ${bytesMax} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > bytesMax) throw tooLarge();
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > bytesMax) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppRequestError(400, 'BadRequest', 'the body is not JSON');
  }
}

function send(response: ServerResponse, region: string, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    [REGION_HEADER]: region,
  });
  response.end(text);
}
