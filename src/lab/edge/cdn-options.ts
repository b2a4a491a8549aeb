/**
 * The CDN edge's options as callers write them, resolved once into a frozen ResolvedCdnOptions. The
 * origin group's timeouts, attempts and failover status codes are core/routing's
 * (`resolveOriginGroupConfig`), so the lab and the simulator read the same settings the same way.
 */
import { resolveOriginGroupConfig, type OriginGroupConfig, type OriginGroupOptions } from '../../core/routing/cloudfront-origin-group.ts';
import { EdgeConfigError } from './edge-errors.ts';
import { requireInteger, requireLoopbackHost, requirePort } from './edge-option-checks.ts';

export interface OriginAddress {
  readonly host: string;
  readonly port: number;
}

export interface CdnEdgeOptions {
  /** The origin group: each address a region's service or the WAN link in front of it. */
  readonly origins: { readonly primary: OriginAddress; readonly secondary: OriginAddress };
  /** Failover status codes, connection timeout and attempts, response timeout. @default CloudFront's */
  readonly originGroup?: OriginGroupOptions;
  /** A 127.0.0.0/8 address or `localhost`. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port, chosen by the kernel) */
  readonly port?: number;
  /** Lifetime of a GET 200 without max-age or s-maxage. @default 0 (not cached) */
  readonly defaultTtlSeconds?: number;
  /** @default 31 536 000 (one year, CloudFront's default maximum TTL) */
  readonly maxTtlSeconds?: number;
  /** @default 1000 */
  readonly cacheMaxEntries?: number;
  /** @default 64 MiB */
  readonly cacheMaxBytes?: number;
  /** A larger response is streamed to the viewer and not stored. @default 1 MiB */
  readonly cacheMaxEntryBytes?: number;
  /** A larger request body gets 413. Bodies are held whole, so an attempt can be repeated. @default 1 MiB */
  readonly maxRequestBodyBytes?: number;
  /** Open viewer connections; more are closed at once. @default 1024 */
  readonly maxConnections?: number;
  /** Connections the edge keeps to each origin. @default 128 */
  readonly maxOriginConnections?: number;
  /** A viewer must send a whole request (headers and body) within this. @default 30 000 */
  readonly viewerRequestTimeoutMs?: number;
  /** An idle keep-alive viewer connection is closed after this. @default 5 000 */
  readonly viewerKeepAliveTimeoutMs?: number;
  /** Wall clock for Age and expiry; tests pass their own. @default Date.now */
  readonly nowMs?: () => number;
  /** In `X-Cache: Hit from <name>` and `Via`. @default 'meridian-cdn' */
  readonly name?: string;
}

export interface ResolvedCdnOptions {
  readonly origins: { readonly primary: OriginAddress; readonly secondary: OriginAddress };
  readonly originGroup: OriginGroupConfig;
  readonly host: string;
  readonly port: number;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly cacheMaxEntries: number;
  readonly cacheMaxBytes: number;
  readonly cacheMaxEntryBytes: number;
  readonly maxRequestBodyBytes: number;
  readonly maxConnections: number;
  readonly maxOriginConnections: number;
  readonly viewerRequestTimeoutMs: number;
  readonly viewerKeepAliveTimeoutMs: number;
  readonly nowMs: () => number;
  readonly name: string;
}

const MIB = 1024 * 1024;
const YEAR_SECONDS = 31_536_000;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function origin(field: string, address: OriginAddress | undefined): OriginAddress {
  if (address === undefined) throw new EdgeConfigError(field, 'is required');
  return Object.freeze({ host: requireLoopbackHost(`${field}.host`, address.host), port: requirePort(`${field}.port`, address.port, false) });
}

export function resolveCdnOptions(options: CdnEdgeOptions): ResolvedCdnOptions {
  const name = options.name ?? 'meridian-cdn';
  if (!NAME_PATTERN.test(name)) throw new EdgeConfigError('name', `must be 1-64 letters, digits or . _ -, got ${JSON.stringify(name)}`);
  const cacheMaxBytes = requireInteger('cacheMaxBytes', options.cacheMaxBytes ?? 64 * MIB, 1, 4096 * MIB);
  const cacheMaxEntryBytes = requireInteger('cacheMaxEntryBytes', options.cacheMaxEntryBytes ?? Math.min(MIB, cacheMaxBytes), 1, cacheMaxBytes);
  const nowMs = options.nowMs ?? Date.now;
  if (typeof nowMs !== 'function') throw new EdgeConfigError('nowMs', 'must be a function');
  return Object.freeze({
    origins: Object.freeze({ primary: origin('origins.primary', options.origins?.primary), secondary: origin('origins.secondary', options.origins?.secondary) }),
    originGroup: resolveOriginGroupConfig(options.originGroup),
    host: requireLoopbackHost('host', options.host ?? '127.0.0.1'),
    port: requirePort('port', options.port ?? 0, true),
    defaultTtlSeconds: requireInteger('defaultTtlSeconds', options.defaultTtlSeconds ?? 0, 0, YEAR_SECONDS * 100),
    maxTtlSeconds: requireInteger('maxTtlSeconds', options.maxTtlSeconds ?? YEAR_SECONDS, 0, YEAR_SECONDS * 100),
    cacheMaxEntries: requireInteger('cacheMaxEntries', options.cacheMaxEntries ?? 1000, 1, 1_000_000),
    cacheMaxBytes,
    cacheMaxEntryBytes,
    maxRequestBodyBytes: requireInteger('maxRequestBodyBytes', options.maxRequestBodyBytes ?? MIB, 0, 1024 * MIB),
    maxConnections: requireInteger('maxConnections', options.maxConnections ?? 1024, 1, 65_536),
    maxOriginConnections: requireInteger('maxOriginConnections', options.maxOriginConnections ?? 128, 1, 4096),
    viewerRequestTimeoutMs: requireInteger('viewerRequestTimeoutMs', options.viewerRequestTimeoutMs ?? 30_000, 1, 3_600_000),
    viewerKeepAliveTimeoutMs: requireInteger('viewerKeepAliveTimeoutMs', options.viewerKeepAliveTimeoutMs ?? 5_000, 1, 3_600_000),
    nowMs,
    name,
  });
}
