/**
 * The accelerator edge's options as callers write them, resolved once (defaults filled, every field
 * checked) into a frozen ResolvedAcceleratorOptions; nothing downstream reads a default again.
 */
import { EdgeConfigError } from './edge-errors.ts';
import { requireInteger, requireLoopbackHost, requirePort } from './edge-option-checks.ts';

/** Where one new flow goes: the region that takes it and the address to connect to there. */
export interface AcceleratorTarget {
  readonly region: string;
  readonly host: string;
  readonly port: number;
}

/**
 * Asked once per new client connection. `undefined` means no region takes the flow: the client's
 * connection is closed. The caller implements it over its own health state and traffic dials, usually
 * with core/routing's `routeFlow` (see `createAcceleratorRouter`).
 */
export type AcceleratorRoute = (population: string) => AcceleratorTarget | undefined;

export interface AcceleratorListenerOptions {
  /** The population whose clients connect here, e.g. `us-east` or `DE`. */
  readonly population: string;
  /** @default 0 (a free port, chosen by the kernel) */
  readonly port?: number;
}

export interface AcceleratorEdgeOptions {
  /** One stable listener per population, at most 64. */
  readonly listeners: readonly AcceleratorListenerOptions[];
  readonly route: AcceleratorRoute;
  /** A 127.0.0.0/8 address or `localhost`. @default '127.0.0.1' */
  readonly host?: string;
  /** Open flows per listener; more are closed at once and counted as refused. @default 1024 */
  readonly maxConnectionsPerListener?: number;
  /**
   * A flow with no byte in either direction for this long is closed. @default 340 000 (Global
   * Accelerator's TCP idle timeout, 340 s)
   */
  readonly idleTimeoutMs?: number;
  /** A target that has not accepted the connection in this long counts as a failed connect. @default 10 000 */
  readonly connectTimeoutMs?: number;
}

export interface ResolvedAcceleratorOptions {
  readonly listeners: readonly { readonly population: string; readonly port: number }[];
  readonly host: string;
  readonly maxConnectionsPerListener: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export const LISTENERS_MAX = 64;
const POPULATION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 340_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function resolveAcceleratorOptions(options: AcceleratorEdgeOptions): ResolvedAcceleratorOptions {
  if (typeof options.route !== 'function') throw new EdgeConfigError('route', 'must be a function');
  requireInteger('listeners.length', options.listeners.length, 1, LISTENERS_MAX);
  const populations = new Set<string>();
  const listeners = options.listeners.map((listener, index) => {
    const field = `listeners[${index}]`;
    if (!POPULATION_PATTERN.test(listener.population) || populations.has(listener.population)) {
      throw new EdgeConfigError(`${field}.population`, `must be unique, 1-64 letters, digits or . _ : -, got ${JSON.stringify(listener.population)}`);
    }
    populations.add(listener.population);
    return Object.freeze({ population: listener.population, port: requirePort(`${field}.port`, listener.port ?? 0, true) });
  });
  return Object.freeze({
    listeners: Object.freeze(listeners),
    host: requireLoopbackHost('host', options.host ?? '127.0.0.1'),
    maxConnectionsPerListener: requireInteger('maxConnectionsPerListener', options.maxConnectionsPerListener ?? DEFAULT_MAX_CONNECTIONS, 1, 65_536),
    idleTimeoutMs: requireInteger('idleTimeoutMs', options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 1, 3_600_000),
    connectTimeoutMs: requireInteger('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
  });
}

/** A route's answer checked before the edge dials it: loopback only, a real port. */
export function checkTarget(target: AcceleratorTarget): AcceleratorTarget {
  if (typeof target.region !== 'string' || target.region === '') throw new EdgeConfigError('route().region', 'must be a non-empty string');
  return { region: target.region, host: requireLoopbackHost('route().host', target.host), port: requirePort('route().port', target.port, false) };
}
