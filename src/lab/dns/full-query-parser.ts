/**
 * The slow path: any message the fast path declined. Decodes it whole (message-decoder.ts) and sorts it
 * into a query the server answers, an error response (FORMERR, NOTIMP) or a drop. The order follows what
 * each check needs: a header to answer at all, the opcode before the question count (NOTIMP for an
 * UPDATE whatever it carries), then the sections.
 */
import { parseClientSubnet } from './client-subnet.ts';
import { DnsWireError } from './dns-errors.ts';
import { encodeName, presentName, zoneRelation, type Labels } from './domain-name.ts';
import { decodeMessage, type DecodedMessage, type DecodedRecord } from './message-decoder.ts';
import { ednsShapeKey, queryShapeKey, subnetShapeKey, type ClientSubnetOption, type ParsedEdns, type ParsedQuery } from './parsed-query.ts';
import { readOpt } from './record-data.ts';
import { EDNS_FLAG_DO, FLAG_QR, HEADER_BYTES, OPCODE_MASK, OPCODE_QUERY, OPTION_CLIENT_SUBNET, Rcode, RecordType } from './wire-constants.ts';

export type FullParseResult =
  | { readonly kind: 'query'; readonly query: ParsedQuery }
  /** Answered with a bare header carrying this rcode. */
  | { readonly kind: 'error'; readonly rcode: typeof Rcode.FORMERR | typeof Rcode.NOTIMP; readonly reason: string }
  /** Not answered: no header to answer with, or a response (answering responses can make loops). */
  | { readonly kind: 'drop'; readonly reason: string };

const formerr = (reason: string): FullParseResult => ({ kind: 'error', rcode: Rcode.FORMERR, reason });

function readEdns(message: DecodedMessage): { edns: ParsedEdns | undefined; subnetKey: string } | string {
  const opts = message.additionals.filter((record) => record.type === RecordType.OPT);
  if (opts.length === 0) return { edns: undefined, subnetKey: '' };
  if (opts.length > 1) return 'more than one OPT record';
  const record: DecodedRecord = opts[0]!;
  if (record.labels.length !== 0) return 'the OPT record is not owned by the root';
  const fields = readOpt(record);
  const subnets = fields.options.filter((option) => option.code === OPTION_CLIENT_SUBNET);
  if (subnets.length > 1) return 'more than one client subnet option';
  let clientSubnet: ClientSubnetOption | undefined;
  if (subnets.length === 1) {
    const parsed = parseClientSubnet(subnets[0]!.data);
    if (typeof parsed === 'string') return parsed;
    clientSubnet = parsed;
  }
  const edns: ParsedEdns = { udpPayloadSize: fields.udpPayloadSize, version: fields.version, dnssecOk: (fields.flags & EDNS_FLAG_DO) !== 0, clientSubnet };
  return { edns, subnetKey: clientSubnet === undefined ? '' : subnetShapeKey(clientSubnet.family, clientSubnet.sourcePrefixLength, Buffer.from(clientSubnet.addressBytes).toString('latin1')) };
}

function decodeOrReason(message: Uint8Array): DecodedMessage | string {
  try {
    return decodeMessage(message);
  } catch (error) {
    if (error instanceof DnsWireError) return error.message;
    throw error;
  }
}

export function parseQueryFull(message: Uint8Array, zoneLabels: Labels): FullParseResult {
  if (message.length < HEADER_BYTES) return { kind: 'drop', reason: `${message.length} bytes cannot hold a header` };
  if ((message[2]! & FLAG_QR) !== 0) return { kind: 'drop', reason: 'the message is a response' };
  const opcode = (message[2]! & OPCODE_MASK) >> 3;
  if (opcode !== OPCODE_QUERY) return { kind: 'error', rcode: Rcode.NOTIMP, reason: `opcode ${opcode} is not implemented` };
  const questionCount = (message[4]! << 8) | message[5]!;
  if (questionCount !== 1) return formerr(`a query must ask one question, not ${questionCount}`);
  const decoded = decodeOrReason(message);
  if (typeof decoded === 'string') return formerr(decoded);
  if (decoded.answers.length > 0 || decoded.authorities.length > 0) return formerr('a query carries no answer or authority records');
  const question = decoded.questions[0]!;
  if (question.type === RecordType.OPT) return formerr('OPT is not a type one can ask for');
  let ednsResult: ReturnType<typeof readEdns>;
  try {
    ednsResult = readEdns(decoded);
  } catch (error) {
    if (error instanceof DnsWireError) return formerr(error.message);
    throw error;
  }
  if (typeof ednsResult === 'string') return formerr(ednsResult);
  const name = presentName(question.labels);
  const query: ParsedQuery = {
    name,
    relation: zoneRelation(question.labels, zoneLabels),
    type: question.type,
    class: question.class,
    questionName: encodeName(question.labels),
    edns: ednsResult.edns,
    shapeKey: queryShapeKey(name, question.type, question.class, ednsShapeKey(ednsResult.edns, ednsResult.subnetKey)),
  };
  return { kind: 'query', query };
}
