/**
 * The HTTP control API of the WAN links, on loopback, modelled on Toxiproxy's: JSON in and out, errors
 * as `{ error, status, code, field? }` (400 with the offending field, 404 for an unknown link or toxic,
 * 409 for a name taken or a limit reached). A bad request never throws out of the handler.
 *
 *   GET    /version                          GET|POST /proxies
 *   GET|POST|DELETE /proxies/{name}          POST /proxies/{name}/connections/reset
 *   GET|POST /proxies/{name}/toxics          GET|POST|DELETE /proxies/{name}/toxics/{toxic}
 *   POST   /reset                            (enable every link, remove every toxic)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LinkConfigError, LinkConflictError, LinkLimitError, LinkListenError, LinkNotFoundError, ToxicNotFoundError } from './link-errors.ts';
import { requireLoopbackHost } from './link-options.ts';
import type { LinkRegistry } from './link-registry.ts';
import * as routes from './control-routes.ts';

export interface ControlApiOptions {
  readonly registry: LinkRegistry;
  /** A 127.0.0.0/8 address. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 65 536 */
  readonly maxBodyBytes?: number;
}

export interface ControlApi {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:8474` */
  readonly url: string;
  close(): Promise<void>;
}

type Handler = (request: routes.RouteRequest) => routes.RouteResult | Promise<routes.RouteResult>;
type Method = 'GET' | 'POST' | 'DELETE';

/** A refusal by the HTTP shell itself: no such route, wrong method, body too large or not JSON. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const DEFAULT_MAX_BODY_BYTES = 65_536;

/** Route shapes by path segments; `{link}` and `{toxic}` are parameters. */
const ROUTES: readonly { readonly pattern: readonly string[]; readonly methods: Partial<Record<Method, Handler>> }[] = [
  { pattern: ['version'], methods: { GET: routes.version } },
  { pattern: ['reset'], methods: { POST: routes.resetAll } },
  { pattern: ['proxies'], methods: { GET: routes.listProxies, POST: routes.createProxy } },
  { pattern: ['proxies', '{link}'], methods: { GET: routes.showProxy, POST: routes.updateProxy, DELETE: routes.deleteProxy } },
  { pattern: ['proxies', '{link}', 'connections', 'reset'], methods: { POST: routes.resetConnections } },
  { pattern: ['proxies', '{link}', 'toxics'], methods: { GET: routes.listToxics, POST: routes.createToxic } },
  {
    pattern: ['proxies', '{link}', 'toxics', '{toxic}'],
    methods: { GET: routes.showToxic, POST: routes.updateToxic, DELETE: routes.deleteToxic },
  },
];

export async function startControlApi(options: ControlApiOptions): Promise<ControlApi> {
  const host = requireLoopbackHost('host', options.host ?? '127.0.0.1');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = createServer((request, response) => {
    handle(options.registry, maxBodyBytes, request, response).catch((error: unknown) => respondError(response, error));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('control API has no address');
  return { host, port: address.port, url: `http://${host}:${address.port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function handle(registry: LinkRegistry, maxBodyBytes: number, request: IncomingMessage, response: ServerResponse): Promise<void> {
  refuseForeignCallers(request);
  const url = new URL(request.url ?? '/', 'http://control.invalid');
  const segments = pathSegments(url.pathname);
  const route = ROUTES.find((candidate) => matches(candidate.pattern, segments));
  if (route === undefined) throw new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${url.pathname}`);
  const handler = route.methods[request.method as Method];
  if (handler === undefined) {
    const allow = Object.keys(route.methods).join(', ');
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}; use ${allow}`, undefined, { allow });
  }
  const body = await readJsonBody(request, maxBodyBytes);
  const result = await handler({ registry, linkName: segments[1] ?? '', toxicName: segments[3] ?? '', body });
  respond(response, result.status, result.body);
}

/**
 * The API listens on loopback, but a browser on this machine could still be steered at it (DNS
 * rebinding, a cross-site form): only loopback Host names are served, and no foreign Origin.
 */
function refuseForeignCallers(request: IncomingMessage): void {
  const loopback = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d+)?$/;
  const hostHeader = request.headers.host;
  if (hostHeader !== undefined && !loopback.test(hostHeader)) {
    throw new HttpError(403, 'FORBIDDEN_HOST', `the control API answers only loopback Host names, not ${JSON.stringify(hostHeader)}`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !/^https?:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d+)?$/.test(origin)) {
    throw new HttpError(403, 'FORBIDDEN_ORIGIN', `the control API does not answer pages from ${JSON.stringify(origin)}`);
  }
}

function pathSegments(pathname: string): string[] {
  try {
    return pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  } catch {
    throw new HttpError(400, 'BAD_PATH', `the path ${JSON.stringify(pathname)} is not valid percent-encoding`, 'path');
  }
}

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  return pattern.length === segments.length && pattern.every((part, index) => part.startsWith('{') || part === segments[index]);
}

/**
 * Reads the body, keeping at most maxBodyBytes (the rest is drained, not stored, so the 413 can be read);
 * an empty body is `{}`, as Toxiproxy clients post some actions without one.
 */
async function readJsonBody(request: IncomingMessage, maxBodyBytes: number): Promise<unknown> {
  const declaredBytes = Number(request.headers['content-length'] ?? 0);
  const text = await new Promise<string | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > maxBodyBytes ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
    if (declaredBytes > maxBodyBytes) resolve(null);
  });
  if (text === null) throw new HttpError(413, 'BODY_TOO_LARGE', `the body exceeds ${maxBodyBytes} bytes`, 'body', { connection: 'close' });
  if (text.trim() === '') return {};
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `a body must be application/json, got ${JSON.stringify(contentType)}`, 'content-type');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'BAD_JSON', `the body is not JSON: ${(error as Error).message}`, 'body');
  }
}

function respond(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  if (body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Typed errors become their status; anything else is a 500 that says so, and the server keeps serving. */
function respondError(response: ServerResponse, error: unknown): void {
  const [status, headers] = statusOf(error);
  const field = (error as { field?: unknown }).field;
  const code = (error as { code?: unknown }).code;
  respond(
    response,
    status,
    {
      error: error instanceof Error ? error.message : String(error),
      status,
      code: typeof code === 'string' ? code : 'INTERNAL',
      ...(typeof field === 'string' ? { field } : {}),
    },
    headers,
  );
}

function statusOf(error: unknown): [number, Record<string, string>] {
  if (error instanceof HttpError) return [error.status, error.headers];
  if (error instanceof LinkConfigError) return [400, {}];
  if (error instanceof LinkNotFoundError || error instanceof ToxicNotFoundError) return [404, {}];
  if (error instanceof LinkConflictError || error instanceof LinkLimitError || error instanceof LinkListenError) return [409, {}];
  return [500, {}];
}
