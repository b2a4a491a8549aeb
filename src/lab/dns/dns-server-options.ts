/**
 * The server's options as callers write them, resolved once (defaults filled, every field checked) into
 * a frozen ResolvedDnsServerOptions; nothing downstream reads a default again.
 */
import { isIPv4 } from 'node:net';
import type { DecideFunction } from './dns-decision.ts';
import { MAX_TTL_SECONDS } from './dns-decision.ts';
import { DnsConfigError } from './dns-errors.ts';
import { parseConfiguredName, presentName, type Labels } from './domain-name.ts';
import type { ZoneNames } from './fast-query-parser.ts';
import type { SoaData } from './record-data.ts';
import { CLASSIC_UDP_PAYLOAD_BYTES } from './wire-constants.ts';

/** The zone's SOA record. Defaults are Route 53's, except the negative TTL (Route 53: 86 400 s). */
export interface DnsSoaOptions {
  /** @default the first name server */
  readonly primaryNameServer?: string;
  /** The mailbox, as a name. @default `hostmaster.<zone>` */
  readonly responsiblePerson?: string;
  /** @default 1 */
  readonly serial?: number;
  /** @default 7200 */
  readonly refreshSeconds?: number;
  /** @default 900 */
  readonly retrySeconds?: number;
  /** @default 1 209 600 */
  readonly expireSeconds?: number;
  /** The negative-caching TTL (RFC 2308): a lab run sees a new name within it. @default 60 */
  readonly minimumTtlSeconds?: number;
  /** The SOA record's own TTL. @default 900 */
  readonly ttlSeconds?: number;
}

export interface DnsNameServerOptions {
  /** e.g. 'ns1.shop.meridian.test' */
  readonly name: string;
  /** An IPv4 address: the server answers this A record itself and adds it as glue to NS answers, when the name is inside the zone. @default none */
  readonly address?: string;
}

export interface DnsServerOptions {
  /** The zone, e.g. 'shop.meridian.test': the server answers for it and every name below it, REFUSED elsewhere. */
  readonly zone: string;
  /** A 127.0.0.0/8 address or `localhost`: the lab never listens beyond loopback. @default '127.0.0.1' */
  readonly host?: string;
  /** UDP and TCP listen on this one port. @default 0 (a free port, chosen by the kernel) */
  readonly port?: number;
  /** Called synchronously for every query inside the zone except the apex SOA/NS and the name servers' own A records. */
  readonly decide: DecideFunction;
  /** @default Route 53's SOA values, negative TTL 60 s */
  readonly soa?: DnsSoaOptions;
  /** 1 to 8 name servers for the apex NS record. @default one: `ns1.<zone>` at `host` */
  readonly nameServers?: readonly DnsNameServerOptions[];
  /** @default 172 800 (Route 53's NS TTL) */
  readonly nameServerTtlSeconds?: number;
  /** The EDNS payload size advertised and the most a UDP response carries (RFC 6891 6.2.5; DNS flag day 2020). @default 1232 */
  readonly maxUdpPayloadBytes?: number;
  /** A TCP connection with nothing to read or write this long is closed (RFC 7766 6.2.3). @default 10 000 */
  readonly tcpIdleTimeoutMs?: number;
  /** Connections beyond this are closed at once and counted as rejected. @default 256 */
  readonly maxTcpConnections?: number;
  /** Bytes a TCP connection may hold unanswered and unsent; reading pauses at a quarter. At least 4 × 65 537 (a whole frame in, one out). @default 512 KiB */
  readonly maxTcpBufferedBytesPerConnection?: number;
  /** Encoded responses kept per cache generation (the cache holds at most two generations). @default 10 000 */
  readonly maxCachedResponses?: number;
}

export interface NameServer {
  readonly labels: Labels;
  readonly name: string;
  readonly address: string | undefined;
  readonly inZone: boolean;
}

/** What the server itself serves: the apex SOA and NS records and the name servers' addresses. */
export interface ZoneAuthority extends ZoneNames {
  readonly zoneLabels: Labels;
  readonly soa: SoaData;
  readonly soaTtlSeconds: number;
  readonly nameServers: readonly NameServer[];
  readonly nameServerTtlSeconds: number;
}

export interface ResolvedDnsServerOptions {
  readonly authority: ZoneAuthority;
  readonly host: string;
  readonly port: number;
  readonly decide: DecideFunction;
  readonly maxUdpPayloadBytes: number;
  readonly tcpIdleTimeoutMs: number;
  readonly maxTcpConnections: number;
  readonly maxTcpBufferedBytesPerConnection: number;
  readonly maxCachedResponses: number;
}

const MAX_NAME_SERVERS = 8;
/** A frame being read, a chunk behind it, a quarter of the bound unsent and one response more must fit. */
const MIN_TCP_BUFFERED_BYTES = 4 * (65_535 + 2);

function requireInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DnsConfigError(field, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function requireName(field: string, text: string): Labels {
  const labels = typeof text === 'string' ? parseConfiguredName(text) : 'must be a string';
  if (typeof labels === 'string') throw new DnsConfigError(field, `${JSON.stringify(text)} ${labels}`);
  return labels;
}

export function requireLoopbackHost(field: string, host: string): string {
  const address = host === 'localhost' ? '127.0.0.1' : host;
  if (typeof address !== 'string' || !isIPv4(address) || !address.startsWith('127.')) {
    throw new DnsConfigError(field, `must be a 127.0.0.0/8 address or localhost, got ${JSON.stringify(host)}`);
  }
  return address;
}

const ttl = (field: string, value: number) => requireInteger(field, value, 0, MAX_TTL_SECONDS);
const u32 = (field: string, value: number) => requireInteger(field, value, 0, 0xffff_ffff);

function resolveNameServers(options: DnsServerOptions, zone: string, host: string): NameServer[] {
  const given = options.nameServers ?? [{ name: `ns1.${zone}`, address: host }];
  if (!Array.isArray(given) || given.length < 1 || given.length > MAX_NAME_SERVERS) {
    throw new DnsConfigError('nameServers', `must list 1 to ${MAX_NAME_SERVERS} name servers`);
  }
  return given.map((server, index) => {
    const labels = requireName(`nameServers[${index}].name`, server.name);
    if (server.address !== undefined && !isIPv4(server.address)) {
      throw new DnsConfigError(`nameServers[${index}].address`, `must be an IPv4 address, got ${JSON.stringify(server.address)}`);
    }
    const name = presentName(labels);
    const inZone = name.endsWith(`.${zone}`);
    return { labels, name, address: server.address, inZone };
  });
}

function resolveAuthority(options: DnsServerOptions, host: string): ZoneAuthority {
  const zoneLabels = requireName('zone', options.zone);
  const zone = presentName(zoneLabels);
  const nameServers = resolveNameServers(options, zone, host);
  const soa = options.soa ?? {};
  const soaData: SoaData = {
    primaryNameServer: soa.primaryNameServer === undefined ? nameServers[0]!.labels : requireName('soa.primaryNameServer', soa.primaryNameServer),
    responsiblePerson: requireName('soa.responsiblePerson', soa.responsiblePerson ?? `hostmaster.${zone}`),
    serial: u32('soa.serial', soa.serial ?? 1),
    refreshSeconds: ttl('soa.refreshSeconds', soa.refreshSeconds ?? 7200),
    retrySeconds: ttl('soa.retrySeconds', soa.retrySeconds ?? 900),
    expireSeconds: ttl('soa.expireSeconds', soa.expireSeconds ?? 1_209_600),
    minimumTtlSeconds: ttl('soa.minimumTtlSeconds', soa.minimumTtlSeconds ?? 60),
  };
  return Object.freeze({
    zone,
    dottedZone: `.${zone}`,
    zoneLabels,
    soa: soaData,
    soaTtlSeconds: ttl('soa.ttlSeconds', soa.ttlSeconds ?? 900),
    nameServers,
    nameServerTtlSeconds: ttl('nameServerTtlSeconds', options.nameServerTtlSeconds ?? 172_800),
  });
}

export function resolveDnsServerOptions(options: DnsServerOptions): ResolvedDnsServerOptions {
  if (typeof options.decide !== 'function') throw new DnsConfigError('decide', 'must be a function');
  const host = requireLoopbackHost('host', options.host ?? '127.0.0.1');
  return Object.freeze({
    authority: resolveAuthority(options, host),
    host,
    port: requireInteger('port', options.port ?? 0, 0, 65_535),
    decide: options.decide,
    maxUdpPayloadBytes: requireInteger('maxUdpPayloadBytes', options.maxUdpPayloadBytes ?? 1232, CLASSIC_UDP_PAYLOAD_BYTES, 4096),
    tcpIdleTimeoutMs: requireInteger('tcpIdleTimeoutMs', options.tcpIdleTimeoutMs ?? 10_000, 1, 3_600_000),
    maxTcpConnections: requireInteger('maxTcpConnections', options.maxTcpConnections ?? 256, 1, 65_536),
    maxTcpBufferedBytesPerConnection: requireInteger(
      'maxTcpBufferedBytesPerConnection',
      options.maxTcpBufferedBytesPerConnection ?? 512 * 1024,
      MIN_TCP_BUFFERED_BYTES,
      64 * 1024 * 1024,
    ),
    maxCachedResponses: requireInteger('maxCachedResponses', options.maxCachedResponses ?? 10_000, 1, 10_000_000),
  });
}
