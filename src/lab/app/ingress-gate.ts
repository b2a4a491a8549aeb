/**
 * An HTTP gate in front of a region's app, for experiments that inject errors: every request (users',
 * the edges', the health checkers') passes through it to the app unchanged, except that while an
 * error-injection fault holds, each request fails with the fault's status with the fault's probability —
 * as the simulator fails a share of the region's requests and health probes. The app itself is untouched,
 * so this works for the sample shop and for any `services.*.command` alike.
 *
 * The gate listens on the app's ingress address (its own port) and reaches the app on a keep-alive pool.
 * When the app does not answer, the request gets 502, as a load balancer with no healthy target would.
 */
import { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse, Agent, createServer, request as httpRequest } from 'node:http';
import { closeServer, listen } from '../http-listen.ts';

export interface IngressGateOptions {
  /** The app's ingress address: the gate listens there, on a port of its own, and reaches the app there. */
  readonly host: string;
  readonly targetPort: number;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface IngressGate {
  readonly host: string;
  readonly port: number;
  /** Requests failed on purpose, and passed through, since the gate started. */
  readonly counts: { injected: number; passed: number; appUnreachable: number };
  /** Fails each request with `status` with probability `errorRate` (0 stops). */
  setErrors(errorRate: number, status: number): void;
  close(): Promise<void>;
}

/** Pooled connections to the app at most; requests beyond wait for one. */
const APP_CONNECTIONS_MAX = 256;
/** How long a pooled connection to the app may idle. */
const POOLED_IDLE_MS = 4000;

export async function startIngressGate(options: IngressGateOptions): Promise<IngressGate> {
  const random = options.random ?? Math.random;
  // Idle pooled sockets close before a typical app's keep-alive timeout (Node's is 5 s), so the gate
  // rarely reuses one the app is closing.
  const agent = new Agent({ keepAlive: true, maxSockets: APP_CONNECTIONS_MAX, timeout: POOLED_IDLE_MS });
  const counts = { injected: 0, passed: 0, appUnreachable: 0 };
  let errorRate = 0;
  let status = 503;

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, retried = false) => {
    let viewerGone = false;
    const upstream = httpRequest(
      { host: options.host, port: options.targetPort, method: incoming.method, path: incoming.url, headers: endToEnd(incoming.headers), agent },
      (answer) => {
        counts.passed += 1;
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(outgoing);
        answer.on('error', () => outgoing.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (viewerGone) return;
      if (outgoing.headersSent) {
        outgoing.destroy();
        return;
      }
      // A pooled connection the app closed as we reused it: a request without a body is sent again, once.
      if (upstream.reusedSocket && error.code === 'ECONNRESET' && !retried && (incoming.method === 'GET' || incoming.method === 'HEAD')) {
        forward(incoming, outgoing, true);
        return;
      }
      counts.appUnreachable += 1;
      reply(outgoing, 502, 'the app does not answer');
    });
    // A viewer that goes away takes its request to the app with it.
    outgoing.on('close', () => {
      if (outgoing.writableFinished) return;
      viewerGone = true;
      upstream.destroy();
    });
    if (retried) upstream.end();
    else incoming.pipe(upstream);
  };

  const server = createServer((incoming, outgoing) => {
    if (errorRate > 0 && random() < errorRate) {
      counts.injected += 1;
      // The request body is read and dropped, so the connection stays usable for the next request.
      incoming.resume();
      incoming.on('end', () => reply(outgoing, status, 'error injected by the experiment'));
      return;
    }
    forward(incoming, outgoing);
  });
  server.keepAliveTimeout = 30_000;
  await listen(server, options.host, 0);
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the ingress gate has no address');
  const port = address.port;
  return {
    host: options.host,
    port,
    counts,
    setErrors(rate, code) {
      if (!(rate >= 0 && rate <= 1)) throw new Error(`error rate must be from 0 to 1, got ${rate}`);
      if (!Number.isInteger(code) || code < 100 || code > 599) throw new Error(`status must be an HTTP status, got ${code}`);
      errorRate = rate;
      status = code;
    },
    async close() {
      await closeServer(server);
      agent.destroy();
    },
  };
}

/** Headers of one connection only (RFC 9110 §7.6.1), which a proxy must not pass on: its own and those `Connection` names. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.includes(name)));
}

function reply(outgoing: ServerResponse, status: number, message: string): void {
  const body = `${JSON.stringify({ error: message })}\n`;
  outgoing.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  outgoing.end(body);
}
