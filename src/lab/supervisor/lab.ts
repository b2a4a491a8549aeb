import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Architecture } from '../../advise/architecture.ts';
import type { ResolvedSpec } from '../../spec/resolved-spec.ts';
import type { DataPlacement } from '../../advise/architecture.ts';
import type { ResidencyRule } from '../../core/residency/residency-policy.ts';
import type { RegionTable } from '../region/region-messages.ts';
import { RegionProcess, type RegionEndpoints } from './region-process.ts';
import { WanMesh } from './wan-mesh.ts';

export interface LabOptions {
  /** Where each region keeps its SQLite file. */
  readonly dataDir: string;
  readonly log: (line: string) => void;
}

export interface Lab {
  readonly spec: ResolvedSpec;
  readonly architecture: Architecture;
  readonly regions: ReadonlyMap<string, RegionProcess>;
  /** The links between regions; their control API is served by the caller (wan/control-api.ts). */
  readonly wan: WanMesh;
  endpoints(): RegionEndpoints[];
  restartRegion(region: string): Promise<RegionEndpoints>;
  killRegion(region: string): void;
  stop(): Promise<void>;
}

export class UnknownRegionError extends Error {
  readonly code = 'UNKNOWN_REGION';
  constructor(readonly region: string, readonly known: readonly string[]) {
    super(`no region '${region}' in this lab (regions: ${known.join(', ')})`);
    this.name = 'UnknownRegionError';
  }
}

/** How a placed data class replicates in the lab: the mode of its engine and the mode's parameters. */
export function tableOf(placement: DataPlacement): Omit<RegionTable, 'name' | 'dataClass'> {
  const replicas = placement.replicas;
  if (placement.engine === 'dynamodb-mrsc') {
    const members = placement.witness === undefined ? replicas : [...replicas, placement.witness];
    return { replication: 'strong', replicas: members, ...(placement.witness === undefined ? {} : { witness: placement.witness }) };
  }
  if (replicas.length <= 1) return { replication: 'local', replicas };
  if (placement.engine === 'aurora-global-database' || placement.writer !== undefined) {
    return { replication: 'single-writer', replicas, primaryRegion: placement.writer ?? replicas[0]! };
  }
  return { replication: 'multi-writer', replicas };
}

/** Regions the architecture runs in, and the data-class tables each holds (residency decides). */
export function labRegions(architecture: Architecture, spec?: ResolvedSpec): Map<string, RegionTable[]> {
  const regions = new Map<string, RegionTable[]>();
  for (const region of [...architecture.servingRegions, ...architecture.standbyRegions]) regions.set(region, []);
  for (const placement of architecture.placements) {
    const shape = tableOf(placement);
    const lagMs = spec?.data.find((dataClass) => dataClass.name === placement.dataClass)?.replicationLagMs;
    const asynchronous = shape.replication === 'multi-writer' || shape.replication === 'single-writer';
    const table = { name: placement.dataClass, dataClass: placement.dataClass, ...shape, ...(asynchronous && lagMs !== undefined ? { replicationLagMs: lagMs } : {}) };
    for (const region of table.replicas) {
      if (!regions.has(region)) regions.set(region, []);
      regions.get(region)!.push(table);
    }
  }
  return regions;
}

/** Where each data class of the spec may live, for the region processes' residency guards. */
export function residencyRules(spec: ResolvedSpec): ResidencyRule[] {
  return spec.data.map((dataClass) => ({
    dataClass: dataClass.name,
    zone: dataClass.residency,
    regions: dataClass.residency === undefined ? [] : [...(spec.zones[dataClass.residency] ?? [])],
  }));
}

/** Starts one process per region; if any fails to start, stops the others and rethrows. */
export async function startLab(spec: ResolvedSpec, architecture: Architecture, options: LabOptions): Promise<Lab> {
  mkdirSync(options.dataDir, { recursive: true });
  const processes = new Map<string, RegionProcess>();
  for (const [region, tables] of labRegions(architecture, spec)) {
    processes.set(region, new RegionProcess({ region, dbPath: join(options.dataDir, `${region}.sqlite`), tables, residency: residencyRules(spec) }, options.log));
  }
  const wan = new WanMesh(processes);
  for (const process of processes.values()) {
    process.onTagConnection = (toRegion, localPort, tag) => wan.tagConnection(process.region, toRegion, localPort, tag);
  }
  try {
    await Promise.all([...processes.values()].map((process) => process.start()));
    for (const region of processes.keys()) await wan.connectInto(region);
    wan.announce();
  } catch (error) {
    await Promise.all([...processes.values()].map((process) => process.stop()));
    await wan.close();
    throw error;
  }
  const get = (region: string) => {
    const found = processes.get(region);
    if (!found) throw new UnknownRegionError(region, [...processes.keys()]);
    return found;
  };
  return {
    spec,
    architecture,
    regions: processes,
    wan,
    endpoints: () => [...processes.values()].flatMap((process) => (process.current ? [process.current] : [])),
    async restartRegion(region) {
      const process = get(region);
      await process.stop();
      const endpoints = await process.start();
      // Its replication endpoint moved: links into it are re-created and every region told.
      await wan.connectInto(region);
      wan.announce();
      return endpoints;
    },
    killRegion: (region) => get(region).kill(),
    async stop() {
      await Promise.all([...processes.values()].map((process) => process.stop()));
      await wan.close();
    },
  };
}
