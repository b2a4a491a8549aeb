/**
 * Small loopback peers for exercising links: an echo server, a client dial and a reader of exact byte
 * counts. The tests and the benchmarks use the same ones, so what the benchmark measures is what the
 * tests check.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface EchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections the server has accepted so far. */
  readonly acceptedConnections: () => number;
  close(): Promise<void>;
}

/** Echoes every byte back on the same connection; close() also drops every open connection. */
export async function startEchoServer(host = '127.0.0.1'): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('echo server has no address');
  return {
    host,
    port: address.port,
    acceptedConnections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Dials host:port with Nagle off (a ping must not wait for an ACK) and resolves once connected. */
export function dial(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/**
 * Reads exactly `byteCount` bytes (a chunk that goes further is kept for the next read), or rejects
 * when the socket closes or errs first, or after `timeoutMs`.
 */
export function readBytes(socket: Socket, byteCount: number, timeoutMs = 30_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      socket.pause();
      const all = Buffer.concat(chunks);
      if (all.length > byteCount) socket.unshift(all.subarray(byteCount));
      if (error === null) resolve(all.subarray(0, byteCount));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= byteCount) finish(null);
    };
    const onClose = () => finish(new Error(`connection closed after ${received} of ${byteCount} bytes`));
    const onError = (error: Error) => finish(error);
    const timer = setTimeout(() => finish(new Error(`timed out after ${received} of ${byteCount} bytes`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
    socket.resume();
  });
}
