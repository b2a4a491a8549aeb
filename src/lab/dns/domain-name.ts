/**
 * Domain names as the server handles them: a list of labels (raw bytes, case kept for echoing), the
 * lower-cased presentation form that decide() sees (no trailing dot, RFC 4343 case-insensitive ASCII,
 * unusual bytes escaped so that two different names never print alike), and the zone test done on labels,
 * never on text, so `evil\.shop.meridian.test` is not inside `shop.meridian.test`.
 */
import { MAX_LABEL_BYTES, MAX_NAME_WIRE_BYTES } from './wire-constants.ts';

export type Labels = readonly Uint8Array[];

/** Where a name lies against the zone the server is authoritative for. */
export type ZoneRelation = 'apex' | 'inside' | 'outside';

const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const CASE_BIT = 0x20;
/** Characters that zone files escape with a backslash (RFC 1035 5.1). */
const ESCAPED_PRINTABLE = new Set([...'.\\"();@$'].map((character) => character.charCodeAt(0)));

export function lowerAscii(byte: number): number {
  return byte >= UPPER_A && byte <= UPPER_Z ? byte | CASE_BIT : byte;
}

function presentLabel(label: Uint8Array): string {
  let text = '';
  for (const byte of label) {
    const lower = lowerAscii(byte);
    if (ESCAPED_PRINTABLE.has(lower)) text += `\\${String.fromCharCode(lower)}`;
    else if (lower > 0x20 && lower < 0x7f) text += String.fromCharCode(lower);
    else text += `\\${String(lower).padStart(3, '0')}`;
  }
  return text;
}

/** Lower-cased, labels joined by dots, no trailing dot; the root is ''. */
export function presentName(labels: Labels): string {
  return labels.map(presentLabel).join('.');
}

/** The uncompressed wire form, labels as given (case kept). */
export function encodeName(labels: Labels): Buffer {
  const bytes = Buffer.alloc(labels.reduce((total, label) => total + 1 + label.length, 1));
  let offset = 0;
  for (const label of labels) {
    bytes[offset++] = label.length;
    bytes.set(label, offset);
    offset += label.length;
  }
  return bytes;
}

function labelsEqualIgnoringCase(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    if (lowerAscii(left[index]!) !== lowerAscii(right[index]!)) return false;
  }
  return true;
}

export function zoneRelation(labels: Labels, zoneLabels: Labels): ZoneRelation {
  const extra = labels.length - zoneLabels.length;
  if (extra < 0) return 'outside';
  for (let index = 0; index < zoneLabels.length; index++) {
    if (!labelsEqualIgnoringCase(labels[extra + index]!, zoneLabels[index]!)) return 'outside';
  }
  return extra === 0 ? 'apex' : 'inside';
}

/** Host-name characters (and `_`, as in service labels): what a configured name may hold. */
const CONFIG_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * A configured name ('shop.meridian.test', a trailing dot allowed) as labels, or an explanation of why it
 * is not one. Only host-name characters: configuration never needs escapes.
 */
export function parseConfiguredName(text: string): Labels | string {
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text;
  if (trimmed === '') return 'must name at least one label';
  const labels = trimmed.toLowerCase().split('.');
  const bad = labels.find((label) => !CONFIG_LABEL.test(label));
  if (bad !== undefined) return `label ${JSON.stringify(bad)} must be 1-${MAX_LABEL_BYTES} letters, digits, - or _`;
  const wireBytes = labels.reduce((total, label) => total + 1 + label.length, 1);
  if (wireBytes > MAX_NAME_WIRE_BYTES) return `is ${wireBytes} bytes on the wire, more than ${MAX_NAME_WIRE_BYTES}`;
  return labels.map((label) => Buffer.from(label, 'latin1'));
}
