import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResolverCache, evictExpired, lookup, resolverCacheKey, store, type ResolverCache } from './resolver-cache.ts';
import { RoutingConfigError } from './routing-errors.ts';

const NAME = 'app.example.com';
const east = { targets: ['us-east-1'], ttlSeconds: 60 };

describe('resolver cache', () => {
  test('a miss, then hits until the TTL runs out, then a miss', () => {
    const empty = createResolverCache();
    assert.deepEqual(lookup(empty, NAME, 0), { kind: 'miss' });
    const cache = store(empty, NAME, east, 1_000);
    const cases: [number, ReturnType<typeof lookup>][] = [
      [1_000, { kind: 'hit', answer: { targets: ['us-east-1'], ttlSeconds: 60 } }],
      [31_000, { kind: 'hit', answer: { targets: ['us-east-1'], ttlSeconds: 30 } }],
      [60_500, { kind: 'hit', answer: { targets: ['us-east-1'], ttlSeconds: 1 } }],
      [61_000, { kind: 'miss' }],
      [90_000, { kind: 'miss' }],
    ];
    for (const [nowMs, expected] of cases) assert.deepEqual(lookup(cache, NAME, nowMs), expected, `at ${nowMs} ms`);
  });

  test('the old answer is served until expiry even after the authority changed its mind (DNS failover lag)', () => {
    let cache = store(createResolverCache(), NAME, east, 0);
    const west = { targets: ['us-west-2'], ttlSeconds: 60 };
    assert.deepEqual(lookup(cache, NAME, 59_999), { kind: 'hit', answer: { targets: ['us-east-1'], ttlSeconds: 1 } });
    assert.equal(lookup(cache, NAME, 60_000).kind, 'miss');
    cache = store(cache, NAME, west, 60_000);
    assert.deepEqual(lookup(cache, NAME, 60_000), { kind: 'hit', answer: west });
  });

  test('names are case-insensitive and ignore the trailing dot; client subnets are separate entries', () => {
    const cache = store(createResolverCache(), 'App.Example.COM.', east, 0, '203.0.113.0/24');
    assert.equal(lookup(cache, NAME, 0, '203.0.113.0/24').kind, 'hit');
    assert.equal(lookup(cache, NAME, 0).kind, 'miss');
    assert.equal(resolverCacheKey('A.example.com.'), 'a.example.com');
  });

  test('TTL 0 is not cached; a negative (empty) answer is cached under its TTL', () => {
    assert.equal(store(createResolverCache(), NAME, { targets: ['us-east-1'], ttlSeconds: 0 }, 0).entries.size, 0);
    const cache = store(createResolverCache(), NAME, { targets: [], ttlSeconds: 900 }, 0);
    assert.deepEqual(lookup(cache, NAME, 899_000), { kind: 'hit', answer: { targets: [], ttlSeconds: 1 } });
  });

  test('a resolver floor stretches short TTLs and a cap shortens long ones', () => {
    const stretching = store(createResolverCache({ minTtlSeconds: 300 }), NAME, east, 0);
    assert.equal(lookup(stretching, NAME, 299_000).kind, 'hit');
    const capped = store(createResolverCache({ maxTtlSeconds: 30 }), NAME, east, 0);
    assert.equal(lookup(capped, NAME, 30_000).kind, 'miss');
  });

  test('bounded: when full, expired entries go first, then the one with least life left', () => {
    let cache: ResolverCache = createResolverCache({ maxEntries: 2 });
    cache = store(cache, 'short.example.com', { targets: ['a'], ttlSeconds: 10 }, 0);
    cache = store(cache, 'long.example.com', { targets: ['b'], ttlSeconds: 100 }, 0);
    cache = store(cache, 'new.example.com', { targets: ['c'], ttlSeconds: 50 }, 1_000);
    assert.deepEqual([...cache.entries.keys()].sort(), ['long.example.com', 'new.example.com']);
    cache = store(cache, 'newest.example.com', { targets: ['d'], ttlSeconds: 50 }, 2_000);
    assert.deepEqual([...cache.entries.keys()].sort(), ['long.example.com', 'newest.example.com']);
    // At 60 s 'newest' (expired at 52 s) is dropped first; 'long' lives until 100 s and stays.
    const afterExpiry = store(cache, 'later.example.com', { targets: ['e'], ttlSeconds: 50 }, 60_000);
    assert.deepEqual([...afterExpiry.entries.keys()].sort(), ['later.example.com', 'long.example.com']);
  });

  test('re-storing a name replaces it without evicting another entry', () => {
    let cache = store(createResolverCache({ maxEntries: 2 }), 'a.example.com', east, 0);
    cache = store(cache, 'b.example.com', east, 0);
    cache = store(cache, 'a.example.com', { targets: ['eu-west-1'], ttlSeconds: 60 }, 1_000);
    assert.equal(cache.entries.size, 2);
    assert.deepEqual(lookup(cache, 'a.example.com', 1_000), { kind: 'hit', answer: { targets: ['eu-west-1'], ttlSeconds: 60 } });
  });

  test('evictExpired keeps only live entries and returns the same cache when nothing expired', () => {
    const cache = store(store(createResolverCache(), 'a.example.com', { targets: ['x'], ttlSeconds: 10 }, 0), 'b.example.com', east, 0);
    assert.deepEqual([...evictExpired(cache, 10_000).entries.keys()], ['b.example.com']);
    assert.equal(evictExpired(cache, 0), cache);
  });

  test('rejects bounds outside their ranges', () => {
    assert.throws(() => createResolverCache({ maxEntries: 0 }), RoutingConfigError);
    assert.throws(() => createResolverCache({ minTtlSeconds: 100, maxTtlSeconds: 10 }), RoutingConfigError);
  });
});
