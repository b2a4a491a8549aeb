/**
 * One population's listener on the accelerator edge: a stable TCP port, the flows accepted on it, and
 * its counters. Each accepted connection is routed once, when it arrives, and stays on that region until
 * it ends: a route change moves new flows only, as Global Accelerator does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { AcceleratorFlow, resetSocket, type FlowCounters, type FlowEndReason, type FlowHooks } from './accelerator-flow.ts';
import { checkTarget, type AcceleratorRoute, type AcceleratorTarget } from './accelerator-options.ts';
import { EdgeConfigError, EdgeListenError } from './edge-errors.ts';

export interface AcceleratorListenerStats {
  readonly population: string;
  readonly host: string;
  readonly port: number;
  /** Connections the listener took from the kernel, including those it closed at once. */
  readonly accepted: number;
  /** Flows open now (connecting or carrying bytes). */
  readonly active: number;
  /** Closed at once because `maxConnectionsPerListener` flows were open. */
  readonly refused: number;
  /** Closed at once because the route gave no region (or failed). */
  readonly unrouted: number;
  /** The region's endpoint refused, reset or did not answer the connect in time; the client was reset. */
  readonly connectFailures: number;
  readonly idleTimeouts: number;
  /** Flows routed to each region since the start, whether or not the connect succeeded. */
  readonly flowsByRegion: Readonly<Record<string, number>>;
  readonly activeByRegion: Readonly<Record<string, number>>;
  /** upstream: client → region; downstream: region → client. */
  readonly bytes: { readonly upstream: number; readonly downstream: number };
  readonly backpressurePauses: number;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

export interface ListenerSettings {
  readonly population: string;
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Read at each new connection, so `setRoute` applies to the next flow. */
  readonly route: () => AcceleratorRoute;
}

/** A route may name any region; the counters keep this many distinct ones. */
const REGIONS_MAX = 256;

export class AcceleratorListener {
  private server: Server | null = null;
  private port: number;
  private closing = false;
  private readonly flows = new Set<AcceleratorFlow>();
  private readonly counters: FlowCounters = { upstreamBytes: 0, downstreamBytes: 0, backpressurePauses: 0 };
  private readonly events = { accepted: 0, refused: 0, unrouted: 0, connectFailures: 0, idleTimeouts: 0 };
  private readonly flowsByRegion = new Map<string, number>();
  private readonly activeByRegion = new Map<string, number>();
  private lastError: AcceleratorListenerStats['lastError'] = null;
  private readonly hooks: FlowHooks;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly settings: ListenerSettings) {
    this.port = settings.port;
    this.hooks = {
      counters: this.counters,
      connectTimeoutMs: settings.connectTimeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs,
      ended: (_flow, reason, error) => this.flowEnded(reason, error),
      closed: (flow) => this.flowClosed(flow),
    };
  }

  get population(): string {
    return this.settings.population;
  }

  get address(): { readonly host: string; readonly port: number } {
    return { host: this.settings.host, port: this.port };
  }

  get activeFlows(): number {
    return this.flows.size;
  }

  async listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.settings.host, port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw new EdgeListenError(`the accelerator listener for ${JSON.stringify(this.population)}`, `${this.settings.host}:${this.port}`, error);
    });
    server.on('error', (error) => this.recordError(error));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and closes every flow; resolves once every socket is closed. */
  async close(): Promise<void> {
    this.closing = true;
    const server = this.server;
    this.server = null;
    for (const flow of [...this.flows]) flow.close();
    const flowsGone = this.flows.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const serverGone = server === null ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([flowsGone, serverGone]);
  }

  stats(): AcceleratorListenerStats {
    return {
      population: this.population,
      host: this.settings.host,
      port: this.port,
      ...this.events,
      active: this.flows.size,
      flowsByRegion: Object.fromEntries(this.flowsByRegion),
      activeByRegion: Object.fromEntries(this.activeByRegion),
      bytes: { upstream: this.counters.upstreamBytes, downstream: this.counters.downstreamBytes },
      backpressurePauses: this.counters.backpressurePauses,
      lastError: this.lastError,
    };
  }

  private accept(socket: Socket): void {
    // Until a flow owns the socket, an error on it (the client gone already) must not crash the edge.
    socket.on('error', () => undefined);
    this.events.accepted++;
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.flows.size >= this.settings.maxConnections) {
      this.events.refused++;
      return resetSocket(socket);
    }
    const target = this.routeOne();
    if (target === undefined) {
      this.events.unrouted++;
      return resetSocket(socket);
    }
    this.flowsByRegion.set(target.region, (this.flowsByRegion.get(target.region) ?? 0) + 1);
    this.activeByRegion.set(target.region, (this.activeByRegion.get(target.region) ?? 0) + 1);
    this.flows.add(new AcceleratorFlow(this.hooks, socket, target));
  }

  /** The route's answer for one new flow, or undefined when it gives none, throws, or names too many regions. */
  private routeOne(): AcceleratorTarget | undefined {
    try {
      const answer = this.settings.route()(this.population);
      if (answer === undefined) return undefined;
      const target = checkTarget(answer);
      if (!this.flowsByRegion.has(target.region) && this.flowsByRegion.size >= REGIONS_MAX) {
        throw new EdgeConfigError('route().region', `more than ${REGIONS_MAX} distinct regions`);
      }
      return target;
    } catch (error) {
      this.recordError(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  private flowEnded(reason: FlowEndReason, error: Error | undefined): void {
    if (reason === 'connect-failed') this.events.connectFailures++;
    else this.events.idleTimeouts++;
    if (error !== undefined) this.recordError(error);
  }

  private flowClosed(flow: AcceleratorFlow): void {
    if (!this.flows.delete(flow)) return;
    const active = (this.activeByRegion.get(flow.region) ?? 1) - 1;
    this.activeByRegion.set(flow.region, active);
    if (this.flows.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private recordError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.lastError = { code: typeof code === 'string' ? code : 'ERROR', message: error.message };
  }
}
