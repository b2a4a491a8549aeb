/**
 * A small DNS client for the tests and the benchmark: build a query (any name case, EDNS, client subnet,
 * raw options), send it over UDP or TCP (several per connection), and read a response into plain data.
 * It shares only the general codec with the server, not the fast path the server answers most queries with.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readHeader, decodeMessage, type DecodedRecord } from './message-decoder.ts';
import { MessageWriter } from './message-writer.ts';
import { presentName, type Labels } from './domain-name.ts';
import { ipv4Bytes, readA, readNameData, readOpt, readSoa, writeOpt, type EdnsOption } from './record-data.ts';
import { CLASS_IN, FLAG_AA, FLAG_CD, FLAG_RD, FLAG_TC, OPTION_CLIENT_SUBNET, RecordType, typeName, typeNumber } from './wire-constants.ts';

export interface QueryEdns {
  /** @default 1232 */
  readonly udpPayloadSize?: number;
  /** @default 0 */
  readonly version?: number;
  readonly dnssecOk?: boolean;
  /** An IPv4 client subnet: the address is cut to the prefix as RFC 7871 asks. */
  readonly clientSubnet?: { readonly address: string; readonly sourcePrefixLength: number };
  /** Further options, sent as given (for malformed ones too). */
  readonly options?: readonly EdnsOption[];
}

export interface QuerySpec {
  /** @default 0x1234 */
  readonly id?: number;
  /** As sent, case kept: 'WwW.shop.meridian.test'. */
  readonly name: string;
  /** @default 'A' */
  readonly type?: string;
  /** @default 1 (IN) */
  readonly class?: number;
  /** @default true */
  readonly recursionDesired?: boolean;
  readonly checkingDisabled?: boolean;
  /** @default no OPT record */
  readonly edns?: QueryEdns;
}

function labelsOf(name: string): Labels {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  return text === '' ? [] : text.split('.').map((label) => Buffer.from(label, 'latin1'));
}

/** The ECS option data for an IPv4 prefix: family 1, the prefix, scope 0, the address cut and masked. */
export function clientSubnetOption(address: string, sourcePrefixLength: number): EdnsOption {
  const bytes = ipv4Bytes(address).subarray(0, (sourcePrefixLength + 7) >> 3);
  const spareBits = bytes.length * 8 - sourcePrefixLength;
  if (spareBits > 0) bytes[bytes.length - 1]! &= 0xff << spareBits;
  const data = new Uint8Array(4 + bytes.length);
  data.set([0, 1, sourcePrefixLength, 0]);
  data.set(bytes, 4);
  return { code: OPTION_CLIENT_SUBNET, data };
}

export function encodeQuery(spec: QuerySpec): Buffer {
  const writer = new MessageWriter();
  const type = typeNumber(spec.type ?? 'A');
  if (type === undefined) throw new RangeError(`unknown type ${spec.type}`);
  writer.u16(spec.id ?? 0x1234).u8(spec.recursionDesired === false ? 0 : FLAG_RD).u8(spec.checkingDisabled === true ? FLAG_CD : 0);
  writer.u16(1).u16(0).u16(0).u16(spec.edns === undefined ? 0 : 1);
  writer.name(labelsOf(spec.name), false).u16(type).u16(spec.class ?? CLASS_IN);
  const edns = spec.edns;
  if (edns !== undefined) {
    const options = [...(edns.clientSubnet === undefined ? [] : [clientSubnetOption(edns.clientSubnet.address, edns.clientSubnet.sourcePrefixLength)]), ...(edns.options ?? [])];
    writeOpt(writer, { udpPayloadSize: edns.udpPayloadSize ?? 1232, extendedRcode: 0, version: edns.version ?? 0, flags: edns.dnssecOk === true ? 0x8000 : 0, options });
  }
  return writer.finish();
}

export interface ResponseRecord {
  readonly name: string;
  readonly type: string;
  readonly class: number;
  readonly ttl: number;
  /** A: the address; NS: the host; SOA: 'primary responsible serial refresh retry expire minimum'; else hex. */
  readonly data: string;
}

export interface ResponseView {
  readonly id: number;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  readonly checkingDisabled: boolean;
  /** Extended with the OPT record's upper bits: 16 is BADVERS. */
  readonly rcode: number;
  readonly question: { readonly name: string; readonly type: string; readonly class: number } | undefined;
  /** The question name's bytes as the response spells them (case kept). */
  readonly questionNameText: string | undefined;
  readonly answers: readonly ResponseRecord[];
  readonly authorities: readonly ResponseRecord[];
  readonly additionals: readonly ResponseRecord[];
  readonly edns: { readonly udpPayloadSize: number; readonly version: number; readonly dnssecOk: boolean; readonly options: readonly EdnsOption[] } | undefined;
  readonly clientSubnet: { readonly family: number; readonly sourcePrefixLength: number; readonly scopePrefixLength: number; readonly address: string } | undefined;
}

