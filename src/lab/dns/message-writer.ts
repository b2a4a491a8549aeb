/**
 * Builds DNS messages: integers, raw bytes and names with compression (RFC 1035 4.1.4), into a buffer
 * that grows up to the 65 535-byte limit of a DNS message. Used where speed does not matter: building a
 * response once before it is cached, and the test client's queries.
 */
import assert from 'node:assert/strict';
import { DnsWireError } from './dns-errors.ts';
import { presentName, type Labels } from './domain-name.ts';
import { MAX_MESSAGE_BYTES } from './wire-constants.ts';

/** A compression pointer holds a 14-bit offset. */
const MAX_POINTER_TARGET = 0x3fff;
const POINTER_BITS = 0xc000;

export class MessageWriter {
  private buffer: Buffer;
  private length = 0;
  /** Lower-cased presentation of each name suffix already written → where it starts. */
  private readonly suffixOffsets = new Map<string, number>();

  constructor(initialBytes = 512) {
    this.buffer = Buffer.alloc(initialBytes);
  }

  get offset(): number {
    return this.length;
  }

  private reserve(byteCount: number): number {
    const start = this.length;
    const needed = start + byteCount;
    if (needed > MAX_MESSAGE_BYTES) throw new DnsWireError(start, `the message would exceed ${MAX_MESSAGE_BYTES} bytes`);
    if (needed > this.buffer.length) {
      const grown = Buffer.alloc(Math.min(MAX_MESSAGE_BYTES, Math.max(needed, this.buffer.length * 2)));
      this.buffer.copy(grown, 0, 0, start);
      this.buffer = grown;
    }
    this.length = needed;
    return start;
  }

  u8(value: number): this {
    const offset = this.reserve(1);
    this.buffer[offset] = value;
    return this;
  }

  u16(value: number): this {
    assert.ok(Number.isInteger(value) && value >= 0 && value <= 0xffff, `not a 16-bit value: ${value}`);
    const offset = this.reserve(2);
    this.buffer.writeUInt16BE(value, offset);
    return this;
  }

  u32(value: number): this {
    assert.ok(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff, `not a 32-bit value: ${value}`);
    const offset = this.reserve(4);
    this.buffer.writeUInt32BE(value, offset);
    return this;
  }

  bytes(data: Uint8Array): this {
    // reserve() may replace the buffer: take the offset before touching it.
    const offset = this.reserve(data.length);
    this.buffer.set(data, offset);
    return this;
  }

  /** Writes a 16-bit value later (a record's data length): returns where. */
  placeholderU16(): number {
    return this.reserve(2);
  }

  patchU16(offset: number, value: number): void {
    this.buffer.writeUInt16BE(value, offset);
  }

  /** Writes `labels`, pointing to the longest suffix already written when `compress`. */
  name(labels: Labels, compress = true): this {
    for (let index = 0; index < labels.length; index++) {
      const suffix = labels.slice(index);
      const key = presentName(suffix);
      const known = compress ? this.suffixOffsets.get(key) : undefined;
      if (known !== undefined) return this.u16(POINTER_BITS | known);
      if (this.length <= MAX_POINTER_TARGET && !this.suffixOffsets.has(key)) this.suffixOffsets.set(key, this.length);
      this.u8(labels[index]!.length).bytes(labels[index]!);
    }
    return this.u8(0);
  }

  /** A copy of exactly the bytes written. */
  finish(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}
