/**
 * What a response says, before any bytes: rcode, AA, the records of each section and the client-subnet
 * scope. Pure functions of the query's question, the zone's authority data and decide()'s decision; the
 * builder (response-builder.ts) turns a plan into bytes once and the cache keeps them.
 */
import { tailoredScope } from './client-subnet.ts';
import type { DnsDecision } from './dns-decision.ts';
import type { Labels } from './domain-name.ts';
import type { ParsedQuery } from './parsed-query.ts';
import type { SoaData } from './record-data.ts';
import type { ZoneAuthority } from './dns-server-options.ts';
import { Rcode, RecordType } from './wire-constants.ts';

/** How the stats count a response. */
export type Outcome = 'answered' | 'nodata' | 'nxdomain' | 'refused' | 'servfail' | 'badvers';

export type RecordSpec =
  | { readonly type: 'A'; readonly owner: Labels; readonly ttlSeconds: number; readonly address: string }
  | { readonly type: 'NS'; readonly owner: Labels; readonly ttlSeconds: number; readonly host: Labels }
  | { readonly type: 'SOA'; readonly owner: Labels; readonly ttlSeconds: number; readonly soa: SoaData };

export interface ResponsePlan {
  readonly outcome: Outcome;
  /** Up to 12 bits: BADVERS (16) puts its upper bits in the OPT record. */
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly answers: readonly RecordSpec[];
  readonly authority: readonly RecordSpec[];
  readonly additional: readonly RecordSpec[];
  /** The client-subnet scope echoed when the query sent the option: 0 unless the answer was tailored. */
  readonly scopePrefixLength: number;
}

const NONE: readonly RecordSpec[] = [];

function bare(outcome: Outcome, rcode: number): ResponsePlan {
  return { outcome, rcode, authoritative: false, answers: NONE, authority: NONE, additional: NONE, scopePrefixLength: 0 };
}

export const refusedPlan = (): ResponsePlan => bare('refused', Rcode.REFUSED);
export const servfailPlan = (): ResponsePlan => bare('servfail', Rcode.SERVFAIL);
export const badversPlan = (): ResponsePlan => bare('badvers', Rcode.BADVERS);

/** RFC 2308 3: the SOA of a negative answer carries min(its TTL, MINIMUM), the time to cache the "no". */
function negativeSoa(authority: ZoneAuthority): RecordSpec {
  const ttlSeconds = Math.min(authority.soaTtlSeconds, authority.soa.minimumTtlSeconds);
  return { type: 'SOA', owner: authority.zoneLabels, ttlSeconds, soa: authority.soa };
}

function negativePlan(outcome: 'nodata' | 'nxdomain', authority: ZoneAuthority, scopePrefixLength: number): ResponsePlan {
  const rcode = outcome === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR;
  return { outcome, rcode, authoritative: true, answers: NONE, authority: [negativeSoa(authority)], additional: NONE, scopePrefixLength };
}

function answerPlan(answers: readonly RecordSpec[], additional: readonly RecordSpec[], scopePrefixLength: number): ResponsePlan {
  return { outcome: 'answered', rcode: Rcode.NOERROR, authoritative: true, answers, authority: NONE, additional, scopePrefixLength };
}

function nameServerRecords(authority: ZoneAuthority): { answers: RecordSpec[]; glue: RecordSpec[] } {
  const ttlSeconds = authority.nameServerTtlSeconds;
  const answers: RecordSpec[] = authority.nameServers.map((server) => ({ type: 'NS', owner: authority.zoneLabels, ttlSeconds, host: server.labels }));
  const glue: RecordSpec[] = authority.nameServers
    .filter((server) => server.inZone && server.address !== undefined)
    .map((server) => ({ type: 'A', owner: server.labels, ttlSeconds, address: server.address! }));
  return { answers, glue };
}

/**
 * The answers the server owns: the apex SOA, NS (with glue) and ANY, and the in-zone name servers' A
 * records. Undefined when decide() owns the question.
 */
export function authorityPlan(query: ParsedQuery, owner: Labels, authority: ZoneAuthority): ResponsePlan | undefined {
  if (query.relation === 'apex') {
    const soa: RecordSpec = { type: 'SOA', owner, ttlSeconds: authority.soaTtlSeconds, soa: authority.soa };
    const nameServers = nameServerRecords(authority);
    if (query.type === RecordType.SOA) return answerPlan([soa], NONE, 0);
    if (query.type === RecordType.NS) return answerPlan(nameServers.answers, nameServers.glue, 0);
    if (query.type === RecordType.ANY) return answerPlan([soa, ...nameServers.answers], nameServers.glue, 0);
    return undefined;
  }
  const server = authority.nameServers.find((candidate) => candidate.inZone && candidate.address !== undefined && candidate.name === query.name);
  if (server === undefined) return undefined;
  if (query.type !== RecordType.A && query.type !== RecordType.ANY) return negativePlan('nodata', authority, 0);
  return answerPlan([{ type: 'A', owner, ttlSeconds: authority.nameServerTtlSeconds, address: server.address! }], NONE, 0);
}

/** decide()'s decision (already checked by decisionKey) as a plan. */
export function decisionPlan(query: ParsedQuery, owner: Labels, decision: DnsDecision, authority: ZoneAuthority): ResponsePlan {
  if (decision.kind === 'servfail') return servfailPlan();
  const subnet = query.edns?.clientSubnet;
  const scope = subnet === undefined ? 0 : tailoredScope(subnet, decision.scopePrefixLength);
  if (decision.kind === 'nxdomain') return negativePlan(query.relation === 'apex' ? 'nodata' : 'nxdomain', authority, scope);
  const wantsAddresses = query.type === RecordType.A || query.type === RecordType.ANY;
  if (decision.kind === 'nodata' || !wantsAddresses || decision.addresses.length === 0) return negativePlan('nodata', authority, scope);
  const answers: RecordSpec[] = decision.addresses.map((address) => ({ type: 'A', owner, ttlSeconds: decision.ttlSeconds, address }));
  return answerPlan(answers, NONE, scope);
}
