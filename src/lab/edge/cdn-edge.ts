/**
 * The lab's CDN edge, CloudFront with an origin group in front of two regions: an HTTP/1.1 caching
 * reverse proxy. A GET or HEAD is answered from the cache while fresh (`X-Cache: Hit`, `Age`); anything
 * else goes to the origin group (core/routing decides attempts and failover; `cdn-origin-group.ts`)
 * and streams back (`X-Cache: Miss`), filling the cache when the response may be stored
 * (`cache-policy.ts`). Every socket is bounded: viewer connections, request size and time, origin
 * connections, and the cache.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { CdnCache, type CacheStats } from './cdn-cache.ts';
import { freshnessLifetimeSeconds, initialAgeSeconds, requestUsesCache, responseIsStorable } from './cache-policy.ts';
import { originRequestHeaders, viewerResponseHeaders } from './cdn-headers.ts';
import { OriginGroupClient, type OriginName, type OriginReply } from './cdn-origin-group.ts';
import { resolveCdnOptions, type CdnEdgeOptions, type ResolvedCdnOptions } from './cdn-options.ts';
import { readRequestBody } from './cdn-request-body.ts';
import { EdgeListenError } from './edge-errors.ts';

export type { CdnEdgeOptions, OriginAddress, ResolvedCdnOptions } from './cdn-options.ts';

export interface CdnEdgeStats {
  readonly requests: number;
  readonly hits: number;
  /** Requests that went to the origin group (every method but cache hits and refused requests). */
  readonly misses: number;
  /** Requests the primary's outcome sent to the secondary. */
  readonly failovers: number;
  /** Origin attempts that ended without an answer (refused, reset, timed out), and bodies cut off midway. */
  readonly originErrors: number;
  /** Answers streamed from each origin. */
  readonly servedBy: Readonly<Record<OriginName, number>>;
  /** 502/504 the edge made because the last origin tried gave no answer. */
  readonly gatewayErrors: number;
  /** Refused by the edge before any origin: too large (413) or not origin-form (400). */
  readonly rejected: number;
  /** Viewers that went away before their answer was complete. */
  readonly viewerAborts: number;
  readonly cache: CacheStats;
  /** Open connections to each origin, busy or idle. */
  readonly originConnections: Readonly<Record<OriginName, number>>;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

export interface CdnEdge {
  readonly options: ResolvedCdnOptions;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  stats(): CdnEdgeStats;
  /** Open viewer connections. */
  viewerConnections(): Promise<number>;
  /** Empties the cache (an invalidation of every path). */
  purge(): void;
  /** Closes every viewer and origin connection; resolves once the listener is closed. */
  close(): Promise<void>;
}

/** Listens; rejects with EdgeConfigError, core's RoutingConfigError (origin group options) or EdgeListenError. */
export async function startCdnEdge(options: CdnEdgeOptions): Promise<CdnEdge> {
  const resolved = resolveCdnOptions(options);
  const edge = new CdnEdgeServer(resolved);
  await edge.listen();
  return {
    options: resolved,
    host: resolved.host,
    get port() {
      return edge.port;
    },
    get url() {
      return `http://${resolved.host}:${edge.port}`;
    },
    stats: () => edge.stats(),
    viewerConnections: () => edge.viewerConnections(),
    purge: () => edge.purge(),
    close: () => edge.close(),
  };
}

class CdnEdgeServer {
  port: number;
  private readonly server: Server;
  private readonly cache: CdnCache;
  private readonly origins: OriginGroupClient;
  private readonly counts = { requests: 0, hits: 0, misses: 0, failovers: 0, originErrors: 0, gatewayErrors: 0, rejected: 0, viewerAborts: 0 };
  private readonly servedBy: Record<OriginName, number> = { primary: 0, secondary: 0 };
  private lastError: CdnEdgeStats['lastError'] = null;
  private readonly via: string;
  private closing: Promise<void> | null = null;
  /** Answers the edge itself cut short (the origin stalled or broke off): not the viewer's doing. */
  private readonly cutByEdge = new WeakSet<ServerResponse>();

