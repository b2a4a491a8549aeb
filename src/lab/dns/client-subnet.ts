/**
 * The EDNS Client Subnet option (RFC 7871 6): reading it from a query, checking it as 7.1.1 asks (a
 * malformed option gets FORMERR), the scope a response carries, and the option echoed in the response.
 */
import type { ClientSubnetOption } from './parsed-query.ts';

/** RFC 7871 11.1 advises resolvers to send at most /24 (IPv4) and /56 (IPv6): tailor answers no finer. */
export const DEFAULT_MAX_SCOPE_IPV4 = 24;
export const DEFAULT_MAX_SCOPE_IPV6 = 56;
const FAMILY_BITS = { 1: 32, 2: 128 } as const;

/** The option's data (after code and length), or why it is malformed. */
export function parseClientSubnet(data: Uint8Array): ClientSubnetOption | string {
  if (data.length < 4) return 'the client subnet option is shorter than 4 bytes';
  const family = (data[0]! << 8) | data[1]!;
  if (family !== 1 && family !== 2) return `client subnet family ${family} is neither 1 (IPv4) nor 2 (IPv6)`;
  const sourcePrefixLength = data[2]!;
  if (sourcePrefixLength > FAMILY_BITS[family]) return `source prefix /${sourcePrefixLength} is longer than the address`;
  if (data[3] !== 0) return 'a query must send scope prefix length 0';
  const addressBytes = data.subarray(4);
  if (addressBytes.length !== (sourcePrefixLength + 7) >> 3) return `a /${sourcePrefixLength} prefix takes ${(sourcePrefixLength + 7) >> 3} address bytes, not ${addressBytes.length}`;
  const spareBits = addressBytes.length * 8 - sourcePrefixLength;
  if (spareBits > 0 && (addressBytes[addressBytes.length - 1]! & ((1 << spareBits) - 1)) !== 0) return 'address bits beyond the source prefix must be zero';
  return { family, sourcePrefixLength, addressBytes, address: formatPrefixAddress(family, addressBytes) };
}

export function formatIpv4Prefix(bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
}

/** RFC 5952 text: lower-case hex groups, the longest run of two or more zero groups as '::'. */
function formatIpv6Prefix(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[2 * index] ?? 0) << 8) | (bytes[2 * index + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatPrefixAddress(family: 1 | 2, bytes: Uint8Array): string {
  return family === 1 ? formatIpv4Prefix(bytes) : formatIpv6Prefix(bytes);
}

/**
 * The scope a tailored answer carries: what decide() said, else the source prefix capped at /24 or /56;
 * always 0 for a /0 query (RFC 7871 7.2.1: the client asked for an untailored answer).
 */
export function tailoredScope(option: ClientSubnetOption, decidedScope: number | undefined): number {
  if (option.sourcePrefixLength === 0) return 0;
  if (decidedScope !== undefined) return Math.min(decidedScope, FAMILY_BITS[option.family]);
  return Math.min(option.sourcePrefixLength, option.family === 1 ? DEFAULT_MAX_SCOPE_IPV4 : DEFAULT_MAX_SCOPE_IPV6);
}

/** The option data echoed in a response: the query's family, source prefix and address, our scope. */
export function clientSubnetResponseData(option: ClientSubnetOption, scopePrefixLength: number): Uint8Array {
  const data = new Uint8Array(4 + option.addressBytes.length);
  data[1] = option.family;
  data[2] = option.sourcePrefixLength;
  data[3] = scopePrefixLength;
  data.set(option.addressBytes, 4);
  return data;
}
