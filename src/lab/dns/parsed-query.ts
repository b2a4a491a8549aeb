/**
 * A query as both parsers (fast-query-parser.ts, full-query-parser.ts) hand it to the server: the
 * question, its place against the zone, the EDNS shape, and the part of the response-cache key it fixes.
 */
import type { ZoneRelation } from './domain-name.ts';

export interface ClientSubnetOption {
  /** 1 = IPv4, 2 = IPv6 (IANA address family numbers, as on the wire). */
  readonly family: 1 | 2;
  readonly sourcePrefixLength: number;
  /** ADDRESS as sent: just enough bytes for the source prefix, echoed back unchanged (RFC 7871 7.2.1). */
  readonly addressBytes: Uint8Array;
  /** The prefix as an address, the missing bytes zero: '192.0.2.0', '2001:db8::'. */
  readonly address: string;
}

export interface ParsedEdns {
  readonly udpPayloadSize: number;
  /** Anything but 0 gets BADVERS (RFC 6891 6.1.3). */
  readonly version: number;
  /** RFC 3225: copied into the response. */
  readonly dnssecOk: boolean;
  readonly clientSubnet: ClientSubnetOption | undefined;
}

export interface ParsedQuery {
  /** Lower-cased presentation form, no trailing dot (see domain-name.ts). */
  readonly name: string;
  readonly relation: ZoneRelation;
  readonly type: number;
  readonly class: number;
  /** The question name uncompressed, case as sent: the response echoes exactly these bytes. */
  readonly questionName: Uint8Array;
  readonly edns: ParsedEdns | undefined;
  /**
   * Name, type, class and EDNS shape (DO bit, client subnet): everything of the query that changes the
   * response's bytes except the id, RD/CD bits, the name's case (all three patched per query) and the
   * UDP size limit (checked per query).
   */
  readonly shapeKey: string;
}

/** shapeKey's EDNS part: '' without OPT; the client subnet's address goes in as latin1 bytes. */
export function ednsShapeKey(edns: ParsedEdns | undefined, subnetKey: string): string {
  if (edns === undefined) return '';
  return edns.dnssecOk ? `E1${subnetKey}` : `E0${subnetKey}`;
}

export function queryShapeKey(name: string, type: number, queryClass: number, ednsKey: string): string {
  return `${name}\u0000${type}\u0000${queryClass}\u0000${ednsKey}`;
}

/** The client subnet's part of shapeKey; both parsers build it with this, so their keys agree. */
export function subnetShapeKey(family: number, sourcePrefixLength: number, addressLatin1: string): string {
  return `/${family}/${sourcePrefixLength}/${addressLatin1}`;
}
