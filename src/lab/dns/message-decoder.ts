/**
 * The general DNS message decoder: every section, names with compression pointers. The server's slow
 * path and the test and benchmark client use it; the server's fast path (fast-query-parser.ts) avoids it
 * for the common query. Every read is bounds-checked and every loop bounded by the message's length, so
 * hostile bytes end in a DnsWireError, never in a hang or a crash.
 */
import { DnsWireError } from './dns-errors.ts';
import type { Labels } from './domain-name.ts';
import { HEADER_BYTES, MAX_NAME_WIRE_BYTES } from './wire-constants.ts';

export interface DnsHeader {
  readonly id: number;
  /** The 16 bits after the id: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode. */
  readonly flags: number;
  readonly questionCount: number;
  readonly answerCount: number;
  readonly authorityCount: number;
  readonly additionalCount: number;
}

export interface DecodedQuestion {
  readonly labels: Labels;
  readonly type: number;
  readonly class: number;
}

export interface DecodedRecord {
  readonly labels: Labels;
  readonly type: number;
  readonly class: number;
  /** Unsigned 32-bit; for OPT it carries the extended rcode, version and flags. */
  readonly ttl: number;
  readonly data: Uint8Array;
  /** Where `data` starts in the message: names inside it may point back into the message. */
  readonly dataOffset: number;
}

export interface DecodedMessage {
  readonly header: DnsHeader;
  readonly questions: readonly DecodedQuestion[];
  readonly answers: readonly DecodedRecord[];
  readonly authorities: readonly DecodedRecord[];
  readonly additionals: readonly DecodedRecord[];
}

/** The smallest question (root name, type, class) and resource record (root, type, class, TTL, length). */
const MIN_QUESTION_BYTES = 5;
const MIN_RECORD_BYTES = 11;
const POINTER_BITS = 0xc0;

export function readHeader(message: Uint8Array): DnsHeader {
  if (message.length < HEADER_BYTES) throw new DnsWireError(message.length, `a header needs ${HEADER_BYTES} bytes`);
  const u16 = (offset: number) => (message[offset]! << 8) | message[offset + 1]!;
  return {
    id: u16(0),
    flags: u16(2),
    questionCount: u16(4),
    answerCount: u16(6),
    authorityCount: u16(8),
    additionalCount: u16(10),
  };
}

/**
 * A name at `offset`: its labels (views into the message) and the offset just after it where it sits.
 * Pointers must go strictly backwards from the previous one (as BIND requires), which rules out loops.
 */
export function readName(message: Uint8Array, offset: number): { readonly labels: Labels; readonly end: number } {
  const labels: Uint8Array[] = [];
  let position = offset;
  let end = -1;
  let pointerCeiling = offset;
  let wireBytes = 1;
  for (;;) {
    if (position >= message.length) throw new DnsWireError(position, 'the name runs past the end of the message');
    const length = message[position]!;
    if (length === 0) break;
    if ((length & POINTER_BITS) === POINTER_BITS) {
      if (position + 1 >= message.length) throw new DnsWireError(position, 'a compression pointer is cut off');
      const target = ((length & ~POINTER_BITS) << 8) | message[position + 1]!;
      if (target >= pointerCeiling) throw new DnsWireError(position, `a compression pointer to ${target} does not point backwards`);
      if (end < 0) end = position + 2;
      pointerCeiling = target;
      position = target;
      continue;
    }
    if ((length & POINTER_BITS) !== 0) throw new DnsWireError(position, `label type 0x${(length & POINTER_BITS).toString(16)} is not supported`);
    wireBytes += length + 1;
    if (wireBytes > MAX_NAME_WIRE_BYTES) throw new DnsWireError(position, `the name is longer than ${MAX_NAME_WIRE_BYTES} bytes`);
    if (position + 1 + length > message.length) throw new DnsWireError(position, 'a label runs past the end of the message');
    labels.push(message.subarray(position + 1, position + 1 + length));
    position += 1 + length;
  }
  return { labels, end: end < 0 ? position + 1 : end };
}

function u16At(message: Uint8Array, offset: number): number {
  if (offset + 2 > message.length) throw new DnsWireError(offset, 'a 16-bit field runs past the end of the message');
  return (message[offset]! << 8) | message[offset + 1]!;
}

function readQuestions(message: Uint8Array, count: number, offset: number): { questions: DecodedQuestion[]; end: number } {
  if (count * MIN_QUESTION_BYTES > message.length - offset) throw new DnsWireError(offset, `${count} questions cannot fit in the message`);
  const questions: DecodedQuestion[] = [];
  let position = offset;
  for (let index = 0; index < count; index++) {
    const name = readName(message, position);
    questions.push({ labels: name.labels, type: u16At(message, name.end), class: u16At(message, name.end + 2) });
    position = name.end + 4;
  }
  return { questions, end: position };
}

function readRecords(message: Uint8Array, count: number, offset: number): { records: DecodedRecord[]; end: number } {
  if (count * MIN_RECORD_BYTES > message.length - offset) throw new DnsWireError(offset, `${count} records cannot fit in the message`);
  const records: DecodedRecord[] = [];
  let position = offset;
  for (let index = 0; index < count; index++) {
    const name = readName(message, position);
    const type = u16At(message, name.end);
    const recordClass = u16At(message, name.end + 2);
    const ttl = u16At(message, name.end + 4) * 0x10000 + u16At(message, name.end + 6);
    const dataLength = u16At(message, name.end + 8);
    const dataOffset = name.end + 10;
    if (dataOffset + dataLength > message.length) throw new DnsWireError(dataOffset, 'record data runs past the end of the message');
    records.push({ labels: name.labels, type, class: recordClass, ttl, data: message.subarray(dataOffset, dataOffset + dataLength), dataOffset });
    position = dataOffset + dataLength;
  }
  return { records, end: position };
}

/** Decodes a whole message; bytes after the last record are an error unless `allowTrailingBytes`. */
export function decodeMessage(message: Uint8Array, allowTrailingBytes = false): DecodedMessage {
  const header = readHeader(message);
  const question = readQuestions(message, header.questionCount, HEADER_BYTES);
  const answer = readRecords(message, header.answerCount, question.end);
  const authority = readRecords(message, header.authorityCount, answer.end);
  const additional = readRecords(message, header.additionalCount, authority.end);
  if (!allowTrailingBytes && additional.end !== message.length) {
    throw new DnsWireError(additional.end, `${message.length - additional.end} bytes follow the last record`);
  }
  return { header, questions: question.questions, answers: answer.records, authorities: authority.records, additionals: additional.records };
}
