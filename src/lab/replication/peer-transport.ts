import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, buildConnector, request } from 'undici';

/**
 * Replication messages between region processes: one HTTP POST per batch of messages, on keep-alive
 * connections that go through the WAN link of each pair of regions (so they pay its round trip, its
 * faults and its byte counters). The receiving side hands each message to the table's engine; what a
 * message means is core/replication's business, not the transport's.
 */
export interface PeerEnvelope {
  readonly table: string;
  readonly from: string;
  readonly message: unknown;
}

/** A batch larger than this is refused: a bound, far above what the engines send. */
const BATCH_BYTES_MAX = 32 * 1024 * 1024;
/** Control commands are a few fields. */
const CONTROL_BYTES_MAX = 64 * 1024;
/** A peer that does not answer in this long is treated as unreachable for this batch. */
const SEND_TIMEOUT_MS = 10_000;

export interface PeerServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface PeerServerHandlers {
  /** Replication messages from a peer region (through a WAN link). */
  readonly onMessages: (envelopes: readonly PeerEnvelope[]) => void;
  /** GET /metrics: the region's replication figures. */
  readonly metrics: () => unknown;
  /**
   * POST /control: a control-plane command from the supervisor (on loopback, not through a link).
   * Resolves to [status, body].
   */
  readonly control: (body: unknown) => Promise<readonly [number, unknown]>;
}

export async function startPeerServer(handlers: PeerServerHandlers, port = 0): Promise<PeerServer> {
  const server: Server = createServer((incoming, response) => {
    if (incoming.method === 'GET' && incoming.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(handlers.metrics())}\n`);
      return;
    }
    if (incoming.method === 'POST' && incoming.url === '/control') {
      readJson(incoming, (body) =>
        handlers.control(body).then(
          ([status, answer]) => response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(answer)}\n`),
          (error: unknown) => response.writeHead(500, { 'content-type': 'application/json' }).end(`${JSON.stringify({ error: String(error) })}\n`),
        ),
        () => response.writeHead(400).end(),
      );
      return;
    }
    if (incoming.method !== 'POST' || incoming.url !== '/replicate') {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BATCH_BYTES_MAX) incoming.destroy();
      else chunks.push(chunk);
    });
    incoming.on('end', () => {
      let envelopes: PeerEnvelope[];
      try {
        envelopes = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PeerEnvelope[];
        if (!Array.isArray(envelopes)) throw new Error('not an array');
      } catch {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(204).end();
      handlers.onMessages(envelopes);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads a small JSON body (a control command). */
function readJson(incoming: IncomingMessage, onBody: (body: unknown) => void, onBad: () => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  incoming.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > CONTROL_BYTES_MAX) incoming.destroy();
    else chunks.push(chunk);
  });
  incoming.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return onBad();
    }
    onBody(body);
  });
}

/** Requests in flight per peer and table; further messages wait and leave together. */
const CHANNEL_IN_FLIGHT_MAX = 8;
/** Messages waiting per peer and table, at most. */
const CHANNEL_QUEUE_MAX = 100_000;

interface Channel {
  readonly region: string;
  readonly table: string;
  queued: PeerEnvelope[];
  inFlight: number;
  scheduled: boolean;
}

/** Told the local port of every new connection to a peer that carries one table: the link tags it. */
export type ConnectionTagger = (toRegion: string, localPort: number, table: string) => void;

/**
 * Sends batches to peers by region; a failed send is dropped (the engines resend from their logs).
 * Each table has its own connections to each peer, and each new connection is reported to the tagger,
 * so that the link between the two regions counts every byte of a table under the table's name (the
 * residency check and the transfer cost per data class read those counters).
 */
export class PeerClient {
  private readonly agents = new Map<string, Agent>();
  private peers = new Map<string, string>();
  /** Sends that failed (unreachable peer, partition, timeout), for the region's metrics. */
  failures = 0;

  constructor(private readonly tagger: ConnectionTagger = () => {}) {}

  setPeers(peers: Readonly<Record<string, string>>): void {
    this.peers = new Map(Object.entries(peers));
  }

  private readonly channels = new Map<string, Channel>();
  /** Envelopes dropped because a channel's queue was full (the engines resend from their logs). */
  dropped = 0;

  /**
   * Queues one table's envelopes for a peer. Whatever is queued leaves in one POST as soon as the
   * channel has a free request slot (at most CHANNEL_IN_FLIGHT_MAX per peer and table): at a high write
   * rate batches grow while requests are in flight, at a low one each message leaves right away.
   */
  enqueue(region: string, table: string, envelopes: readonly PeerEnvelope[]): void {
    const name = `${region}\u0000${table}`;
    let channel = this.channels.get(name);
    if (channel === undefined) this.channels.set(name, (channel = { region, table, queued: [], inFlight: 0, scheduled: false }));
    const room = CHANNEL_QUEUE_MAX - channel.queued.length;
    if (envelopes.length > room) this.dropped += envelopes.length - Math.max(0, room);
    channel.queued.push(...envelopes.slice(0, Math.max(0, room)));
    this.pump(channel);
  }

  /** Starts a POST of everything queued after the current turn of the event loop, if a slot is free. */
  private pump(channel: Channel): void {
    if (channel.scheduled || channel.inFlight >= CHANNEL_IN_FLIGHT_MAX || channel.queued.length === 0) return;
    channel.scheduled = true;
    setImmediate(() => {
      channel.scheduled = false;
      if (channel.inFlight >= CHANNEL_IN_FLIGHT_MAX || channel.queued.length === 0) return;
      const batch = channel.queued;
      channel.queued = [];
      channel.inFlight += 1;
      void this.send(channel.region, channel.table, batch).finally(() => {
        channel.inFlight -= 1;
        this.pump(channel);
      });
    });
  }

  /** Sends one table's envelopes to a peer in one POST now. */
  async send(region: string, table: string, envelopes: readonly PeerEnvelope[]): Promise<boolean> {
    const base = this.peers.get(region);
    if (!base || envelopes.length === 0) return false;
    try {
      const response = await request(`${base}/replicate`, {
        method: 'POST',
        dispatcher: this.agentFor(region, table),
        body: JSON.stringify(envelopes),
        headers: { 'content-type': 'application/json' },
        headersTimeout: SEND_TIMEOUT_MS,
        bodyTimeout: SEND_TIMEOUT_MS,
      });
      await response.body.dump();
      return response.statusCode === 204;
    } catch {
      this.failures += 1;
      return false;
    }
  }

  private agentFor(region: string, table: string): Agent {
    const name = `${region}\u0000${table}`;
    let agent = this.agents.get(name);
    if (agent === undefined) {
      const connector = buildConnector({});
      agent = new Agent({
        keepAliveTimeout: 30_000,
        connections: CHANNEL_IN_FLIGHT_MAX,
        connect: (options, callback) =>
          connector(options, (error, socket) => {
            if (error === null && socket.localPort !== undefined) this.tagger(region, socket.localPort, table);
            callback(error, socket as never);
          }),
      });
      this.agents.set(name, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.agents.values()].map((agent) => agent.close()));
  }
}
