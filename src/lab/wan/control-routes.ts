/**
 * The control API's operations, one function per route, over a LinkRegistry. Modelled on Toxiproxy's
 * API (proxies, toxics, reset) with Meridian's fields: a link's round trip and jitter, its faults and
 * byte counters, and POST /proxies/{name}/connections/reset. Each operation validates its body with a
 * zod schema and throws typed errors; control-api.ts turns them into HTTP answers.
 */
import { z } from 'zod';
import { LinkConfigError } from './link-errors.ts';
import { requireLoopbackHost } from './link-options.ts';
import type { LinkRegistry, RegisteredLink } from './link-registry.ts';
import { parseInput } from './input-errors.ts';

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
}

export interface RouteRequest {
  readonly registry: LinkRegistry;
  /** Decoded path parameters: the link's name and the toxic's name where the route has them. */
  readonly linkName: string;
  readonly toxicName: string;
  readonly body: unknown;
}

export const CONTROL_API_VERSION = 'meridian-wan 1';

const hostPort = z.string().min(1).max(64);

const proxyCreateSchema = z.strictObject({
  name: z.string(),
  upstream: hostPort,
  listen: hostPort.default('127.0.0.1:0'),
  enabled: z.boolean().default(true),
  roundTripMs: z.number().optional(),
  jitterMs: z.number().optional(),
});

/** Toxiproxy clients post the whole proxy back to update it: name, listen and upstream may come unchanged. */
const proxyUpdateSchema = z.strictObject({
  name: z.string().optional(),
  listen: hostPort.optional(),
  upstream: hostPort.optional(),
  enabled: z.boolean().optional(),
  roundTripMs: z.number().optional(),
  jitterMs: z.number().optional(),
});

/** `127.0.0.1:8080` → host and port, loopback only. */
export function parseHostPort(field: string, text: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  if (match === null) throw new LinkConfigError(field, `must be host:port, got ${JSON.stringify(text)}`);
  const port = Number(match[2]);
  if (port > 65_535) throw new LinkConfigError(field, `port must be at most 65535, got ${port}`);
  return { host: requireLoopbackHost(field, match[1]!), port };
}

export function version(): RouteResult {
  return { status: 200, body: { version: CONTROL_API_VERSION } };
}

export async function resetAll(request: RouteRequest): Promise<RouteResult> {
  await request.registry.reset();
  return { status: 204 };
}

export function listProxies(request: RouteRequest): RouteResult {
  const proxies: Record<string, RegisteredLink> = {};
  for (const link of request.registry.list()) proxies[link.name] = request.registry.describe(link.name);
  return { status: 200, body: proxies };
}

export async function createProxy(request: RouteRequest): Promise<RouteResult> {
  const input = parseInput(proxyCreateSchema, request.body);
  const upstream = parseHostPort('upstream', input.upstream);
  const listen = parseHostPort('listen', input.listen);
  if (upstream.port === 0) throw new LinkConfigError('upstream', 'needs a port other than 0');
  const link = await request.registry.create({
    name: input.name,
    targetHost: upstream.host,
    targetPort: upstream.port,
    listenHost: listen.host,
    listenPort: listen.port,
    ...(input.roundTripMs === undefined ? {} : { roundTripMs: input.roundTripMs }),
    ...(input.jitterMs === undefined ? {} : { jitterMs: input.jitterMs }),
  });
  if (!input.enabled) await link.setEnabled(false);
  return { status: 201, body: request.registry.describe(link.name) };
}

export function showProxy(request: RouteRequest): RouteResult {
  return { status: 200, body: request.registry.describe(request.linkName) };
}

export async function updateProxy(request: RouteRequest): Promise<RouteResult> {
  const input = parseInput(proxyUpdateSchema, request.body);
  const current = request.registry.describe(request.linkName);
  for (const field of ['name', 'listen', 'upstream'] as const) {
    if (input[field] !== undefined && input[field] !== current[field]) {
      throw new LinkConfigError(field, `cannot be changed on a running link (is ${JSON.stringify(current[field])}); delete the link and create it again`);
    }
  }
  const link = request.registry.get(request.linkName);
  // Validate everything before changing anything, so a bad field leaves the link as it was.
  if (input.roundTripMs !== undefined || input.jitterMs !== undefined) {
    link.setLatency({ roundTripMs: input.roundTripMs, jitterMs: input.jitterMs });
  }
  if (input.enabled !== undefined && input.enabled !== link.enabled) await link.setEnabled(input.enabled);
  return { status: 200, body: request.registry.describe(request.linkName) };
}

export async function deleteProxy(request: RouteRequest): Promise<RouteResult> {
  await request.registry.delete(request.linkName);
  return { status: 204 };
}

export function resetConnections(request: RouteRequest): RouteResult {
  return { status: 200, body: { reset: request.registry.get(request.linkName).resetConnections() } };
}

export function listToxics(request: RouteRequest): RouteResult {
  return { status: 200, body: request.registry.toxics(request.linkName) };
}

export function createToxic(request: RouteRequest): RouteResult {
  return { status: 200, body: request.registry.addToxic(request.linkName, request.body) };
}

export function showToxic(request: RouteRequest): RouteResult {
  return { status: 200, body: request.registry.toxic(request.linkName, request.toxicName) };
}

export function updateToxic(request: RouteRequest): RouteResult {
  return { status: 200, body: request.registry.updateToxic(request.linkName, request.toxicName, request.body) };
}

export function deleteToxic(request: RouteRequest): RouteResult {
  request.registry.removeToxic(request.linkName, request.toxicName);
  return { status: 204 };
}
