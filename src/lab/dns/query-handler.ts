/**
 * One message in, the response bytes out (or null: send nothing). The transport-free heart of the
 * server: parse (fast path, else the full parser), find the response in the cache by query shape and
 * decision, and personalise a copy (id, RD and CD bits, the question name's case, TC for UDP). Never
 * throws: whatever goes wrong becomes an rcode and a counter.
 */
import { DecisionKeys, type DnsDecision, type DnsQuestionContext } from './dns-decision.ts';
import type { ResolvedDnsServerOptions } from './dns-server-options.ts';
import { countOutcome, errorText, type DnsCounters } from './dns-stats.ts';
import { parseQueryFast } from './fast-query-parser.ts';
import { parseQueryFull } from './full-query-parser.ts';
import { readName } from './message-decoder.ts';
import type { ParsedQuery } from './parsed-query.ts';
import { buildHeaderOnly, buildResponse } from './response-builder.ts';
import { ResponseCache, type CachedResponse } from './response-cache.ts';
import { authorityPlan, badversPlan, decisionPlan, refusedPlan, servfailPlan, type ResponsePlan } from './response-plan.ts';
import { CLASS_IN, CLASSIC_UDP_PAYLOAD_BYTES, FLAG_CD, FLAG_RD, HEADER_BYTES, MAX_NAME_WIRE_BYTES, Rcode, RecordType, typeName } from './wire-constants.ts';

export type Transport = 'udp' | 'tcp';

/** Which plan a cache miss builds; the hot path passes this instead of allocating a closure. */
type PlanKind = 'badvers' | 'refused' | 'authority' | 'servfail' | 'decision';

export class QueryHandler {
  private readonly options: ResolvedDnsServerOptions;
  private readonly counters: DnsCounters;
  private readonly cache: ResponseCache;
  private readonly decisionKeys = new DecisionKeys();
  private readonly scratch = Buffer.alloc(MAX_NAME_WIRE_BYTES + 1);
  /** Names the server answers itself (in-zone name servers with an address). */
  private readonly ownedNames: ReadonlySet<string>;

  constructor(options: ResolvedDnsServerOptions, counters: DnsCounters) {
    this.options = options;
    this.counters = counters;
    this.cache = new ResponseCache(options.maxCachedResponses);
    this.ownedNames = new Set(options.authority.nameServers.filter((server) => server.inZone && server.address !== undefined).map((server) => server.name));
  }

  get cachedResponses(): number {
    return this.cache.size;
  }

  handle(message: Buffer, sourceAddress: string, transport: Transport): Buffer | null {
    this.counters.queries++;
    try {
      return this.respond(message, sourceAddress, transport);
    } catch (error) {
      this.counters.internalErrors++;
      this.counters.lastError = errorText(error);
      if (message.length < HEADER_BYTES) return null;
      this.counters.servfail++;
      return buildHeaderOnly(message, Rcode.SERVFAIL);
    }
  }

  private respond(message: Buffer, sourceAddress: string, transport: Transport): Buffer | null {
    let query = parseQueryFast(message, this.options.authority, this.scratch);
    if (query !== null) {
      this.counters.fastPath++;
    } else {
      this.counters.slowPath++;
      const parsed = parseQueryFull(message, this.options.authority.zoneLabels);
      if (parsed.kind === 'drop') {
        this.counters.dropped++;
        return null;
      }
      if (parsed.kind === 'error') {
        if (parsed.rcode === Rcode.FORMERR) this.counters.formerr++;
        else this.counters.notimp++;
        return buildHeaderOnly(message, parsed.rcode);
      }
      query = parsed.query;
    }
    return this.personalise(this.entryFor(query, sourceAddress, transport), query, message, transport);
  }

  private isServerOwned(query: ParsedQuery): boolean {
    if (query.relation === 'apex') return query.type === RecordType.SOA || query.type === RecordType.NS || query.type === RecordType.ANY;
    return this.ownedNames.size > 0 && this.ownedNames.has(query.name);
  }

