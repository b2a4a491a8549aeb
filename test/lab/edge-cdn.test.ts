/**
 * The CDN edge on real loopback sockets, in front of two origins the test runs: what is cached and for
 * how long (the clock is the test's), which origin answers when the primary fails (core/routing's
 * origin-group rules: status codes, refused connections, timeouts, GET/HEAD/OPTIONS only), the cache's
 * bounds, and viewers that vanish mid-request or mid-answer. What is asserted is who answered and what is
 * left open, never how fast; the one timeout test waits the core's minimum response timeout (1 s).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCdnEdge, type CdnEdge, type CdnEdgeOptions } from '../../src/lab/edge/cdn-edge.ts';
import { EdgeConfigError } from '../../src/lab/edge/edge-errors.ts';
import { freshnessLifetimeSeconds } from '../../src/lab/edge/cache-policy.ts';

/** No test may hang: a broken edge fails within this. */
const BOUNDED = { timeout: 30_000 };

/** Every server, socket and timer a test opened is closed by its end. */
after(async () => {
  await sleep(50);
  const leaks = process.getActiveResourcesInfo().filter((resource) => /TCP|Timeout|Immediate/.test(resource));
  assert.deepEqual(leaks, []);
});

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface Origin {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** Requests received, in order. */
  readonly seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  handler: Handler;
  close(): Promise<void>;
}

/** Answers `<name> <method> <url>` with the cache-control the test sets, by default none. */
async function startOrigin(name: string): Promise<Origin> {
  const origin: Origin = {
    name,
    port: 0,
    server: createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        origin.seen.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
        origin.handler(request, response);
      });
    }),
    seen: [],
    handler: (request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`${name} ${request.method} ${request.url}`),
    close: async () => {
      origin.server.closeAllConnections();
      await new Promise<void>((resolve) => origin.server.close(() => resolve()));
    },
  };
  origin.server.listen({ host: '127.0.0.1', port: 0 });
  await once(origin.server, 'listening');
  (origin as { port: number }).port = (origin.server.address() as { port: number }).port;
  return origin;
}

/** A port nothing listens on: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request on its own connection (no agent: nothing stays open afterwards). */
function fetchText(edge: CdnEdge, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: edge.host, port: edge.port, path, method: init.method ?? 'GET', headers: init.headers, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode!, headers: incoming.headers, body: Buffer.concat(chunks).toString() }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadlineMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

interface Setup {
  readonly edge: CdnEdge;
  readonly primary: Origin;
  readonly secondary: Origin;
  readonly clock: { nowMs: number };
}

/** Two origins and an edge in front of them; everything is closed afterwards, and nothing may stay open. */
async function withCdn(options: Partial<CdnEdgeOptions> & { primaryPort?: number }, body: (setup: Setup) => Promise<void>): Promise<void> {
  const primary = await startOrigin('primary');
  const secondary = await startOrigin('secondary');
  const clock = { nowMs: 1_700_000_000_000 };
  const edge = await startCdnEdge({
    origins: { primary: { host: '127.0.0.1', port: options.primaryPort ?? primary.port }, secondary: { host: '127.0.0.1', port: secondary.port } },
    nowMs: () => clock.nowMs,
    ...options,
  });
  try {
    await body({ edge, primary, secondary, clock });
    await waitFor(async () => (await edge.viewerConnections()) === 0, 'no viewer connection is left');
  } finally {
    await edge.close();
    await primary.close();
    await secondary.close();
  }
}

const cacheFor = (seconds: number): Handler => (request, response) =>
  response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': `public, max-age=${seconds}` }).end(`body of ${request.url}`);

