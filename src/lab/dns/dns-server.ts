/**
 * The lab's authoritative DNS server for one zone: UDP and TCP on one loopback port, answers from
 * decide() (the routing policies), the apex SOA/NS from the options. The shell around QueryHandler:
 * sockets, connection bounds, stats and closing.
 *
 *   const server = await startDnsServer({ zone: 'shop.meridian.test', decide: (question) => ... });
 *   // dig @127.0.0.1 -p ${server.port} www.shop.meridian.test
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { DnsListenError } from './dns-errors.ts';
import { resolveDnsServerOptions, type DnsServerOptions, type ResolvedDnsServerOptions } from './dns-server-options.ts';
import { errorText, newCounters, type DnsCounters, type DnsServerStats } from './dns-stats.ts';
import { QueryHandler } from './query-handler.ts';
import { TcpDnsConnection } from './tcp-connection.ts';

export interface DnsServer {
  /** The loopback address both sockets listen on. */
  readonly host: string;
  /** UDP and TCP, the same port. */
  readonly port: number;
  stats(): DnsServerStats;
  /** Stops both sockets and drops open TCP connections. */
  close(): Promise<void>;
}

/** With port 0, how many kernel-chosen UDP ports to try before one is also free for TCP. */
const MAX_BIND_ATTEMPTS = 16;

/**
 * Sends go to the address a datagram came from, always an IP literal: skip dgram's dns.lookup, which
 * would defer every send to the next tick.
 */
function literalLookup(address: string, _family: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  callback(null, address, 4);
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  const socket = createSocket({ type: 'udp4', lookup: literalLookup as never });
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function bindBoth(options: ResolvedDnsServerOptions, tcp: Server): Promise<UdpSocket> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(options.host, options.port).catch((error: unknown) => {
      throw new DnsListenError(`udp ${options.host}:${options.port}`, error);
    });
    const port = udp.address().port;
    try {
      await listenTcp(tcp, options.host, port);
      return udp;
    } catch (error) {
      udp.close();
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || options.port !== 0 || attempt >= MAX_BIND_ATTEMPTS) throw new DnsListenError(`tcp ${options.host}:${port}`, error);
    }
  }
}

function serveUdp(udp: UdpSocket, handler: QueryHandler, counters: DnsCounters): void {
  udp.on('message', (message, remote) => {
    try {
      const response = handler.handle(message, remote.address, 'udp');
      if (response !== null) udp.send(response, remote.port, remote.address);
    } catch (error) {
      counters.internalErrors++;
      counters.lastError = errorText(error);
    }
  });
  udp.on('error', (error) => {
    counters.lastError = errorText(error);
  });
}

function serveTcp(tcp: Server, open: Set<Socket>, handler: QueryHandler, counters: DnsCounters, options: ResolvedDnsServerOptions): void {
  const limits = { idleTimeoutMs: options.tcpIdleTimeoutMs, maxBufferedBytes: options.maxTcpBufferedBytesPerConnection };
  tcp.on('connection', (socket) => {
    socket.on('error', () => undefined);
    if (open.size >= options.maxTcpConnections) {
      counters.tcpRejectedConnections++;
      socket.destroy();
      return;
    }
    counters.tcpConnections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    new TcpDnsConnection(socket, handler, counters, limits);
  });
  tcp.on('error', (error) => {
    counters.lastError = errorText(error);
  });
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const resolved = resolveDnsServerOptions(options);
  const counters = newCounters();
  const handler = new QueryHandler(resolved, counters);
  const tcp = createServer({ allowHalfOpen: true });
  const udp = await bindBoth(resolved, tcp);
  const open = new Set<Socket>();
  serveUdp(udp, handler, counters);
  serveTcp(tcp, open, handler, counters, resolved);
  const port = udp.address().port;
  let closing: Promise<void> | undefined;
  return {
    host: resolved.host,
    port,
    stats: () => Object.freeze({ ...counters, cachedResponses: handler.cachedResponses, tcpOpenConnections: open.size }),
    close: () => {
      closing ??= Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => {
          tcp.close(() => resolve());
          for (const socket of open) socket.destroy();
        }),
      ]).then(() => undefined);
      return closing;
    },
  };
}
