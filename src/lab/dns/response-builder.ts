/**
 * A plan as response bytes: header (id 0 and RD clear: the server patches both per query), the question
 * as the query spelled it, the sections, and the OPT record when the query had one. Also the truncated
 * form for UDP (RFC 2181 9, RFC 6891 7: header with TC, question and OPT, no records).
 */
import { clientSubnetResponseData } from './client-subnet.ts';
import type { Labels } from './domain-name.ts';
import { MessageWriter } from './message-writer.ts';
import type { ParsedQuery } from './parsed-query.ts';
import { writeA, writeNs, writeOpt, writeSoa, type EdnsOption } from './record-data.ts';
import type { RecordSpec, ResponsePlan } from './response-plan.ts';
import { EDNS_FLAG_DO, FLAG_AA, FLAG_QR, FLAG_TC, OPTION_CLIENT_SUBNET } from './wire-constants.ts';

function writeSpec(writer: MessageWriter, spec: RecordSpec): void {
  if (spec.type === 'A') writeA(writer, spec.owner, spec.ttlSeconds, spec.address);
  else if (spec.type === 'NS') writeNs(writer, spec.owner, spec.ttlSeconds, spec.host);
  else writeSoa(writer, spec.owner, spec.ttlSeconds, spec.soa);
}

function writeEdns(writer: MessageWriter, query: ParsedQuery, plan: ResponsePlan, maxUdpPayloadBytes: number): void {
  const edns = query.edns!;
  const options: EdnsOption[] = [];
  if (edns.clientSubnet !== undefined) {
    options.push({ code: OPTION_CLIENT_SUBNET, data: clientSubnetResponseData(edns.clientSubnet, plan.scopePrefixLength) });
  }
  writeOpt(writer, {
    udpPayloadSize: maxUdpPayloadBytes,
    extendedRcode: plan.rcode >> 4,
    version: 0,
    flags: edns.dnssecOk ? EDNS_FLAG_DO : 0,
    options,
  });
}

/**
 * The response to `query` (whose question name is `owner`), without records when `truncated`. The
 * question name is written first, at offset 12, uncompressed: every later name points back to it.
 */
export function buildResponse(query: ParsedQuery, owner: Labels, plan: ResponsePlan, maxUdpPayloadBytes: number, truncated: boolean): Buffer {
  const writer = new MessageWriter();
  const records = truncated ? { answers: [], authority: [], additional: [] } : plan;
  const additionalCount = records.additional.length + (query.edns === undefined ? 0 : 1);
  writer.u16(0);
  writer.u8(FLAG_QR | (plan.authoritative ? FLAG_AA : 0) | (truncated ? FLAG_TC : 0)).u8(plan.rcode & 0x0f);
  writer.u16(1).u16(records.answers.length).u16(records.authority.length).u16(additionalCount);
  writer.name(owner).u16(query.type).u16(query.class);
  for (const spec of records.answers) writeSpec(writer, spec);
  for (const spec of records.authority) writeSpec(writer, spec);
  for (const spec of records.additional) writeSpec(writer, spec);
  if (query.edns !== undefined) writeEdns(writer, query, plan, maxUdpPayloadBytes);
  return writer.finish();
}

/** A header-only answer to a message that cannot be answered properly (FORMERR, NOTIMP): id, opcode and RD kept. */
export function buildHeaderOnly(message: Uint8Array, rcode: number): Buffer {
  const response = Buffer.alloc(12);
  response[0] = message[0]!;
  response[1] = message[1]!;
  response[2] = FLAG_QR | (message[2]! & 0x79);
  response[3] = rcode & 0x0f;
  return response;
}
