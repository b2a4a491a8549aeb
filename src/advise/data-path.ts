import { regionRtt } from '../catalog/latency.ts';
import { SERVICE_LEVELS } from '../catalog/service-levels.ts';
import type { DataPlacement } from './architecture.ts';
import type { Operation } from './traffic.ts';

/**
 * What one data operation costs beyond the serving region: the inter-region round trips it pays and
 * where it is answered. The numbers behind every leg are catalog round trips.
 */
export interface DataPath {
  /** Inter-region round-trip time the operation waits for, p50, in ms. */
  readonly interRegionRttMs: number;
  readonly interRegionRoundTrips: number;
  /** Region whose database answers. */
  readonly answeredIn: string;
  /** Plain words: "forwarded to writer us-east-1 (74 ms)". */
  readonly path: string;
  readonly dbLatencyMs: { readonly p50: number; readonly p99: number };
}

function nearest(from: string, regions: readonly string[]): string {
  return [...regions].sort((a, b) => regionRtt(from, a).rttMs - regionRtt(from, b).rttMs)[0]!;
}

/** The round trip a quorum member waits for: the nearest other member (a majority of 3 is 2). */
function quorumRttMs(member: string, placement: DataPlacement): { rttMs: number; peer: string } {
  const others = [...placement.replicas, ...(placement.witness ? [placement.witness] : [])].filter((code) => code !== member);
  const peer = nearest(member, others);
  return { rttMs: regionRtt(member, peer).rttMs, peer };
}

function dbLatency(placement: DataPlacement): { p50: number; p99: number } {
  const aurora = placement.engine === 'aurora-cluster' || placement.engine === 'aurora-global-database';
  const figures = aurora ? SERVICE_LEVELS.aurora_request_latency_ms : SERVICE_LEVELS.dynamodb_request_latency_ms;
  return { p50: figures.p50, p99: figures.p99 };
}

function leg(from: string, to: string): number {
  return from === to ? 0 : regionRtt(from, to).rttMs;
}

export function dataPath(placement: DataPlacement, servingRegion: string, operation: Operation, consistentReads: boolean): DataPath {
  const dbLatencyMs = dbLatency(placement);
  const local = placement.replicas.includes(servingRegion);
  const quorum = placement.engine === 'dynamodb-mrsc' && (operation === 'write' || consistentReads);
  if (quorum) {
    const member = local ? servingRegion : nearest(servingRegion, placement.replicas);
    const toMember = leg(servingRegion, member);
    const commit = quorumRttMs(member, placement);
    const verb = operation === 'write' ? 'commits' : 'confirms the latest version';
    const path = `${toMember > 0 ? `forwarded to ${member} (${toMember.toFixed(0)} ms), ` : ''}${verb} with ${commit.peer} (${commit.rttMs.toFixed(0)} ms)`;
    return { interRegionRttMs: toMember + commit.rttMs, interRegionRoundTrips: (toMember > 0 ? 1 : 0) + 1, answeredIn: member, path, dbLatencyMs };
  }
  if (operation === 'write' && placement.writer !== undefined) {
    const rtt = leg(servingRegion, placement.writer);
    const path = rtt > 0 ? `forwarded to writer ${placement.writer} (${rtt.toFixed(0)} ms)` : `local writer ${placement.writer}`;
    return { interRegionRttMs: rtt, interRegionRoundTrips: rtt > 0 ? 1 : 0, answeredIn: placement.writer, path, dbLatencyMs };
  }
  if (local) return { interRegionRttMs: 0, interRegionRoundTrips: 0, answeredIn: servingRegion, path: `local replica in ${servingRegion}`, dbLatencyMs };
  const target = nearest(servingRegion, placement.replicas);
  const rtt = leg(servingRegion, target);
  return { interRegionRttMs: rtt, interRegionRoundTrips: 1, answeredIn: target, path: `no replica in ${servingRegion}: forwarded to ${target} (${rtt.toFixed(0)} ms)`, dbLatencyMs };
}
