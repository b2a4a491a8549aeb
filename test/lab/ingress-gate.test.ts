/**
 * The ingress gate passes requests to the app unchanged, fails the injected share with the fault's
 * status (its draws are the test's, so the share is exact), answers 502 when the app is gone, and the
 * lab's error-injection faults drive it: overlapping injections in a region take the highest rate.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import type { Architecture } from '../../src/advise/architecture.ts';
import type { ResolvedFault } from '../../src/experiments/resolved-experiment.ts';
import { startIngressGate, type IngressGate } from '../../src/lab/app/ingress-gate.ts';
import { LabFaults } from '../../src/lab/chaos/lab-faults.ts';
import { closeServer, listen } from '../../src/lab/http-listen.ts';
import type { Lab } from '../../src/lab/supervisor/lab.ts';
import type { TrafficPlane } from '../../src/lab/supervisor/traffic-plane.ts';

const HOST = '127.0.9.1';

/** An app that echoes the method, path and body it got. */
async function echoApp() {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = () => {
        response.writeHead(200, { 'content-type': 'application/json', 'x-app': 'echo', 'keep-alive': 'timeout=5' });
        response.end(JSON.stringify({ method: request.method, path: request.url, body: Buffer.concat(chunks).toString('utf8'), headers: request.headers }));
      };
      if (request.url === '/slow') setTimeout(reply, 500);
      else reply();
    });
  });
  await listen(server, HOST, 0);
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

describe('ingress gate', async () => {
  const app = await echoApp();
  // Draws cycle through 0.05, 0.15, …, 0.95: a rate r fails exactly the draws below r.
  let draw = 0;
  const gate = await startIngressGate({ host: HOST, targetPort: app.port, random: () => ((draw++ % 10) + 0.5) / 10 });
  after(async () => {
    await gate.close();
    await closeServer(app.server).catch(() => {});
  });
  const url = (path: string) => `http://${HOST}:${gate.port}${path}`;

  it('passes requests through unchanged: method, path, query, body, status and end-to-end headers', async () => {
    const response = await fetch(url('/orders?id=7'), { method: 'POST', body: 'hello', headers: { 'x-trace': 't-1' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-app'), 'echo');
    const echoed = (await response.json()) as { method: string; path: string; body: string; headers: Record<string, string> };
    assert.deepEqual({ method: echoed.method, path: echoed.path, body: echoed.body }, { method: 'POST', path: '/orders?id=7', body: 'hello' });
    assert.equal(echoed.headers['x-trace'], 't-1');
  });

  it('keeps hop-by-hop headers to each connection: neither the viewer\'s nor the app\'s pass', async () => {
    const answer = await new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const request = httpRequest({ host: HOST, port: gate.port, path: '/hop', headers: { connection: 'close, x-private', 'keep-alive': 'timeout=1', 'x-private': 'p', 'x-public': 'q' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('error', reject);
      request.end();
    });
    const seen = (JSON.parse(answer.body) as { headers: Record<string, string> }).headers;
    assert.equal(seen['x-public'], 'q');
    assert.equal(seen['x-private'], undefined, 'a header the viewer named in Connection stays with its connection');
    assert.notEqual(seen.connection, 'close', 'the viewer\'s Connection does not close the pooled socket');
    assert.equal(answer.headers['keep-alive'], undefined, 'the app\'s keep-alive hint is not the gate\'s');
  });

  it('a viewer that leaves before the answer is not counted as an unreachable app', async () => {
    const before = gate.counts.appUnreachable;
    const controller = new AbortController();
    const pending = fetch(url('/slow'), { signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(gate.counts.appUnreachable, before);
  });

  it('fails exactly the injected share with the fault status, then stops when the rate is 0', async () => {
    gate.setErrors(0.3, 500);
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      const response = await fetch(url('/health'), { method: 'POST', body: 'x' });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    assert.equal(statuses.filter((status) => status === 500).length, 6);
    assert.equal(statuses.filter((status) => status === 200).length, 14);
    gate.setErrors(0, 503);
    assert.equal((await fetch(url('/health'))).status, 200);
    assert.throws(() => gate.setErrors(1.5, 503), /error rate must be from 0 to 1/);
  });

  it('answers 502 when the app is gone', async () => {
    await closeServer(app.server);
    const response = await fetch(url('/health'));
    assert.equal(response.status, 502);
    assert.ok(gate.counts.appUnreachable >= 1);
  });
});

describe('error-injection faults on the gates', () => {
  it('overlapping injections in one region: the highest rate holds, and lifting restores the next', async () => {
    const settings: [number, number][] = [];
    const gate = { setErrors: (rate: number, status: number) => settings.push([rate, status]) } as unknown as IngressGate;
    const lab = { regions: new Map([['us-east-1', {}]]), architecture: { primary: 'us-east-1', servingRegions: ['us-east-1'], standbyRegions: [] } as unknown as Architecture } as unknown as Lab;
    const faults = new LabFaults(lab, { gates: new Map([['us-east-1', gate]]), apps: new Map(), places: [] } as unknown as TrafficPlane);
    const inject = (index: number, errorRate: number, status: number): ResolvedFault => ({ index, startMs: 0, endMs: 1000, note: undefined, action: 'error-injection', region: 'primary', errorRate, status });
    assert.equal(await faults.apply(inject(0, 0.2, 503)), "20 % of us-east-1's requests answered 503");
    await faults.apply(inject(1, 0.5, 500));
    await faults.revert(1);
    await faults.revert(0);
    assert.deepEqual(settings, [[0.2, 503], [0.5, 500], [0.2, 503], [0, 503]]);
  });

  it('a lab without gates skips the fault and says so', async () => {
    const lab = { regions: new Map([['us-east-1', {}]]), architecture: { primary: 'us-east-1', servingRegions: ['us-east-1'], standbyRegions: [] } as unknown as Architecture } as unknown as Lab;
    const faults = new LabFaults(lab, { gates: new Map(), apps: new Map(), places: [] } as unknown as TrafficPlane);
    const fault: ResolvedFault = { index: 0, startMs: 0, endMs: 1000, note: undefined, action: 'error-injection', region: 'us-east-1', errorRate: 0.1, status: 503 };
    assert.match(await faults.apply(fault), /no ingress gate in this lab \(skipped\)/);
  });
});
