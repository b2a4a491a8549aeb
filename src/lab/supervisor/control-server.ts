import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Lab } from './lab.ts';
import { UnknownRegionError } from './lab.ts';
import { failover, switchover, TableControlError, tableStatus } from './table-control.ts';
import type { TrafficPlane } from './traffic-plane.ts';

/**
 * The lab's control API on loopback: which regions run where, and the regional failures an operator
 * (or `meridian region`, or a chaos experiment) triggers. JSON in and out; bad requests get a 4xx with
 * a one-line message and never stop the lab.
 */
export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

function regionsView(lab: Lab) {
  return [...lab.regions.values()].map((process) => ({
    region: process.region,
    running: process.running,
    dataEndpoint: process.current ? `http://127.0.0.1:${process.current.dataPort}` : null,
    pid: process.current?.pid ?? null,
  }));
}

async function route(lab: Lab, traffic: TrafficPlane | undefined, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://control');
  const parts = url.pathname.split('/').filter(Boolean);
  if (traffic && request.method === 'GET' && url.pathname === '/health') return reply(response, 200, { checks: traffic.checkers?.view() ?? {}, events: traffic.events });
  if (traffic && request.method === 'POST' && parts[0] === 'regions' && parts[2] === 'app' && parts.length === 4) {
    const region = decodeURIComponent(parts[1]!);
    const app = traffic.apps.get(region);
    if (!app) return reply(response, 404, { error: `no app runs in region ${region} (apps: ${[...traffic.apps.keys()].join(', ')})` });
    if (parts[3] === 'kill') {
      await app.kill();
      return reply(response, 200, { region, app: 'killed' });
    }
    if (parts[3] === 'restart') return reply(response, 200, await app.restart());
  }
  if (request.method === 'GET' && url.pathname === '/regions') return reply(response, 200, regionsView(lab));
  if (request.method === 'GET' && parts[0] === 'regions' && parts.length === 3 && parts[2] === 'replication') {
    const endpoints = lab.regions.get(decodeURIComponent(parts[1]!))?.current;
    if (!endpoints) return reply(response, 404, { error: `region ${parts[1]} is not running` });
    const metrics = await fetch(`http://127.0.0.1:${endpoints.replicationPort}/metrics`);
    return reply(response, 200, await metrics.json());
  }
  if (parts[0] === 'tables' && parts.length >= 2) return tableRoute(lab, request, response, decodeURIComponent(parts[1]!), parts[2]);
  if (request.method === 'POST' && parts[0] === 'regions' && parts.length === 3) {
    const region = decodeURIComponent(parts[1]!);
    if (parts[2] === 'restart') return reply(response, 200, await lab.restartRegion(region));
    if (parts[2] === 'kill') {
      lab.killRegion(region);
      return reply(response, 200, { region, killed: true });
    }
  }
  reply(response, 404, {
    error: `no route ${request.method} ${url.pathname} (try GET /regions, GET /regions/{region}/replication, POST /regions/{region}/restart, POST /regions/{region}/kill, GET /tables/{table}, POST /tables/{table}/switchover {"target"}, POST /tables/{table}/failover {"target"?}, GET /health, POST /regions/{region}/app/kill, POST /regions/{region}/app/restart)`,
  });
}

/** Single-writer tables: status of every member, switchover, failover. */
async function tableRoute(lab: Lab, request: IncomingMessage, response: ServerResponse, table: string, action: string | undefined): Promise<void> {
  if (request.method === 'GET' && action === undefined) return reply(response, 200, await tableStatus(lab, table));
  if (request.method === 'POST' && (action === 'switchover' || action === 'failover')) {
    const body = await readBody(request);
    const target = (body as { target?: unknown }).target;
    if (target !== undefined && typeof target !== 'string') return reply(response, 400, { error: `target must be a region name, got ${JSON.stringify(target)}` });
    if (action === 'switchover' && target === undefined) return reply(response, 400, { error: 'a switchover needs a target region: {"target": "REGION"}' });
    return reply(response, 200, action === 'switchover' ? await switchover(lab, table, target!) : await failover(lab, table, target));
  }
  reply(response, 404, { error: `no route ${request.method} /tables/${table}${action ? `/${action}` : ''}` });
}

/** A small JSON body; an empty body is {}. */
async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > 64 * 1024) throw new TableControlError('request body too large', 400);
  }
  if (text.trim() === '') return {};
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) return body;
  } catch {
    // Answered below.
  }
  throw new TableControlError(`the body must be a JSON object, got ${JSON.stringify(text.slice(0, 80))}`, 400);
}

export async function startControlServer(lab: Lab, port = 0, traffic?: TrafficPlane): Promise<ControlServer> {
  const server: Server = createServer((request, response) => {
    route(lab, traffic, request, response).catch((error: unknown) => {
      const status = error instanceof UnknownRegionError ? 404 : error instanceof TableControlError ? error.status : 500;
      reply(response, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