test('a cacheable GET is a miss, then a hit whose Age follows the clock, then a miss once stale', BOUNDED, async () => {
  await withCdn({}, async ({ edge, primary, clock }) => {
    primary.handler = cacheFor(60);
    const first = await fetchText(edge, '/a?x=1', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-cache'], 'Miss from meridian-cdn');
    assert.equal(first.body, 'body of /a?x=1');
    const second = await fetchText(edge, '/a?x=1');
    assert.equal(second.headers['x-cache'], 'Hit from meridian-cdn');
    assert.equal(second.headers.age, '0');
    assert.equal(second.body, 'body of /a?x=1');
    assert.equal(second.headers['cache-control'], 'public, max-age=60');
    clock.nowMs += 5_500;
    const later = await fetchText(edge, '/a?x=1');
    assert.equal(later.headers.age, '5');
    const head = await fetchText(edge, '/a?x=1', { method: 'HEAD' });
    assert.equal(head.headers['x-cache'], 'Hit from meridian-cdn');
    assert.equal(head.body, '');
    assert.equal(primary.seen.length, 1);
    clock.nowMs += 55_000;
    const stale = await fetchText(edge, '/a?x=1');
    assert.equal(stale.headers['x-cache'], 'Miss from meridian-cdn');
    assert.equal(primary.seen.length, 2);
    // What the origin saw: its own Host, the viewer's address appended, the edge named in Via.
    const seen = primary.seen[0]!;
    assert.equal(seen.headers.host, `127.0.0.1:${primary.port}`);
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(seen.headers.via, '1.1 meridian-cdn');
    const stats = edge.stats();
    assert.equal(stats.requests, 5);
    assert.equal(stats.hits, 3);
    assert.equal(stats.misses, 2);
    assert.equal(stats.cache.expired, 1);
    assert.deepEqual(stats.servedBy, { primary: 2, secondary: 0 });
  });
});

test('no-store, private, no-cache, cookies, errors and POST are not cached; the default TTL applies only without max-age', BOUNDED, async () => {
  await withCdn({}, async ({ edge, primary }) => {
    const headersByPath: Record<string, Record<string, string>> = {
      '/no-store': { 'cache-control': 'no-store, max-age=60' },
      '/private': { 'cache-control': 'private, max-age=60' },
      '/no-cache': { 'cache-control': 'no-cache' },
      '/cookie': { 'cache-control': 'max-age=60', 'set-cookie': 'session=1' },
      '/none': {},
    };
    primary.handler = (request, response) => {
      if (request.url === '/missing') return void response.writeHead(404, { 'cache-control': 'max-age=60' }).end('no');
      response.writeHead(200, headersByPath[request.url!] ?? { 'cache-control': 'max-age=60' }).end('ok');
    };
    for (const path of [...Object.keys(headersByPath), '/missing']) {
      await fetchText(edge, path);
      const again = await fetchText(edge, path);
      assert.equal(again.headers['x-cache'], 'Miss from meridian-cdn', path);
    }
    await fetchText(edge, '/posted', { method: 'POST', body: 'x' });
    assert.equal((await fetchText(edge, '/posted')).headers['x-cache'], 'Miss from meridian-cdn');
    assert.equal(edge.stats().hits, 0);
    assert.equal(edge.stats().cache.entries, 1);
  });
  await withCdn({ defaultTtlSeconds: 10 }, async ({ edge, primary, clock }) => {
    primary.handler = (_request, response) => response.writeHead(200).end('ok');
    await fetchText(edge, '/none');
    assert.equal((await fetchText(edge, '/none')).headers['x-cache'], 'Hit from meridian-cdn');
    clock.nowMs += 10_000;
    assert.equal((await fetchText(edge, '/none')).headers['x-cache'], 'Miss from meridian-cdn');
  });
  assert.equal(freshnessLifetimeSeconds('max-age=0, s-maxage=30', { defaultTtlSeconds: 5, maxTtlSeconds: 100 }), 30);
  assert.equal(freshnessLifetimeSeconds('max-age=500', { defaultTtlSeconds: 5, maxTtlSeconds: 100 }), 100);
  assert.equal(freshnessLifetimeSeconds(undefined, { defaultTtlSeconds: 5, maxTtlSeconds: 100 }), 5);
});

test('GET, HEAD and OPTIONS fail over when the primary answers 503; POST gets the 503', BOUNDED, async () => {
  await withCdn({}, async ({ edge, primary, secondary }) => {
    primary.handler = (_request, response) => response.writeHead(503, { 'retry-after': '1' }).end('primary is down');
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const answer = await fetchText(edge, '/fail', { method });
      assert.equal(answer.status, 200, method);
      assert.equal(answer.body, method === 'HEAD' ? '' : `secondary ${method} /fail`);
    }
    const posted = await fetchText(edge, '/fail', { method: 'POST', body: 'order=1' });
    assert.equal(posted.status, 503);
    assert.equal(posted.body, 'primary is down');
    assert.deepEqual(secondary.seen.map((seen) => seen.method), ['GET', 'HEAD', 'OPTIONS']);
    assert.equal(primary.seen.at(-1)?.body, 'order=1');
    const stats = edge.stats();
    assert.equal(stats.failovers, 3);
    assert.deepEqual(stats.servedBy, { primary: 1, secondary: 3 });
    assert.equal(stats.originErrors, 0);
  });
});

