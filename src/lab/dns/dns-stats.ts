/** What the server counts. A DnsCounters is written on the hot path; stats() hands out a frozen copy. */
import type { Outcome } from './response-plan.ts';

export interface DnsServerStats {
  /** Messages received: UDP datagrams and TCP frames, answered or not. */
  readonly queries: number;
  /** NOERROR with records in the answer section. */
  readonly answered: number;
  readonly nodata: number;
  readonly nxdomain: number;
  /** Outside the zone, a class other than IN, or a zone transfer. */
  readonly refused: number;
  readonly formerr: number;
  readonly notimp: number;
  /** Every SERVFAIL: decide() threw, returned something unusable, or said 'servfail'; or an internal error. */
  readonly servfail: number;
  /** EDNS version other than 0 (RFC 6891 6.1.3). */
  readonly badvers: number;
  /** Not answered: shorter than a header, or a response (answering responses can start loops). */
  readonly dropped: number;
  /** UDP responses sent with TC because they were larger than the client's limit. */
  readonly truncated: number;
  readonly decideErrors: number;
  readonly invalidDecisions: number;
  /** A bug in the server: answered SERVFAIL, never a crash; `lastError` says what. */
  readonly internalErrors: number;
  /** Queries read by the fast parser and by the full one. */
  readonly fastPath: number;
  readonly slowPath: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly cachedResponses: number;
  /** TCP connections accepted (total), open now, and closed at once for being over the limit. */
  readonly tcpConnections: number;
  readonly tcpOpenConnections: number;
  readonly tcpRejectedConnections: number;
  readonly tcpIdleTimeouts: number;
  /** Connections that closed with part of a frame unread. */
  readonly tcpIncompleteFrames: number;
  /** Connections reset for holding more than their buffer bound. */
  readonly tcpBufferOverflows: number;
  readonly lastError: string | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type DnsCounters = Mutable<Omit<DnsServerStats, 'cachedResponses' | 'tcpOpenConnections'>>;

export function newCounters(): DnsCounters {
  return {
    queries: 0, answered: 0, nodata: 0, nxdomain: 0, refused: 0, formerr: 0, notimp: 0, servfail: 0, badvers: 0,
    dropped: 0, truncated: 0, decideErrors: 0, invalidDecisions: 0, internalErrors: 0, fastPath: 0, slowPath: 0,
    cacheHits: 0, cacheMisses: 0, tcpConnections: 0, tcpRejectedConnections: 0, tcpIdleTimeouts: 0,
    tcpIncompleteFrames: 0, tcpBufferOverflows: 0, lastError: undefined,
  };
}

/** A switch rather than `counters[outcome]++`: one monomorphic store per case on the hot path. */
export function countOutcome(counters: DnsCounters, outcome: Outcome): void {
  switch (outcome) {
    case 'answered': counters.answered++; break;
    case 'nodata': counters.nodata++; break;
    case 'nxdomain': counters.nxdomain++; break;
    case 'refused': counters.refused++; break;
    case 'servfail': counters.servfail++; break;
    case 'badvers': counters.badvers++; break;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
