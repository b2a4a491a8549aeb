import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { createResolverCache, lookup, store, type ResolverCache } from '../../core/routing/resolver-cache.ts';

/**
 * The load generator's recursive resolvers, one cache per population place: a question goes to the lab's
 * DNS router over UDP with the place's EDNS Client Subnet (RFC 7871), and the answer is kept for its TTL
 * in core/routing's resolver cache, the same cache the simulator's resolvers use. So a failover reaches a
 * place when its cached answer expires, as it reaches real users.
 */
export interface DnsServerAddress {
  readonly host: string;
  readonly port: number;
}

export class DnsQueryError extends Error {
  readonly code = 'DNS_QUERY_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'DnsQueryError';
  }
}

/** One A query with an ECS option; resolves to the addresses and TTL, or rejects after `timeoutMs`. */
export function queryA(server: DnsServerAddress, name: string, subnet: string, timeoutMs = 2000): Promise<{ addresses: string[]; ttlSeconds: number }> {
  const [address, prefix] = subnet.split('/');
  const id = Math.floor(Math.random() * 65_536);
  const packet = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: Number(prefix ?? 24), scopePrefixLength: 0, ip: address! }] } as never],
  });
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(new DnsQueryError(`no answer from ${server.host}:${server.port} within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | undefined, result?: { addresses: string[]; ttlSeconds: number }) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(result!);
    };
    socket.on('error', (error) => finish(new DnsQueryError(error.message)));
    socket.on('message', (message) => {
      let decoded: dnsPacket.Packet;
      try {
        decoded = dnsPacket.decode(message);
      } catch {
        return;
      }
      if (decoded.id !== id) return;
      const rcode = (decoded as { rcode?: string }).rcode ?? 'NOERROR';
      if (rcode !== 'NOERROR') return finish(new DnsQueryError(`${name}: ${rcode}`));
      const answers = (decoded.answers ?? []).filter((answer): answer is dnsPacket.StringAnswer => answer.type === 'A');
      finish(undefined, { addresses: answers.map((answer) => answer.data), ttlSeconds: Math.min(...answers.map((answer) => answer.ttl ?? 0), 86_400) });
    });
    socket.send(packet, server.port, server.host);
  });
}

/**
 * The recursive resolvers of each place, each with its own TTL cache: a request goes through one of its
 * place's resolvers at random. Users of one place sit behind many resolvers (the spec's `dnsResolvers`, at
 * most RESOLVERS_PER_PLACE_MAX here, as in the simulator), which filled their caches at scattered times
 * before the run: a resolver's first answer counts as stored up to a TTL ago, so the place's users move
 * after a failover over one TTL, not all at once when a single cache entry expires.
 */
export const RESOLVERS_PER_PLACE_MAX = 64;

export class PlaceResolvers {
  private readonly caches = new Map<string, ResolverCache>();
  private readonly inFlight = new Map<string, Promise<string[]>>();
  queries = 0;
  failures = 0;

  constructor(
    private readonly server: DnsServerAddress,
    private readonly name: string,
    private readonly resolversPerPlace: (subnet: string) => number = () => 1,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  async resolve(subnet: string): Promise<string[]> {
    const count = Math.max(1, Math.min(RESOLVERS_PER_PLACE_MAX, this.resolversPerPlace(subnet)));
    const resolver = `${subnet}#${Math.floor(Math.random() * count)}`;
    const cache = this.caches.get(resolver);
    const cached = cache === undefined ? undefined : lookup(cache, this.name, this.nowMs(), subnet);
    if (cached?.kind === 'hit') return [...cached.answer.targets];
    // Concurrent requests through one resolver share one question, as a resolver coalesces them.
    const pending = this.inFlight.get(resolver);
    if (pending) return pending;
    const asked = this.ask(subnet, resolver, cache).finally(() => this.inFlight.delete(resolver));
    this.inFlight.set(resolver, asked);
    return asked;
  }

  private async ask(subnet: string, resolver: string, cache: ResolverCache | undefined): Promise<string[]> {
    this.queries += 1;
    try {
      const { addresses, ttlSeconds } = await queryA(this.server, this.name, subnet);
      const storedAtMs = cache === undefined ? this.nowMs() - Math.random() * ttlSeconds * 1000 : this.nowMs();
      this.caches.set(resolver, store(cache ?? createResolverCache(), this.name, { targets: addresses, ttlSeconds }, storedAtMs, subnet));
      return addresses;
    } catch (error) {
      this.failures += 1;
      throw error;
    }
  }
}
