/**
 * The lab's accelerator edge, the layer-4 service Global Accelerator is: one stable TCP listener per
 * population (the anycast address its clients reach), each new connection routed once to a region by the
 * caller's route function, then bytes copied both ways with no parsing. Health checks, traffic dials and
 * proximity are the caller's: it passes a route (usually `createAcceleratorRouter` over core/routing's
 * `routeFlow`) and replaces it with `setRoute` when health changes; open flows stay where they are.
 */
import { AcceleratorListener, type AcceleratorListenerStats } from './accelerator-listener.ts';
import { resolveAcceleratorOptions, type AcceleratorEdgeOptions, type AcceleratorRoute, type ResolvedAcceleratorOptions } from './accelerator-options.ts';
import { EdgeConfigError, EdgeUnknownPopulationError } from './edge-errors.ts';

export type { AcceleratorEdgeOptions, AcceleratorListenerOptions, AcceleratorRoute, AcceleratorTarget, ResolvedAcceleratorOptions } from './accelerator-options.ts';
export type { AcceleratorListenerStats } from './accelerator-listener.ts';

export interface AcceleratorEdgeStats {
  /** By population. */
  readonly listeners: Readonly<Record<string, AcceleratorListenerStats>>;
}

export interface AcceleratorEdge {
  readonly options: ResolvedAcceleratorOptions;
  /** Where each population's clients connect; the ports do not change while the edge runs. */
  readonly listeners: readonly { readonly population: string; readonly host: string; readonly port: number }[];
  address(population: string): { readonly host: string; readonly port: number };
  /** Replaces the route function; applies to flows accepted from now on. */
  setRoute(route: AcceleratorRoute): void;
  /** Open flows over all listeners. */
  activeFlows(): number;
  stats(): AcceleratorEdgeStats;
  /** Stops every listener and closes every flow; resolves once every socket is closed. */
  close(): Promise<void>;
}

/** Listens on every population's port; rejects with EdgeConfigError or EdgeListenError (and listens on none). */
export async function startAcceleratorEdge(options: AcceleratorEdgeOptions): Promise<AcceleratorEdge> {
  const resolved = resolveAcceleratorOptions(options);
  let route = options.route;
  const listeners = resolved.listeners.map(
    (listener) =>
      new AcceleratorListener({
        population: listener.population,
        host: resolved.host,
        port: listener.port,
        maxConnections: resolved.maxConnectionsPerListener,
        idleTimeoutMs: resolved.idleTimeoutMs,
        connectTimeoutMs: resolved.connectTimeoutMs,
        route: () => route,
      }),
  );
  const started = await Promise.allSettled(listeners.map((listener) => listener.listen()));
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(listeners.map((listener) => listener.close()));
    throw failure.reason;
  }
  const byPopulation = new Map(listeners.map((listener) => [listener.population, listener]));
  const find = (population: string): AcceleratorListener => {
    const listener = byPopulation.get(population);
    if (listener === undefined) throw new EdgeUnknownPopulationError(population);
    return listener;
  };
  let closing: Promise<void> | null = null;
  return {
    options: resolved,
    listeners: listeners.map((listener) => ({ population: listener.population, ...listener.address })),
    address: (population) => find(population).address,
    setRoute: (next) => {
      if (typeof next !== 'function') throw new EdgeConfigError('route', 'must be a function');
      route = next;
    },
    activeFlows: () => listeners.reduce((sum, listener) => sum + listener.activeFlows, 0),
    stats: () => ({ listeners: Object.fromEntries(listeners.map((listener) => [listener.population, listener.stats()])) }),
    close: () => (closing ??= Promise.all(listeners.map((listener) => listener.close())).then(() => undefined)),
  };
}
