/**
 * One DNS-over-TCP connection (RFC 1035 4.2.2, RFC 7766): messages framed by a 2-byte length, any
 * number per connection, answered in order. Bounded: input is read only while the unsent output stays
 * under a quarter of the connection's buffer bound (so a client that sends without reading stalls, as
 * behind a full TCP window), a connection that still holds more than the bound is reset, and one idle
 * for the timeout is closed. A client's half-close is honoured: what it sent is answered, then FIN.
 */
import type { Socket } from 'node:net';
import type { DnsCounters } from './dns-stats.ts';
import type { QueryHandler } from './query-handler.ts';

export interface TcpConnectionLimits {
  readonly idleTimeoutMs: number;
  readonly maxBufferedBytes: number;
}

const LENGTH_PREFIX_BYTES = 2;
const EMPTY = Buffer.alloc(0);

export class TcpDnsConnection {
  private readonly socket: Socket;
  private readonly handler: QueryHandler;
  private readonly counters: DnsCounters;
  private readonly limits: TcpConnectionLimits;
  private readonly peerAddress: string;
  private pending: Buffer = EMPTY;
  private paused = false;
  private peerEnded = false;

  constructor(socket: Socket, handler: QueryHandler, counters: DnsCounters, limits: TcpConnectionLimits) {
    this.socket = socket;
    this.handler = handler;
    this.counters = counters;
    this.limits = limits;
    this.peerAddress = socket.remoteAddress ?? '';
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => {
      counters.tcpIdleTimeouts++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.resume());
    socket.on('end', () => {
      this.peerEnded = true;
      this.answerPending();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.pending.length > 0) counters.tcpIncompleteFrames++;
    });
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.answerPending();
  }

  private resume(): void {
    if (!this.paused || this.socket.destroyed) return;
    this.paused = false;
    this.socket.resume();
    this.answerPending();
  }

  /** Answers every whole frame buffered, while the output has room; keeps the rest for later. */
  private answerPending(): void {
    const socket = this.socket;
    const pauseAtBytes = this.limits.maxBufferedBytes / 4;
    const pending = this.pending;
    let offset = 0;
    socket.cork();
    while (pending.length - offset >= LENGTH_PREFIX_BYTES && !socket.destroyed) {
      if (socket.writableLength >= pauseAtBytes) {
        this.paused = true;
        socket.pause();
        break;
      }
      const length = pending.readUInt16BE(offset);
      if (pending.length - offset - LENGTH_PREFIX_BYTES < length) break;
      const frame = pending.subarray(offset + LENGTH_PREFIX_BYTES, offset + LENGTH_PREFIX_BYTES + length);
      offset += LENGTH_PREFIX_BYTES + length;
      this.send(this.handler.handle(frame, this.peerAddress, 'tcp'));
    }
    socket.uncork();
    this.pending = offset === pending.length ? EMPTY : pending.subarray(offset);
    this.enforceBounds();
  }

  private send(response: Buffer | null): void {
    if (response === null) return;
    const framed = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + response.length);
    framed.writeUInt16BE(response.length, 0);
    response.copy(framed, LENGTH_PREFIX_BYTES);
    this.socket.write(framed);
  }

  private enforceBounds(): void {
    if (this.socket.destroyed) return;
    if (this.pending.length + this.socket.writableLength > this.limits.maxBufferedBytes) {
      this.counters.tcpBufferOverflows++;
      this.pending = EMPTY;
      this.socket.resetAndDestroy();
      return;
    }
    // The peer will send nothing more: once every whole frame is answered, close our side too.
    if (this.peerEnded && !this.paused) this.socket.end();
  }
}
