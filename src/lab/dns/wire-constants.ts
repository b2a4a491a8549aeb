/**
 * Numbers of the DNS wire format (RFC 1035 section 4, RFC 6891, RFC 7871) and the names of record types
 * as the zone-file format writes them (RFC 3597 `TYPE<n>` for the rest).
 */

export const HEADER_BYTES = 12;
/** The largest DNS message: TCP frames it with a 16-bit length. */
export const MAX_MESSAGE_BYTES = 65_535;
/** RFC 1035 2.3.4: a name takes at most 255 bytes on the wire, a label at most 63. */
export const MAX_NAME_WIRE_BYTES = 255;
export const MAX_LABEL_BYTES = 63;
/** Without EDNS a UDP response may carry at most 512 bytes (RFC 1035 4.2.1). */
export const CLASSIC_UDP_PAYLOAD_BYTES = 512;

/** Bits of the header's third byte (QR, opcode, AA, TC, RD) and fourth byte (RA, Z, AD, CD, rcode). */
export const FLAG_QR = 0x80;
export const OPCODE_MASK = 0x78;
export const FLAG_AA = 0x04;
export const FLAG_TC = 0x02;
export const FLAG_RD = 0x01;
export const FLAG_CD = 0x10;

export const OPCODE_QUERY = 0;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (RFC 6891 6.1.3): 16 = 1 in the OPT record's extended-rcode byte, 0 in the header. */
  BADVERS: 16,
} as const;

export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
} as const;

export const CLASS_IN = 1;
export const OPTION_CLIENT_SUBNET = 8;
/** The DO bit of the OPT record's flags (RFC 3225), in the high byte of the 16-bit flags. */
export const EDNS_FLAG_DO = 0x8000;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [5, 'CNAME'], [6, 'SOA'], [12, 'PTR'], [13, 'HINFO'], [15, 'MX'], [16, 'TXT'],
  [28, 'AAAA'], [33, 'SRV'], [35, 'NAPTR'], [39, 'DNAME'], [41, 'OPT'], [43, 'DS'], [46, 'RRSIG'],
  [47, 'NSEC'], [48, 'DNSKEY'], [50, 'NSEC3'], [52, 'TLSA'], [64, 'SVCB'], [65, 'HTTPS'], [99, 'SPF'],
  [251, 'IXFR'], [252, 'AXFR'], [253, 'MAILB'], [254, 'MAILA'], [255, 'ANY'], [257, 'CAA'],
]);

/** Every 16-bit type's name, computed once, so the hot path indexes an array instead of building strings. */
const TYPE_NAME_BY_NUMBER: readonly string[] = Array.from({ length: 65_536 }, (_, type) => TYPE_NAMES.get(type) ?? `TYPE${type}`);

export function typeName(type: number): string {
  return TYPE_NAME_BY_NUMBER[type] ?? `TYPE${type}`;
}

/** 'A' → 1, 'TYPE99' → 99; undefined for a name that is neither known nor TYPE<n>. */
export function typeNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  for (const [type, known] of TYPE_NAMES) if (known === upper) return type;
  const match = /^TYPE(\d{1,5})$/.exec(upper);
  const type = match === null ? Number.NaN : Number(match[1]);
  return Number.isInteger(type) && type <= 0xffff ? type : undefined;
}
