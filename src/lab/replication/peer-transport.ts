import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

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
/** A peer that does not answer in this long is treated as unreachable for this batch. */
const SEND_TIMEOUT_MS = 10_000;

export interface PeerServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startPeerServer(onMessages: (envelopes: readonly PeerEnvelope[]) => void, metrics: () => unknown = () => ({}), port = 0): Promise<PeerServer> {
  const server: Server = createServer((incoming, response) => {
    if (incoming.method === 'GET' && incoming.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(metrics())}\n`);
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
      onMessages(envelopes);
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

/** Sends batches to peers by region; a failed send is dropped (the engines resend from their logs). */
export class PeerClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  private peers = new Map<string, string>();
  /** Sends that failed (unreachable peer, partition, timeout), for the region's metrics. */
  failures = 0;

  setPeers(peers: Readonly<Record<string, string>>): void {
    this.peers = new Map(Object.entries(peers));
  }

  async send(region: string, envelopes: readonly PeerEnvelope[]): Promise<boolean> {
    const base = this.peers.get(region);
    if (!base || envelopes.length === 0) return false;
    try {
      const response = await request(`${base}/replicate`, {
        method: 'POST',
        dispatcher: this.agent,
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

  async close(): Promise<void> {
    await this.agent.close();
  }
}
