import { regionRtt } from '../catalog/latency.ts';
import { SERVICE_LEVELS } from '../catalog/service-levels.ts';
import type { ResolvedDataClass, ResolvedSpec } from '../spec/resolved-spec.ts';
import type { DataPlacement } from './architecture.ts';

/** Regions sorted by measured (or estimated) round trip from `from`, nearest first. */
export function byDistanceFrom(from: string, regions: readonly string[]): string[] {
  return [...regions].sort((a, b) => regionRtt(from, a).rttMs - regionRtt(from, b).rttMs);
}

function zoneOf(spec: ResolvedSpec, dataClass: ResolvedDataClass): readonly string[] | undefined {
  return dataClass.residency ? spec.zones[dataClass.residency] : undefined;
}

/** Keeps the regions that residency allows for a class. */
export function allowedRegions(spec: ResolvedSpec, dataClass: ResolvedDataClass, regions: readonly string[]): string[] {
  const zone = zoneOf(spec, dataClass);
  return zone ? regions.filter((code) => zone.includes(code)) : [...regions];
}

interface PlacementContext {
  readonly spec: ResolvedSpec;
  readonly primary: string;
  /** Regions the architecture runs in, in preference order (primary first). */
  readonly regions: readonly string[];
}

function placement(dataClass: ResolvedDataClass, fields: Omit<DataPlacement, 'dataClass' | 'consistency' | 'residencyZone'>): DataPlacement {
  return { dataClass: dataClass.name, consistency: dataClass.consistency, residencyZone: dataClass.residency, ...fields };
}

/** Everything in one region: a regional DynamoDB table or a Multi-AZ Aurora cluster. */
export function singleRegionPlacement(dataClass: ResolvedDataClass, region: string): DataPlacement {
  const aurora = dataClass.engine === 'aurora-global-database';
  return placement(dataClass, {
    engine: aurora ? 'aurora-cluster' : 'dynamodb-table',
    replicas: [region],
    writer: region,
    witness: undefined,
    description: `${aurora ? 'Multi-AZ Aurora cluster' : 'regional DynamoDB table'} in ${region}; no copy in another region`,
  });
}

/** Asynchronous copies in the other regions, one writer: a global database or a global table written in one region. */
export function asyncPlacement(context: PlacementContext, dataClass: ResolvedDataClass, writes: 'one-region' | 'every-region'): DataPlacement {
  const replicas = dataClass.replicas ?? allowedRegions(context.spec, dataClass, context.regions);
  const writer = replicas.includes(context.primary) ? context.primary : replicas[0]!;
  if (replicas.length <= 1) return singleRegionPlacement(dataClass, writer);
  if (dataClass.engine === 'aurora-global-database') {
    const maximum = SERVICE_LEVELS.aurora_global_database.secondary_regions_max;
    const members = [writer, ...byDistanceFrom(writer, replicas.filter((code) => code !== writer)).slice(0, maximum)];
    return placement(dataClass, {
      engine: 'aurora-global-database',
      replicas: members,
      writer,
      witness: undefined,
      description: `Aurora global database: writer ${writer}, read-only secondaries ${members.slice(1).join(', ')} (lag ~${dataClass.replicationLagMs} ms)`,
    });
  }
  const multiWriter = writes === 'every-region';
  return placement(dataClass, {
    engine: 'dynamodb-global-table',
    replicas,
    writer: multiWriter ? undefined : writer,
    witness: undefined,
    description: multiWriter
      ? `DynamoDB global table in ${replicas.join(', ')}: writes in every region, last writer wins (lag ~${dataClass.replicationLagMs} ms)`
      : `DynamoDB global table in ${replicas.join(', ')}, written only in ${writer} (lag ~${dataClass.replicationLagMs} ms)`,
  });
}

/**
 * Strong data: a DynamoDB MRSC table when three regions (or two and a witness) of one region set are
 * available, preferring the set of the primary; otherwise a home region that every region calls.
 */
export function strongPlacement(context: PlacementContext, dataClass: ResolvedDataClass): DataPlacement {
  const sets = SERVICE_LEVELS.dynamodb_global_tables_mrsc.region_sets;
  if (dataClass.replicas && dataClass.replicas.length > 1) {
    return mrscPlacement(dataClass, dataClass.replicas, dataClass.witness);
  }
  const candidates = allowedRegions(context.spec, dataClass, context.regions);
  let best: { members: string[]; set: readonly string[] } | undefined;
  for (const set of Object.values(sets)) {
    const members = candidates.filter((code) => set.includes(code));
    const better = !best || members.length > best.members.length || (members.length === best.members.length && members.includes(context.primary));
    if (members.length >= 2 && better) best = { members, set };
  }
  if (!best) {
    const home = candidates.includes(context.primary) ? context.primary : (candidates[0] ?? context.primary);
    return placement(dataClass, {
      engine: 'dynamodb-table',
      replicas: [home],
      writer: home,
      witness: undefined,
      description: `home region ${home}: no MRSC region set holds two of this architecture's regions, so every region reads and writes ${dataClass.name} in ${home}`,
    });
  }
  const anchor = best.members.includes(context.primary) ? context.primary : best.members[0]!;
  const replicas = [anchor, ...byDistanceFrom(anchor, best.members.filter((code) => code !== anchor))].slice(0, 3);
  const zone = zoneOf(context.spec, dataClass);
  const witness = replicas.length === 3 ? undefined : best.set.find((code) => !replicas.includes(code) && (!zone || zone.includes(code)));
  if (replicas.length === 2 && !witness) return singleRegionPlacement(dataClass, anchor);
  return mrscPlacement(dataClass, replicas, witness);
}

function mrscPlacement(dataClass: ResolvedDataClass, replicas: readonly string[], witness: string | undefined): DataPlacement {
  return placement(dataClass, {
    engine: 'dynamodb-mrsc',
    replicas,
    writer: undefined,
    witness,
    description: `DynamoDB multi-Region strongly consistent table: replicas ${replicas.join(', ')}${witness ? `, witness ${witness}` : ''}; a write commits on a majority (RPO 0)`,
  });
}