test('a refused primary is tried connectionAttempts times, then GET fails over and POST gets 502', BOUNDED, async () => {
  const refused = await closedPort();
  await withCdn({ primaryPort: refused, originGroup: { connectionAttempts: 2 } }, async ({ edge, secondary }) => {
    const answer = await fetchText(edge, '/x');
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'secondary GET /x');
    assert.equal(edge.stats().originErrors, 2);
    const posted = await fetchText(edge, '/x', { method: 'POST', body: 'a' });
    assert.equal(posted.status, 502);
    assert.equal(posted.headers['x-cache'], 'Error from meridian-cdn');
    assert.equal(secondary.seen.length, 1);
    const stats = edge.stats();
    assert.equal(stats.originErrors, 4);
    assert.equal(stats.failovers, 1);
    assert.equal(stats.gatewayErrors, 1);
    assert.equal(stats.lastError?.code, 'ECONNREFUSED');
  });
});

test('both origins refusing: the viewer gets 502', BOUNDED, async () => {
  const refused = await closedPort();
  await withCdn({ primaryPort: refused, originGroup: { connectionAttempts: 1 } }, async ({ edge, secondary }) => {
    await secondary.close();
    const answer = await fetchText(edge, '/x');
    assert.equal(answer.status, 502);
    assert.equal(edge.stats().failovers, 1);
  });
});

test('a primary that never answers times out (core response timeout) and GET fails over; POST gets 504', BOUNDED, async () => {
  await withCdn({ originGroup: { responseTimeoutSeconds: 1, connectionAttempts: 1 } }, async ({ edge, primary, secondary }) => {
    const hanging: ServerResponse[] = [];
    let abandoned = 0;
    primary.handler = (_request, response) => {
      hanging.push(response);
      response.on('close', () => abandoned++);
    };
    const answer = await fetchText(edge, '/slow');
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'secondary GET /slow');
    const posted = await fetchText(edge, '/slow', { method: 'POST', body: 'a' });
    assert.equal(posted.status, 504);
    assert.equal(secondary.seen.length, 1);
    assert.equal(primary.seen.length, 2);
    // The edge gave up on both requests and closed their connections.
    await waitFor(() => abandoned === 2, 'the primary saw both requests abandoned');
    assert.equal(edge.stats().lastError?.code, 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(edge.stats().originErrors, 2);
  });
});

test('the cache is bounded by entries, by bytes and per entry', BOUNDED, async () => {
  await withCdn({ cacheMaxEntries: 2 }, async ({ edge, primary }) => {
    primary.handler = cacheFor(60);
    for (const path of ['/1', '/2', '/3']) await fetchText(edge, path);
    assert.equal((await fetchText(edge, '/3')).headers['x-cache'], 'Hit from meridian-cdn');
    assert.equal((await fetchText(edge, '/1')).headers['x-cache'], 'Miss from meridian-cdn');
    assert.equal(edge.stats().cache.entries, 2);
    assert.equal(edge.stats().cache.evicted, 2);
  });
  await withCdn({ cacheMaxBytes: 3000, cacheMaxEntryBytes: 1500 }, async ({ edge, primary }) => {
    primary.handler = (request, response) =>
      response.writeHead(200, { 'cache-control': 'max-age=60' }).end(request.url === '/big' ? 'b'.repeat(4000) : 'm'.repeat(1000));
    const big = await fetchText(edge, '/big');
    assert.equal(big.body.length, 4000);
    assert.equal((await fetchText(edge, '/big')).headers['x-cache'], 'Miss from meridian-cdn');
    assert.equal(edge.stats().cache.tooLarge, 2);
    for (const path of ['/m1', '/m2', '/m3']) await fetchText(edge, path);
    const cache = edge.stats().cache;
    assert.equal(cache.entries, 2);
    assert.ok(cache.bytes <= 3000);
    assert.equal((await fetchText(edge, '/m1')).headers['x-cache'], 'Miss from meridian-cdn');
  });
});

test('request bodies are bounded: over the limit is 413, with or without Content-Length', BOUNDED, async () => {
  await withCdn({ maxRequestBodyBytes: 1000 }, async ({ edge, primary }) => {
    const declared = await fetchText(edge, '/upload', { method: 'POST', body: Buffer.alloc(2000) });
    assert.equal(declared.status, 413);
    const chunked = await fetchText(edge, '/upload', { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: Buffer.alloc(2000) });
    assert.equal(chunked.status, 413);
    const fits = await fetchText(edge, '/upload', { method: 'POST', body: 'x'.repeat(1000) });
    assert.equal(fits.status, 200);
    assert.equal(primary.seen.length, 1);
    assert.equal(edge.stats().rejected, 2);
  });
  await assert.rejects(startCdnEdge({ origins: { primary: { host: '192.0.2.1', port: 80 }, secondary: { host: '127.0.0.1', port: 80 } } }), EdgeConfigError);
  await assert.rejects(startCdnEdge({ origins: { primary: { host: '127.0.0.1', port: 80 }, secondary: { host: '127.0.0.1', port: 80 } }, originGroup: { connectionAttempts: 4 } }), /connectionAttempts/);
});

