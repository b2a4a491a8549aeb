import { TTL_SECONDS_MAX, type DnsAnswer } from './record-set.ts';
import { requireIntegerInRange } from './routing-errors.ts';

/**
 * A recursive resolver's cache: the reason DNS failover takes health-check detection PLUS the record
 * TTL. Answers (including empty "no answer" ones, under their negative TTL) are kept until their TTL
 * runs out; a hit returns the remaining TTL, as a resolver does downstream.
 *
 * Keys are the lower-cased name without its trailing dot, plus the EDNS client subnet when the
 * resolver sends one (Route 53 may answer each subnet differently).
 *
 * Size is bounded. When full, expired entries go first, then the entry closest to expiry (then the
 * oldest, then by key), so eviction is deterministic and drops the entry that had least life left.
 */
export interface ResolverCacheOptions {
  /** @default 10_000 */
  readonly maxEntries?: number;
  /** Resolvers that raise short TTLs (a known cause of slow failover) use a floor here. @default 0 */
  readonly minTtlSeconds?: number;
  /** Resolvers cap long TTLs; one day is common. @default 86_400 */
  readonly maxTtlSeconds?: number;
}

export interface ResolverCacheConfig {
  readonly maxEntries: number;
  readonly minTtlSeconds: number;
  readonly maxTtlSeconds: number;
}

export interface ResolverCacheEntry {
  readonly answer: DnsAnswer;
  readonly storedAtMs: number;
  readonly expiresAtMs: number;
}

export interface ResolverCache {
  readonly config: ResolverCacheConfig;
  readonly entries: ReadonlyMap<string, ResolverCacheEntry>;
}

export type CacheLookup = { readonly kind: 'hit'; readonly answer: DnsAnswer } | { readonly kind: 'miss' };

export const RESOLVER_CACHE_ENTRIES_MAX = 1_000_000;

export function createResolverCache(options: ResolverCacheOptions = {}): ResolverCache {
  const minTtlSeconds = requireIntegerInRange('minTtlSeconds', options.minTtlSeconds ?? 0, 0, TTL_SECONDS_MAX);
  const config: ResolverCacheConfig = {
    maxEntries: requireIntegerInRange('maxEntries', options.maxEntries ?? 10_000, 1, RESOLVER_CACHE_ENTRIES_MAX),
    minTtlSeconds,
    maxTtlSeconds: requireIntegerInRange('maxTtlSeconds', options.maxTtlSeconds ?? 86_400, minTtlSeconds, TTL_SECONDS_MAX),
  };
  return { config, entries: new Map() };
}

export function resolverCacheKey(name: string, clientSubnet?: string): string {
  const normalized = name.toLowerCase().replace(/\.$/, '');
  return clientSubnet === undefined ? normalized : `${normalized}|${clientSubnet}`;
}

/** A hit while nowMs is before expiry; the answer carries the remaining TTL, rounded up. */
export function lookup(cache: ResolverCache, name: string, nowMs: number, clientSubnet?: string): CacheLookup {
  const entry = cache.entries.get(resolverCacheKey(name, clientSubnet));
  if (entry === undefined || nowMs >= entry.expiresAtMs) return { kind: 'miss' };
  return { kind: 'hit', answer: { targets: entry.answer.targets, ttlSeconds: Math.ceil((entry.expiresAtMs - nowMs) / 1000) } };
}

/** Caches an answer under its TTL (clamped by the resolver's floor and cap); a TTL of 0 is not cached. */
export function store(cache: ResolverCache, name: string, answer: DnsAnswer, nowMs: number, clientSubnet?: string): ResolverCache {
  const ttlSeconds = Math.min(cache.config.maxTtlSeconds, Math.max(cache.config.minTtlSeconds, answer.ttlSeconds));
  if (ttlSeconds <= 0) return cache;
  const key = resolverCacheKey(name, clientSubnet);
  const entries = new Map(cache.entries);
  entries.delete(key);
  if (entries.size >= cache.config.maxEntries) evict(entries, nowMs, cache.config.maxEntries - 1);
  entries.set(key, { answer: { targets: [...answer.targets], ttlSeconds }, storedAtMs: nowMs, expiresAtMs: nowMs + ttlSeconds * 1000 });
  return { config: cache.config, entries };
}

/** Drops expired entries; the shell may call it periodically to keep memory down. */
export function evictExpired(cache: ResolverCache, nowMs: number): ResolverCache {
  const entries = new Map([...cache.entries].filter(([, entry]) => nowMs < entry.expiresAtMs));
  return entries.size === cache.entries.size ? cache : { config: cache.config, entries };
}

function evict(entries: Map<string, ResolverCacheEntry>, nowMs: number, keepAtMost: number): void {
  for (const [key, entry] of entries) if (nowMs >= entry.expiresAtMs) entries.delete(key);
  const byLeastLifeLeft = [...entries].sort(
    ([keyA, a], [keyB, b]) => a.expiresAtMs - b.expiresAtMs || a.storedAtMs - b.storedAtMs || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0),
  );
  for (const [key] of byLeastLifeLeft.slice(0, Math.max(0, entries.size - keepAtMost))) entries.delete(key);
}
