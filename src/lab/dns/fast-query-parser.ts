/**
 * The fast path: the query almost every client sends — opcode QUERY, one question whose name is plain
 * host-name characters without compression, nothing in the answer and authority sections, at most an
 * OPT record of EDNS version 0 with at most one IPv4 client subnet option. Anything else returns null
 * and goes to the full parser, which also owns every error response; so this code only has to be right
 * about what it accepts.
 */
import { formatIpv4Prefix } from './client-subnet.ts';
import type { ZoneRelation } from './domain-name.ts';
import { ednsShapeKey, queryShapeKey, subnetShapeKey, type ClientSubnetOption, type ParsedEdns, type ParsedQuery } from './parsed-query.ts';
import { EDNS_FLAG_DO, HEADER_BYTES, MAX_LABEL_BYTES, MAX_NAME_WIRE_BYTES, OPTION_CLIENT_SUBNET, RecordType } from './wire-constants.ts';

/** Each byte's lower-case form where it may appear in a fast-path label (letters, digits, - and _), else 0. */
const LABEL_BYTE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const character of 'abcdefghijklmnopqrstuvwxyz0123456789-_') table[character.charCodeAt(0)] = character.charCodeAt(0);
  for (const character of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') table[character.charCodeAt(0)] = character.toLowerCase().charCodeAt(0);
  return table;
})();
const DOT = 0x2e;
/** QR and the opcode: both zero for a standard query. */
const QR_AND_OPCODE = 0xf8;
const OPT_FIXED_BYTES = 11;

export interface ZoneNames {
  /** 'shop.meridian.test' */
  readonly zone: string;
  /** '.shop.meridian.test': host-name characters only, so a text suffix test is a label test. */
  readonly dottedZone: string;
}

/** The lower-cased name into `scratch` ('www.shop.test'): its length, and the offset after the name's root byte. */
function readPlainName(message: Buffer, scratch: Buffer): { end: number; textLength: number } | undefined {
  let position = HEADER_BYTES;
  let written = 0;
  for (;;) {
    const length = message[position];
    if (length === undefined || length > MAX_LABEL_BYTES) return undefined;
    if (length === 0) break;
    const labelEnd = position + 1 + length;
    if (labelEnd > message.length || labelEnd - HEADER_BYTES >= MAX_NAME_WIRE_BYTES) return undefined;
    if (written > 0) scratch[written++] = DOT;
    for (let index = position + 1; index < labelEnd; index++) {
      const byte = LABEL_BYTE[message[index]!]!;
      if (byte === 0) return undefined;
      scratch[written++] = byte;
    }
    position = labelEnd;
  }
  return written === 0 ? undefined : { end: position + 1, textLength: written };
}

/** One IPv4 client subnet option at `start` (its data), already well-formed; undefined for anything else. */
function readIpv4Subnet(message: Buffer, start: number, length: number): { option: ClientSubnetOption; key: string } | undefined {
  if (length < 4 || message[start] !== 0 || message[start + 1] !== 1 || message[start + 3] !== 0) return undefined;
  const sourcePrefixLength = message[start + 2]!;
  const addressLength = (sourcePrefixLength + 7) >> 3;
  if (sourcePrefixLength > 32 || length !== 4 + addressLength) return undefined;
  const spareBits = addressLength * 8 - sourcePrefixLength;
  if (spareBits > 0 && (message[start + 3 + addressLength]! & ((1 << spareBits) - 1)) !== 0) return undefined;
  const addressBytes = message.subarray(start + 4, start + 4 + addressLength);
  return {
    option: { family: 1, sourcePrefixLength, addressBytes, address: formatIpv4Prefix(addressBytes) },
    key: subnetShapeKey(1, sourcePrefixLength, message.toString('latin1', start + 4, start + 4 + addressLength)),
  };
}

/** The OPT record at `start`, which must end the message; undefined for anything unusual. */
function readOpt(message: Buffer, start: number): { edns: ParsedEdns; key: string } | undefined {
  if (start + OPT_FIXED_BYTES > message.length || message[start] !== 0) return undefined;
  if (message.readUInt16BE(start + 1) !== RecordType.OPT || message[start + 6] !== 0) return undefined;
  const dataLength = message.readUInt16BE(start + 9);
  const end = start + OPT_FIXED_BYTES + dataLength;
  if (end !== message.length) return undefined;
  let subnet: { option: ClientSubnetOption; key: string } | undefined;
  for (let position = start + OPT_FIXED_BYTES; position < end; ) {
    if (position + 4 > end) return undefined;
    const code = message.readUInt16BE(position);
    const length = message.readUInt16BE(position + 2);
    if (position + 4 + length > end) return undefined;
    if (code === OPTION_CLIENT_SUBNET) {
      if (subnet !== undefined) return undefined;
      subnet = readIpv4Subnet(message, position + 4, length);
      if (subnet === undefined) return undefined;
    }
    position += 4 + length;
  }
  const edns: ParsedEdns = {
    udpPayloadSize: message.readUInt16BE(start + 3),
    version: 0,
    dnssecOk: (message.readUInt16BE(start + 7) & EDNS_FLAG_DO) !== 0,
    clientSubnet: subnet?.option,
  };
  return { edns, key: ednsShapeKey(edns, subnet?.key ?? '') };
}

function relationOf(name: string, zone: ZoneNames): ZoneRelation {
  if (name === zone.zone) return 'apex';
  return name.endsWith(zone.dottedZone) ? 'inside' : 'outside';
}

/** The common query, or null for the full parser. `scratch` must hold 255 bytes. */
export function parseQueryFast(message: Buffer, zone: ZoneNames, scratch: Buffer): ParsedQuery | null {
  if (message.length < HEADER_BYTES + 5 || (message[2]! & QR_AND_OPCODE) !== 0) return null;
  if (message[4] !== 0 || message[5] !== 1 || message[6] !== 0 || message[7] !== 0 || message[8] !== 0 || message[9] !== 0) return null;
  if (message[10] !== 0 || message[11]! > 1) return null;
  const plain = readPlainName(message, scratch);
  if (plain === undefined || plain.end + 4 > message.length) return null;
  const type = message.readUInt16BE(plain.end);
  const queryClass = message.readUInt16BE(plain.end + 2);
  if (type === RecordType.OPT) return null;
  let opt: { edns: ParsedEdns; key: string } | undefined;
  if (message[11] === 1) {
    opt = readOpt(message, plain.end + 4);
    if (opt === undefined) return null;
  } else if (plain.end + 4 !== message.length) {
    return null;
  }
  const name = scratch.toString('latin1', 0, plain.textLength);
  return {
    name,
    relation: relationOf(name, zone),
    type,
    class: queryClass,
    questionName: message.subarray(HEADER_BYTES, plain.end),
    edns: opt?.edns,
    shapeKey: queryShapeKey(name, type, queryClass, opt?.key ?? ''),
  };
}