/** A raw viewer: connects, writes, and hands the socket back. */
async function rawViewer(edge: CdnEdge, text: string): Promise<Socket> {
  const socket = connect({ host: edge.host, port: edge.port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(text);
  return socket;
}

test('viewers that send half a request and vanish leave nothing open, and the edge keeps serving', BOUNDED, async () => {
  await withCdn({}, async ({ edge, primary }) => {
    for (let round = 0; round < 5; round++) {
      (await rawViewer(edge, 'GET /half HTTP/1.1\r\nHost: edge\r\nX-Partial: ')).destroy();
      (await rawViewer(edge, 'POST /half HTTP/1.1\r\nHost: edge\r\nContent-Length: 1000\r\n\r\nonly ten..')).destroy();
    }
    await waitFor(async () => (await edge.viewerConnections()) === 0, 'the half requests are gone');
    assert.equal(primary.seen.length, 0);
    assert.equal((await fetchText(edge, '/whole')).body, 'primary GET /whole');
  });
});

test('a viewer that vanishes while the answer streams closes the origin request too', BOUNDED, async () => {
  await withCdn({}, async ({ edge, primary }) => {
    const originClosed: boolean[] = [];
    primary.handler = (_request, response) => {
      const chunk = Buffer.alloc(64 * 1024, 'z');
      let sent = 0;
      // Bounded: at most 4096 chunks (256 MiB), far more than the viewer reads before it vanishes.
      const timer = setInterval(() => {
        if (response.destroyed || sent++ >= 4096) return clearInterval(timer);
        response.write(chunk);
      }, 1);
      response.on('close', () => {
        clearInterval(timer);
        originClosed.push(response.writableFinished);
      });
      response.writeHead(200, { 'cache-control': 'max-age=60' });
    };
    const viewer = await rawViewer(edge, 'GET /stream HTTP/1.1\r\nHost: edge\r\n\r\n');
    let received = 0;
    await new Promise<void>((resolve) => {
      viewer.on('data', (data: Buffer) => {
        received += data.length;
        if (received > 256 * 1024) resolve();
      });
    });
    viewer.destroy();
    await waitFor(() => originClosed.length === 1, 'the origin sees its answer abandoned');
    assert.deepEqual(originClosed, [false]);
    await waitFor(() => edge.stats().originConnections.primary === 0, 'the edge holds no origin connection');
    const stats = edge.stats();
    assert.equal(stats.viewerAborts, 1);
    assert.equal(stats.cache.entries, 0);
    assert.equal(stats.originErrors, 0);
  });
});

test('a large answer streams through intact and uncached when over the entry bound', BOUNDED, async () => {
  const body = Buffer.alloc(8 * 1024 * 1024);
  for (let offset = 0; offset < body.length; offset += 4) body.writeUInt32LE(offset, offset);
  await withCdn({}, async ({ edge, primary }) => {
    primary.handler = (_request, response) => response.writeHead(200, { 'cache-control': 'max-age=60' }).end(body);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      httpRequest({ host: edge.host, port: edge.port, path: '/large', agent: false }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve(Buffer.concat(chunks)));
        incoming.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    assert.ok(answer.equals(body));
    assert.equal(edge.stats().cache.entries, 0);
    assert.equal(edge.stats().cache.tooLarge, 1);
  });
});

test('an origin that breaks off or stalls mid-body: the viewer is cut off, nothing is cached, the edge counts it', BOUNDED, async () => {
  await withCdn({ originGroup: { responseTimeoutSeconds: 1 } }, async ({ edge, primary }) => {
    primary.handler = (request, response) => {
      response.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': '100000' });
      response.write('x'.repeat(1000));
      // /reset: the origin's connection is reset; /stall: nothing more ever comes.
      if (request.url === '/reset') setImmediate(() => response.socket?.resetAndDestroy());
    };
    for (const path of ['/reset', '/stall']) {
      const viewer = await rawViewer(edge, `GET ${path} HTTP/1.1\r\nHost: edge\r\n\r\n`);
      let received = 0;
      viewer.on('data', (chunk: Buffer) => (received += chunk.length));
      await once(viewer, 'close');
      assert.ok(received > 1000 && received < 100_000, `${path}: the viewer got a truncated answer (${received} bytes)`);
    }
    const stats = edge.stats();
    assert.equal(stats.originErrors, 2);
    assert.equal(stats.viewerAborts, 0);
    assert.equal(stats.cache.entries, 0);
    await waitFor(() => edge.stats().originConnections.primary === 0, 'the edge holds no origin connection');
  });
});