function recordData(message: Uint8Array, record: DecodedRecord): string {
  if (record.type === RecordType.A) return readA(record);
  if (record.type === RecordType.NS || record.type === RecordType.CNAME) return presentName(readNameData(message, record));
  if (record.type === RecordType.SOA) {
    const soa = readSoa(message, record);
    return [presentName(soa.primaryNameServer), presentName(soa.responsiblePerson), soa.serial, soa.refreshSeconds, soa.retrySeconds, soa.expireSeconds, soa.minimumTtlSeconds].join(' ');
  }
  return Buffer.from(record.data).toString('hex');
}

function viewRecords(message: Uint8Array, records: readonly DecodedRecord[]): ResponseRecord[] {
  return records
    .filter((record) => record.type !== RecordType.OPT)
    .map((record) => ({ name: presentName(record.labels), type: typeName(record.type), class: record.class, ttl: record.ttl, data: recordData(message, record) }));
}

function viewSubnet(options: readonly EdnsOption[]): ResponseView['clientSubnet'] {
  const option = options.find((candidate) => candidate.code === OPTION_CLIENT_SUBNET);
  if (option === undefined) return undefined;
  const data = option.data;
  const address = data[1] === 1 ? Array.from({ length: 4 }, (_, index) => data[4 + index] ?? 0).join('.') : Buffer.from(data.subarray(4)).toString('hex');
  return { family: (data[0]! << 8) | data[1]!, sourcePrefixLength: data[2]!, scopePrefixLength: data[3]!, address };
}

/** A response as plain data; throws DnsWireError if it is not a well-formed message. */
export function viewResponse(message: Uint8Array): ResponseView {
  const decoded = decodeMessage(message);
  const header = readHeader(message);
  const opt = decoded.additionals.find((record) => record.type === RecordType.OPT);
  const optFields = opt === undefined ? undefined : readOpt(opt);
  const question = decoded.questions[0];
  return {
    id: header.id,
    opcode: (header.flags >> 11) & 0x0f,
    authoritative: (message[2]! & FLAG_AA) !== 0,
    truncated: (message[2]! & FLAG_TC) !== 0,
    recursionDesired: (message[2]! & FLAG_RD) !== 0,
    recursionAvailable: (message[3]! & 0x80) !== 0,
    checkingDisabled: (message[3]! & FLAG_CD) !== 0,
    rcode: (header.flags & 0x0f) | ((optFields?.extendedRcode ?? 0) << 4),
    question: question === undefined ? undefined : { name: presentName(question.labels), type: typeName(question.type), class: question.class },
    questionNameText: question === undefined ? undefined : question.labels.map((label) => Buffer.from(label).toString('latin1')).join('.'),
    answers: viewRecords(message, decoded.answers),
    authorities: viewRecords(message, decoded.authorities),
    additionals: viewRecords(message, decoded.additionals),
    edns: optFields === undefined ? undefined : { udpPayloadSize: optFields.udpPayloadSize, version: optFields.version, dnssecOk: (optFields.flags & 0x8000) !== 0, options: optFields.options },
    clientSubnet: optFields === undefined ? undefined : viewSubnet(optFields.options),
  };
}

/** Sends one datagram and resolves with the first datagram back, or undefined after `timeoutMs`. */
export function sendUdp(message: Uint8Array, port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<Buffer | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (response: Buffer | undefined, error?: Error) => {
      clearTimeout(timer);
      socket.close();
      if (error === undefined) resolve(response);
      else reject(error);
    };
    socket.once('message', (response) => finish(response));
    socket.once('error', (error) => finish(undefined, error));
    socket.send(message, port, host);
  });
}

/** Sends `messages` on one TCP connection, each framed, and resolves with `expected` responses in order. */
export function sendTcp(messages: readonly Uint8Array[], port: number, host = '127.0.0.1', expected = messages.length, timeoutMs = 5000): Promise<Buffer[]> {
  const framed = Buffer.concat(messages.map((message) => Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message])));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const responses: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error(`only ${responses.length} of ${expected} TCP responses within ${timeoutMs} ms`)), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(responses);
      else reject(error);
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        responses.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (responses.length >= expected) done();
    });
    socket.on('error', (error) => done(error));
    socket.on('close', () => done(responses.length >= expected ? undefined : new Error(`the server closed after ${responses.length} of ${expected} responses`)));
    socket.write(framed);
  });
}
