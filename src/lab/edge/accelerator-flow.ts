/**
 * One flow through the accelerator edge: the client's socket, the socket to the region's endpoint, and
 * bytes copied both ways as they come, with no parsing. Reading from one side pauses while the other
 * side's send buffer is full and resumes when it drains, so a slow reader never makes the edge buffer
 * more than one socket's high-water mark per direction. A FIN from one side is passed on as a FIN (the
 * other direction keeps going), a reset is passed on as a reset, and any other error closes both.
 */
import { connect, type Socket } from 'node:net';
import type { AcceleratorTarget } from './accelerator-options.ts';

/** The listener's counters, incremented in place on the fast path. */
export interface FlowCounters {
  upstreamBytes: number;
  downstreamBytes: number;
  /** Times a side stopped reading because the other side's send buffer was full. */
  backpressurePauses: number;
}

export type FlowEndReason = 'connect-failed' | 'idle-timeout';

export interface FlowHooks {
  readonly counters: FlowCounters;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** The flow was closed by the edge for `reason`; `error` is what the target said, when it said something. */
  ended(flow: AcceleratorFlow, reason: FlowEndReason, error?: Error): void;
  /** Both sockets are closed: the flow no longer counts as active. */
  closed(flow: AcceleratorFlow): void;
}

type FlowState = 'connecting' | 'open' | 'closed';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

export class AcceleratorFlow {
  private state: FlowState = 'connecting';
  private readonly target: Socket;
  private socketsOpen = 2;

  constructor(
    private readonly hooks: FlowHooks,
    private readonly client: Socket,
    readonly route: AcceleratorTarget,
  ) {
    // The client's socket was accepted paused (pauseOnConnect): nothing is read until the target is there.
    client.setNoDelay(true);
    client.on('error', (error) => this.onError(client, error));
    client.on('close', () => this.onSocketClosed(client));
    this.target = connect({ host: route.host, port: route.port, allowHalfOpen: true, noDelay: true });
    const target = this.target;
    target.setTimeout(hooks.connectTimeoutMs, () => this.onConnectTimeout());
    target.on('error', (error) => this.onError(target, error));
    target.on('close', () => this.onSocketClosed(target));
    target.once('connect', () => this.onConnected());
  }

  get region(): string {
    return this.route.region;
  }

  /** Closes both sockets: the edge is closing. */
  close(): void {
    this.client.destroy();
    this.target.destroy();
  }

  private onConnected(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    const { client, target } = this;
    const counters = this.hooks.counters;
    target.setTimeout(0);
    // Every byte either way passes through the client's socket, so its timer alone sees the flow idle.
    client.setTimeout(this.hooks.idleTimeoutMs, () => this.onIdle());
    client.on('data', (chunk: Buffer) => {
      counters.upstreamBytes += chunk.length;
      if (!target.write(chunk)) {
        counters.backpressurePauses++;
        client.pause();
      }
    });
    target.on('data', (chunk: Buffer) => {
      counters.downstreamBytes += chunk.length;
      if (!client.write(chunk)) {
        counters.backpressurePauses++;
        target.pause();
      }
    });
    target.on('drain', () => client.resume());
    client.on('drain', () => target.resume());
    client.on('end', () => target.end());
    target.on('end', () => client.end());
    client.resume();
  }

  private onConnectTimeout(): void {
    if (this.state !== 'connecting') return;
    this.connectFailed(Object.assign(new Error(`connect to ${this.route.host}:${this.route.port} timed out after ${this.hooks.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
  }

  private connectFailed(error: Error): void {
    this.state = 'closed';
    this.hooks.ended(this, 'connect-failed', error);
    this.target.destroy();
    // The client was told its connection was accepted; a reset is what it sees when no endpoint takes it.
    resetSocket(this.client);
  }

  private onIdle(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.hooks.ended(this, 'idle-timeout');
    this.close();
  }

  private onError(side: Socket, error: Error): void {
    if (this.state === 'connecting' && side === this.target) return this.connectFailed(error);
    const other = side === this.client ? this.target : this.client;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && RESET_CODES.has(code)) resetSocket(other);
    else other.destroy();
  }

  private onSocketClosed(side: Socket): void {
    // A side that closed without its FIN (a local destroy, an abort) takes the other with it; after a
    // FIN the other side is finishing its own direction and closes by itself once flushed.
    if (!side.readableEnded) (side === this.client ? this.target : this.client).destroy();
    this.socketsOpen--;
    if (this.socketsOpen > 0) return;
    this.state = 'closed';
    this.hooks.closed(this);
  }
}

/** RST instead of FIN, for a socket that may be connecting, open or already gone. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.readyState === 'closed') {
    socket.destroy();
    return;
  }
  socket.resetAndDestroy();
}