  private entryFor(query: ParsedQuery, sourceAddress: string, transport: Transport): CachedResponse {
    if (query.edns !== undefined && query.edns.version !== 0) return this.cached(query, 'V', 'badvers', undefined);
    const refuse = query.relation === 'outside' || query.class !== CLASS_IN || query.type === RecordType.AXFR || query.type === RecordType.IXFR;
    if (refuse) return this.cached(query, 'R', 'refused', undefined);
    if (this.isServerOwned(query)) return this.cached(query, 'Z', 'authority', undefined);
    let decision: DnsDecision;
    try {
      decision = this.options.decide(this.questionContext(query, sourceAddress, transport));
    } catch (error) {
      this.counters.decideErrors++;
      this.counters.lastError = `decide() threw ${errorText(error)}`;
      return this.cached(query, 'S', 'servfail', undefined);
    }
    let key: string;
    try {
      key = this.decisionKeys.keyOf(decision);
    } catch (error) {
      // Reading the decision runs only the caller's data (a getter may throw too): its fault, not ours.
      this.counters.invalidDecisions++;
      this.counters.lastError = errorText(error);
      return this.cached(query, 'S', 'servfail', undefined);
    }
    return this.cached(query, key, 'decision', decision);
  }

  private questionContext(query: ParsedQuery, sourceAddress: string, transport: Transport): DnsQuestionContext {
    const subnet = query.edns?.clientSubnet;
    if (subnet === undefined || subnet.sourcePrefixLength === 0) return { name: query.name, type: typeName(query.type), sourceAddress, transport };
    const clientSubnet = { family: subnet.family === 1 ? 4 : 6, address: subnet.address, sourcePrefixLength: subnet.sourcePrefixLength } as const;
    return { name: query.name, type: typeName(query.type), clientSubnet, sourceAddress, transport };
  }

  private cached(query: ParsedQuery, planKey: string, kind: PlanKind, decision: DnsDecision | undefined): CachedResponse {
    const key = `${query.shapeKey}\u0001${planKey}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.counters.cacheHits++;
      return hit;
    }
    this.counters.cacheMisses++;
    const owner = readName(query.questionName, 0).labels;
    const plan = this.plan(query, owner, kind, decision);
    const maxUdp = this.options.maxUdpPayloadBytes;
    const full = buildResponse(query, owner, plan, maxUdp, false);
    const truncated = full.length > CLASSIC_UDP_PAYLOAD_BYTES ? buildResponse(query, owner, plan, maxUdp, true) : undefined;
    const entry: CachedResponse = { full, truncated, outcome: plan.outcome };
    this.cache.set(key, entry);
    return entry;
  }

  private plan(query: ParsedQuery, owner: ReturnType<typeof readName>['labels'], kind: PlanKind, decision: DnsDecision | undefined): ResponsePlan {
    switch (kind) {
      case 'badvers': return badversPlan();
      case 'refused': return refusedPlan();
      case 'servfail': return servfailPlan();
      case 'authority': return authorityPlan(query, owner, this.options.authority)!;
      case 'decision': return decisionPlan(query, owner, decision!, this.options.authority);
    }
  }

  /** The largest UDP response this client takes: 512 without EDNS, else its size within [512, ours]. */
  private udpLimit(query: ParsedQuery): number {
    if (query.edns === undefined) return CLASSIC_UDP_PAYLOAD_BYTES;
    return Math.min(Math.max(query.edns.udpPayloadSize, CLASSIC_UDP_PAYLOAD_BYTES), this.options.maxUdpPayloadBytes);
  }

  private personalise(entry: CachedResponse, query: ParsedQuery, message: Buffer, transport: Transport): Buffer {
    let bytes = entry.full;
    if (transport === 'udp' && entry.truncated !== undefined && bytes.length > this.udpLimit(query)) {
      bytes = entry.truncated;
      this.counters.truncated++;
    }
    const response = Buffer.allocUnsafe(bytes.length);
    bytes.copy(response, 0, 0, bytes.length);
    response[0] = message[0]!;
    response[1] = message[1]!;
    response[2] = bytes[2]! | (message[2]! & FLAG_RD);
    response[3] = bytes[3]! | (message[3]! & FLAG_CD);
    response.set(query.questionName, HEADER_BYTES);
    countOutcome(this.counters, entry.outcome);
    return response;
  }
}
