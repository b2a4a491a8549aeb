/**
 * The records this server writes and reads — A, NS, SOA and the EDNS OPT pseudo-record (RFC 6891 6.1.2)
 * — as writer calls and as decoders of a DecodedRecord. Anything else a client might send is carried as
 * raw bytes and never interpreted.
 */
import { DnsWireError } from './dns-errors.ts';
import type { Labels } from './domain-name.ts';
import { readName, type DecodedRecord } from './message-decoder.ts';
import type { MessageWriter } from './message-writer.ts';
import { CLASS_IN, RecordType } from './wire-constants.ts';

export interface SoaData {
  readonly primaryNameServer: Labels;
  readonly responsiblePerson: Labels;
  readonly serial: number;
  readonly refreshSeconds: number;
  readonly retrySeconds: number;
  readonly expireSeconds: number;
  /** RFC 2308: the negative-caching TTL. */
  readonly minimumTtlSeconds: number;
}

export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface OptFields {
  readonly udpPayloadSize: number;
  /** The upper 8 bits of a 12-bit rcode. */
  readonly extendedRcode: number;
  readonly version: number;
  /** 16 bits; the DO bit is the highest. */
  readonly flags: number;
  readonly options: readonly EdnsOption[];
}

const ROOT: Labels = [];

/** '10.0.0.1' → 4 bytes; the caller has checked it with net.isIPv4. */
export function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map(Number));
}

function writeRecord(writer: MessageWriter, owner: Labels, type: number, recordClass: number, ttl: number, data: (writer: MessageWriter) => void): void {
  writer.name(owner).u16(type).u16(recordClass).u32(ttl);
  const lengthOffset = writer.placeholderU16();
  const start = writer.offset;
  data(writer);
  writer.patchU16(lengthOffset, writer.offset - start);
}

export function writeA(writer: MessageWriter, owner: Labels, ttlSeconds: number, address: string): void {
  writeRecord(writer, owner, RecordType.A, CLASS_IN, ttlSeconds, (w) => w.bytes(ipv4Bytes(address)));
}

export function writeNs(writer: MessageWriter, owner: Labels, ttlSeconds: number, host: Labels): void {
  writeRecord(writer, owner, RecordType.NS, CLASS_IN, ttlSeconds, (w) => w.name(host));
}

export function writeSoa(writer: MessageWriter, owner: Labels, ttlSeconds: number, soa: SoaData): void {
  writeRecord(writer, owner, RecordType.SOA, CLASS_IN, ttlSeconds, (w) => {
    w.name(soa.primaryNameServer).name(soa.responsiblePerson);
    w.u32(soa.serial).u32(soa.refreshSeconds).u32(soa.retrySeconds).u32(soa.expireSeconds).u32(soa.minimumTtlSeconds);
  });
}

export function writeOpt(writer: MessageWriter, opt: OptFields): void {
  const ttl = ((opt.extendedRcode << 24) | (opt.version << 16) | opt.flags) >>> 0;
  writeRecord(writer, ROOT, RecordType.OPT, opt.udpPayloadSize, ttl, (w) => {
    for (const option of opt.options) w.u16(option.code).u16(option.data.length).bytes(option.data);
  });
}

export function readA(record: DecodedRecord): string {
  if (record.data.length !== 4) throw new DnsWireError(record.dataOffset, `an A record holds 4 bytes, not ${record.data.length}`);
  return Array.from(record.data).join('.');
}

/** The name an NS (or CNAME, PTR) record holds; it may point back into the message. */
export function readNameData(message: Uint8Array, record: DecodedRecord): Labels {
  const name = readName(message, record.dataOffset);
  if (name.end !== record.dataOffset + record.data.length) throw new DnsWireError(record.dataOffset, 'the name does not fill the record data');
  return name.labels;
}

export function readSoa(message: Uint8Array, record: DecodedRecord): SoaData {
  const primary = readName(message, record.dataOffset);
  const responsible = readName(message, primary.end);
  const fieldsEnd = responsible.end + 20;
  if (fieldsEnd !== record.dataOffset + record.data.length) throw new DnsWireError(responsible.end, 'SOA data has the wrong length');
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const u32 = (index: number) => view.getUint32(responsible.end + 4 * index);
  return {
    primaryNameServer: primary.labels,
    responsiblePerson: responsible.labels,
    serial: u32(0),
    refreshSeconds: u32(1),
    retrySeconds: u32(2),
    expireSeconds: u32(3),
    minimumTtlSeconds: u32(4),
  };
}

export function readOpt(record: DecodedRecord): OptFields {
  const options: EdnsOption[] = [];
  const data = record.data;
  let position = 0;
  while (position < data.length) {
    if (position + 4 > data.length) throw new DnsWireError(record.dataOffset + position, 'an EDNS option header is cut off');
    const code = (data[position]! << 8) | data[position + 1]!;
    const length = (data[position + 2]! << 8) | data[position + 3]!;
    if (position + 4 + length > data.length) throw new DnsWireError(record.dataOffset + position, `EDNS option ${code} runs past its record`);
    options.push({ code, data: data.subarray(position + 4, position + 4 + length) });
    position += 4 + length;
  }
  return {
    udpPayloadSize: record.class,
    extendedRcode: record.ttl >>> 24,
    version: (record.ttl >>> 16) & 0xff,
    flags: record.ttl & 0xffff,
    options,
  };
}
