/**
 * The interface between the server and whoever decides the answers (the routing policies): the question
 * as decide() sees it, the decision it returns, and how the server checks a decision and names it in
 * its response cache.
 */
import { isIPv4 } from 'node:net';
import { DnsDecisionError } from './dns-errors.ts';

export interface DnsClientSubnet {
  readonly family: 4 | 6;
  /** The prefix as an address, bits past the prefix zero: '192.0.2.0'. */
  readonly address: string;
  readonly sourcePrefixLength: number;
}

export interface DnsQuestionContext {
  /** Lower-cased, no trailing dot, inside the zone: 'www.shop.meridian.test'. Odd bytes escaped (`\.`, `\032`). */
  readonly name: string;
  /** 'A', 'AAAA', 'SOA', 'NS', 'ANY', … and RFC 3597 'TYPE<n>' for the rest. */
  readonly type: string;
  /** From the query's EDNS Client Subnet option (RFC 7871); absent without one, or for a /0 prefix. */
  readonly clientSubnet?: DnsClientSubnet;
  /** The UDP or TCP peer (a recursive resolver, in the real world). */
  readonly sourceAddress: string;
  readonly transport: 'udp' | 'tcp';
}

/**
 * What to answer. An 'answer' is A records; the server turns it into NODATA for any type other than A
 * and ANY, and an empty list into NODATA. NXDOMAIN at the apex becomes NODATA (the apex exists: it holds
 * the SOA). `scopePrefixLength` is the client-subnet scope (RFC 7871 7.2.1) for queries that sent one:
 * say 0 if the subnet did not matter; by default the source prefix, capped at /24 (IPv6: /56).
 *
 * Return frozen decisions (Object.freeze, addresses too) when you can: the server then recognises a
 * decision it has seen by identity and skips re-reading it. A decision must not change once returned.
 */
export type DnsDecision =
  | { readonly kind: 'answer'; readonly addresses: readonly string[]; readonly ttlSeconds: number; readonly scopePrefixLength?: number }
  | { readonly kind: 'nxdomain'; readonly scopePrefixLength?: number }
  | { readonly kind: 'nodata'; readonly scopePrefixLength?: number }
  | { readonly kind: 'servfail' };

export type DecideFunction = (question: DnsQuestionContext) => DnsDecision;

/** A response must fit a TCP frame: 1 024 A records take about 16 KiB. */
export const MAX_ANSWER_ADDRESSES = 1024;
/** RFC 2181 8: a TTL is a 31-bit unsigned number. */
export const MAX_TTL_SECONDS = 2_147_483_647;
const MAX_SCOPE_PREFIX_LENGTH = 128;

function checkScope(scope: unknown): string {
  if (scope === undefined) return '';
  if (!Number.isInteger(scope) || (scope as number) < 0 || (scope as number) > MAX_SCOPE_PREFIX_LENGTH) {
    throw new DnsDecisionError(`scopePrefixLength must be an integer from 0 to ${MAX_SCOPE_PREFIX_LENGTH}, got ${String(scope)}`);
  }
  return String(scope);
}

function answerKey(decision: { addresses?: unknown; ttlSeconds?: unknown; scopePrefixLength?: unknown }): string {
  const { addresses, ttlSeconds } = decision;
  if (!Array.isArray(addresses) || addresses.length > MAX_ANSWER_ADDRESSES) {
    throw new DnsDecisionError(`addresses must be an array of at most ${MAX_ANSWER_ADDRESSES} IPv4 addresses`);
  }
  for (const address of addresses) {
    if (typeof address !== 'string' || !isIPv4(address)) throw new DnsDecisionError(`${JSON.stringify(address)} is not an IPv4 address`);
  }
  if (!Number.isInteger(ttlSeconds) || (ttlSeconds as number) < 0 || (ttlSeconds as number) > MAX_TTL_SECONDS) {
    throw new DnsDecisionError(`ttlSeconds must be an integer from 0 to ${MAX_TTL_SECONDS}, got ${String(ttlSeconds)}`);
  }
  return `A${ttlSeconds as number}/${checkScope(decision.scopePrefixLength)}/${addresses.join(',')}`;
}

/**
 * The decision's part of a response-cache key: equal keys mean byte-identical responses. Throws a
 * DnsDecisionError for anything that is not a valid DnsDecision (decide() is the caller's code).
 */
export function decisionKey(decision: unknown): string {
  if (typeof decision !== 'object' || decision === null) throw new DnsDecisionError(`decide() returned ${String(decision)}, not a decision`);
  const candidate = decision as { kind?: unknown; scopePrefixLength?: unknown };
  switch (candidate.kind) {
    case 'answer':
      return answerKey(candidate);
    case 'nxdomain':
      return `X/${checkScope(candidate.scopePrefixLength)}`;
    case 'nodata':
      return `N/${checkScope(candidate.scopePrefixLength)}`;
    case 'servfail':
      return 'S';
    default:
      throw new DnsDecisionError(`decision kind ${JSON.stringify(candidate.kind)} is not answer, nxdomain, nodata or servfail`);
  }
}

/** decisionKey, remembered for frozen decisions (which cannot change): one WeakMap lookup per repeat. */
export class DecisionKeys {
  private readonly known = new WeakMap<object, string>();

  keyOf(decision: unknown): string {
    if (typeof decision !== 'object' || decision === null) return decisionKey(decision);
    const remembered = this.known.get(decision);
    if (remembered !== undefined) return remembered;
    const key = decisionKey(decision);
    const addresses = (decision as { addresses?: unknown }).addresses;
    if (Object.isFrozen(decision) && (addresses === undefined || Object.isFrozen(addresses))) this.known.set(decision, key);
    return key;
  }
}
