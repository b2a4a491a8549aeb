/**
 * What a shared cache may keep, decided from headers alone (pure: no I/O, no clock). CloudFront's
 * reading of `Cache-Control` with a default and a maximum TTL: `s-maxage` beats `max-age` (it is meant
 * for shared caches), `no-store`, `private` and `no-cache` keep a response out of the cache, and a
 * response without either age gets the default TTL (0 by default: not cached).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
 *
 * Our simplifications: only GET 200 responses are stored; a response that sets a cookie or varies is not
 * (the cache key is the path and query alone); a request with `Authorization` or `Range` bypasses the
 * cache both ways; `Expires` is not read.
 */

export interface CachePolicy {
  /** Lifetime for responses that give none. 0: such responses are not cached. */
  readonly defaultTtlSeconds: number;
  /** No response is kept longer than this, whatever its max-age. */
  readonly maxTtlSeconds: number;
}

/** Header values as node:http and undici give them: lowercase names, a list for repeated ones. */
export type HeaderValue = string | readonly string[] | undefined;

const SKIP_DIRECTIVES = new Set(['no-store', 'private', 'no-cache']);

/** Parsed `Cache-Control`: directive names lowercased, `name=value` values unquoted. */
export function parseCacheControl(value: HeaderValue): ReadonlyMap<string, string> {
  const directives = new Map<string, string>();
  const text = typeof value === 'string' ? value : value === undefined ? '' : value.join(',');
  for (const part of text.split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName!.trim().toLowerCase();
    if (name === '') continue;
    const rawValue = rest.join('=').trim();
    directives.set(name, rawValue.startsWith('"') && rawValue.endsWith('"') && rawValue.length >= 2 ? rawValue.slice(1, -1) : rawValue);
  }
  return directives;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  return Number(value);
}

/** How long a response may be served from the cache, in whole seconds; 0 means do not store it. */
export function freshnessLifetimeSeconds(cacheControl: HeaderValue, policy: CachePolicy): number {
  const directives = parseCacheControl(cacheControl);
  for (const name of SKIP_DIRECTIVES) if (directives.has(name)) return 0;
  const lifetime = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age')) ?? policy.defaultTtlSeconds;
  return Math.min(lifetime, policy.maxTtlSeconds);
}

/** Whether a request may be answered from the cache or fill it: GET and HEAD, no credentials, no ranges. */
export function requestUsesCache(method: string, headers: { readonly authorization?: HeaderValue; readonly range?: HeaderValue }): boolean {
  return (method === 'GET' || method === 'HEAD') && headers.authorization === undefined && headers.range === undefined;
}

/** Whether an origin's answer to a GET may be stored, given its lifetime. */
export function responseIsStorable(
  method: string,
  status: number,
  headers: { readonly 'set-cookie'?: HeaderValue; readonly vary?: HeaderValue },
  lifetimeSeconds: number,
): boolean {
  return method === 'GET' && status === 200 && lifetimeSeconds > 0 && headers['set-cookie'] === undefined && headers.vary === undefined;
}

/** The origin's own `Age` (time the response already spent in caches upstream), 0 when absent or malformed. */
export function initialAgeSeconds(age: HeaderValue): number {
  const value = typeof age === 'string' ? age : age?.[0];
  return seconds(value?.trim()) ?? 0;
}

/** The `Age` a stored response has now: what it came with plus whole seconds since it was stored. */
export function currentAgeSeconds(initialAge: number, storedAtMs: number, nowMs: number): number {
  return initialAge + Math.max(0, Math.floor((nowMs - storedAtMs) / 1000));
}