  constructor(private readonly options: ResolvedCdnOptions) {
    this.port = options.port;
    this.via = `1.1 ${options.name}`;
    this.cache = new CdnCache({ maxEntries: options.cacheMaxEntries, maxBytes: options.cacheMaxBytes, maxEntryBytes: options.cacheMaxEntryBytes });
    this.origins = new OriginGroupClient(options.originGroup, options.origins, options.maxOriginConnections, {
      attemptFailed: (_origin, _outcome, error) => {
        this.counts.originErrors++;
        this.recordError(error);
      },
      failedOver: () => this.counts.failovers++,
    });
    this.server = createServer(
      {
        requestTimeout: options.viewerRequestTimeoutMs,
        headersTimeout: options.viewerRequestTimeoutMs,
        // Node checks request timeouts on this period (30 s by default, longer than many timeouts asked for).
        connectionsCheckingInterval: Math.min(1000, options.viewerRequestTimeoutMs),
      },
      (request, response) => this.handle(request, response),
    );
    this.server.keepAliveTimeout = options.viewerKeepAliveTimeoutMs;
    this.server.maxConnections = options.maxConnections;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.port, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve();
      });
    }).catch(async (error: unknown) => {
      await this.origins.close();
      throw new EdgeListenError('the CDN edge', `${this.options.host}:${this.port}`, error);
    });
    this.server.on('error', (error) => this.recordError(error));
    this.port = (this.server.address() as { port: number }).port;
  }

  stats(): CdnEdgeStats {
    return {
      ...this.counts,
      servedBy: { ...this.servedBy },
      cache: this.cache.stats(),
      originConnections: this.origins.connections(),
      lastError: this.lastError,
    };
  }

  viewerConnections(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  purge(): void {
    this.cache.clear();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await Promise.all([closed, this.origins.close()]);
    })();
    return this.closing;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.counts.requests++;
    const viewerGone = new AbortController();
    response.once('close', () => {
      if (response.writableFinished) return;
      if (!this.cutByEdge.has(response)) this.counts.viewerAborts++;
      viewerGone.abort();
    });
    this.serve(request, response, viewerGone.signal).catch((error: unknown) => {
      this.recordError(error instanceof Error ? error : new Error(String(error)));
      if (!response.headersSent) return this.writeError(response, 502, 'the edge failed');
      this.cutByEdge.add(response);
      response.destroy();
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse, signal: AbortSignal): Promise<void> {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    if (!path.startsWith('/')) return this.reject(response, 400, 'only origin-form request targets');
    const body = await readRequestBody(request, this.options.maxRequestBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') return this.reject(response, 413, `request bodies are limited to ${this.options.maxRequestBodyBytes} bytes`);
    const usesCache = requestUsesCache(method, request.headers);
    if (usesCache && this.serveHit(method, path, response)) return;
    this.counts.misses++;
    const reply = await this.origins.request({
      method,
      path,
      headers: originRequestHeaders(request.rawHeaders, request.headers.connection, this.via, request.socket.remoteAddress),
      body: body.body,
      signal,
    });
    if (reply.kind === 'aborted') return;
    if (reply.kind === 'failed') {
      this.counts.gatewayErrors++;
      return this.writeError(response, reply.status, reply.status === 504 ? 'the origin did not answer in time' : 'the origin could not be reached');
    }
    this.servedBy[reply.origin]++;
    await this.streamMiss(method, path, usesCache, reply, response, signal);
  }

  private serveHit(method: string, path: string, response: ServerResponse): boolean {
    const hit = this.cache.lookup(path, this.options.nowMs());
    if (hit === undefined) return false;
    this.counts.hits++;
    const { entry, ageSeconds } = hit;
    response.writeHead(entry.status, {
      ...entry.headers,
      'content-length': String(entry.body.length),
      age: String(ageSeconds),
      'x-cache': `Hit from ${this.options.name}`,
      via: this.via,
    });
    response.end(method === 'HEAD' ? undefined : entry.body);
    return true;
  }

  /** Streams the origin's answer to the viewer, collecting it for the cache while it may still fit. */
  private async streamMiss(method: string, path: string, usesCache: boolean, reply: Extract<OriginReply, { kind: 'response' }>, response: ServerResponse, signal: AbortSignal): Promise<void> {
    const headers = viewerResponseHeaders(reply.headers);
    const initialAge = initialAgeSeconds(reply.headers.age);
    const lifetimeSeconds = freshnessLifetimeSeconds(reply.headers['cache-control'], this.options);
    const storable = usesCache && responseIsStorable(method, reply.status, reply.headers, lifetimeSeconds);
    const storedAtMs = this.options.nowMs();
    response.writeHead(reply.status, {
      ...headers,
      ...(reply.headers.age === undefined ? {} : { age: String(initialAge) }),
      'x-cache': `Miss from ${this.options.name}`,
      via: this.via,
    });
    let chunks: Buffer[] | null = storable ? [] : null;
    let collectedBytes = 0;
    if (storable) {
      reply.body.on('data', (chunk: Buffer) => {
        if (chunks === null) return;
        collectedBytes += chunk.length;
        if (this.cache.fits(collectedBytes)) {
          chunks.push(chunk);
        } else {
          chunks = null;
          this.cache.skipTooLarge();
        }
      });
    }
    try {
      await pipeline(reply.body, response);
    } catch (error) {
      // The viewer went away (counted already) or the origin stalled or cut the body: the viewer's
      // connection cannot carry a truncated answer, so it is closed.
      if (!signal.aborted) {
        this.counts.originErrors++;
        this.recordError(error instanceof Error ? error : new Error(String(error)));
        this.cutByEdge.add(response);
      }
      response.destroy();
      return;
    }
    if (chunks !== null) {
      this.cache.store(path, { status: reply.status, headers, body: Buffer.concat(chunks, collectedBytes), storedAtMs, lifetimeSeconds, initialAgeSeconds: initialAge });
    }
  }

  private reject(response: ServerResponse, status: number, message: string): void {
    this.counts.rejected++;
    // What is left of the request is not read: the connection cannot carry another one.
    response.shouldKeepAlive = false;
    this.writeError(response, status, message);
  }

  private writeError(response: ServerResponse, status: number, message: string): void {
    const text = `${message}\n`;
    response.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'x-cache': `Error from ${this.options.name}`,
      via: this.via,
    });
    response.end(text);
  }

  private recordError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.lastError = { code: typeof code === 'string' ? code : 'ERROR', message: error.message };
  }
}
