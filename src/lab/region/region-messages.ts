import type { ResidencyRule } from '../../core/residency/residency-policy.ts';

/**
 * Messages between the supervisor and a region process (Node IPC). Plain JSON, validated on receipt,
 * so that a region process from another build cannot confuse the supervisor silently.
 */
export interface RegionStartOptions {
  readonly region: string;
  readonly dbPath: string;
  /** Data classes whose tables live in this region, and how each replicates. */
  readonly tables: readonly RegionTable[];
  /** Where every data class of the spec may live (core/residency rules), also those with no table here. */
  readonly residency: readonly ResidencyRule[];
  /** Ports to listen on (a restarted region takes its old ones back, so that its clients keep reaching it). @default 0: any free port */
  readonly dataPort?: number;
  readonly replicationPort?: number;
}

export interface RegionTable {
  readonly name: string;
  readonly dataClass: string;
  /**
   * - 'multi-writer': a global table written everywhere (last writer wins);
   * - 'single-writer': one primary takes writes, the others follow (Aurora Global Database-like);
   * - 'strong': a three-member quorum (DynamoDB MRSC-like), one of which may be a witness;
   * - 'local': this region only.
   */
  readonly replication: 'multi-writer' | 'single-writer' | 'strong' | 'local';
  /** Every region holding the table (the witness included, for a strong table). */
  readonly replicas: readonly string[];
  /** single-writer: the primary of the first epoch. */
  readonly primaryRegion?: string;
  /** strong: the member that holds the log but no table. */
  readonly witness?: string;
  /**
   * multi-writer and single-writer: the class's replication lag (the spec's `replicationLagMs`). Replication
   * leaves the region after this lag minus the link's one-way delay, as in the simulator, so what has not
   * left when the region fails is what a failover loses. 0: as soon as it can. @default 0
   */
  readonly replicationLagMs?: number;
}


export type RegionToSupervisor =
  | { readonly kind: 'ready'; readonly region: string; readonly dataPort: number; readonly replicationPort: number; readonly pid: number }
  | { readonly kind: 'failed'; readonly region: string; readonly message: string }
  /** Attribute a connection's bytes on the link to `toRegion` to `tag` (the table it carries). */
  | { readonly kind: 'tag-connection'; readonly toRegion: string; readonly localPort: number; readonly tag: string };

export type SupervisorToRegion =
  /** Where to reach every other region's replication endpoint: through the WAN link from this region to it. */
  | { readonly kind: 'peers'; readonly peers: Readonly<Record<string, string>> }
  | { readonly kind: 'shutdown' };

export function isSupervisorMessage(value: unknown): value is SupervisorToRegion {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'peers' || kind === 'shutdown';
}

export function isRegionMessage(value: unknown): value is RegionToSupervisor {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'ready' || kind === 'failed' || kind === 'tag-connection';
}
