/**
 * `dataStacksFor(plan)`: which data constructs go in which region's stacks, as plain data (no CDK), for the
 * assembler of the generated app. Every data class is checked first (residency, then shape); a resident
 * class with a replica, writer, witness or key outside its zone is refused with a DataResidencyError naming
 * the class, the region and the zone.
 *
 * Two stacks per region hold data: a key stack with the region's ResidentDataKeys, deployed before any data
 * stack, and the region's stack with the tables and clusters. The split is needed because a resident DynamoDB
 * table's owner stack needs the keys of its other replica regions to exist (it names them by alias ARN),
 * while an Aurora secondary's stack needs the writer region's stack: with keys in the region stacks, a plan
 * with both would make two region stacks wait for each other. With key stacks first, only Aurora
 * secondaries order region stacks (`dependsOn`), and a cycle among those is refused here.
 */
import { DataShapeError } from './data-errors.ts';
import { auroraSecondaryRegions, auroraWriterRegion, checkDataClass, globalClusterIdentifier, tableOwnerRegion } from './data-shape.ts';
import type { SynthDataClass, SynthPlan } from './synth-plan.ts';

/** A ResidentDataKey to create in a region's key stack. */
export interface ResidentKeyPlacement {
  readonly dataClass: string;
  readonly zone: string;
}

/** What a region's stack does for a data class, and which construct (if any) it builds. */
export type DataConstructPlacement =
  | { readonly role: 'table-owner'; readonly dataClass: string; readonly construct: 'MeridianGlobalTable' | 'MeridianStrongTable'; readonly replicaRegions: readonly string[]; readonly witnessRegion: string | undefined }
  /** A replica the owner's table creates: no construct here, but the data (and its key) is in this region. */
  | { readonly role: 'table-replica'; readonly dataClass: string; readonly construct: undefined; readonly ownerRegion: string }
  /** An MRSC witness the owner's table declares: no construct and no key here. */
  | { readonly role: 'witness'; readonly dataClass: string; readonly construct: undefined; readonly ownerRegion: string }
  | { readonly role: 'aurora-writer'; readonly dataClass: string; readonly construct: 'MeridianAuroraGlobalDatabase' | 'MeridianAuroraCluster'; readonly secondaryRegions: readonly string[]; readonly globalClusterIdentifier: string | undefined }
  | { readonly role: 'aurora-secondary'; readonly dataClass: string; readonly construct: 'MeridianAuroraSecondaryCluster'; readonly writerRegion: string; readonly globalClusterIdentifier: string };

export interface RegionDataStack {
  readonly region: string;
  /** Keys for the region's key stack, deployed before every region stack. */
  readonly keys: readonly ResidentKeyPlacement[];
  readonly constructs: readonly DataConstructPlacement[];
  /** Regions whose region stack must be deployed before this one (Aurora writers of this region's secondaries). */
  readonly dependsOn: readonly string[];
}

/** Per region with any data, in the plan's region order (then any other region in first-use order). */
export function dataStacksFor(plan: SynthPlan): RegionDataStack[] {
  for (const dataClass of plan.dataClasses) checkDataClass(dataClass, plan.zones);
  const order = [...plan.regions.map((region) => region.region)];
  const stacks = new Map<string, { keys: ResidentKeyPlacement[]; constructs: DataConstructPlacement[]; dependsOn: Set<string> }>();
  const stackOf = (region: string) => {
    let stack = stacks.get(region);
    if (stack === undefined) {
      stack = { keys: [], constructs: [], dependsOn: new Set() };
      stacks.set(region, stack);
      if (!order.includes(region)) order.push(region);
    }
    return stack;
  };
  for (const dataClass of plan.dataClasses) {
    for (const [region, placement] of placementsOf(plan.name, dataClass)) {
      const stack = stackOf(region);
      stack.constructs.push(placement);
      if (placement.role === 'aurora-secondary') stack.dependsOn.add(placement.writerRegion);
      // Every role but a witness stores the class's data in the region, so a resident class needs its key there.
      if (placement.role !== 'witness' && dataClass.residency !== undefined) stack.keys.push({ dataClass: dataClass.name, zone: dataClass.residency.zone });
    }
  }
  const result = order.filter((region) => stacks.has(region)).map((region) => {
    const stack = stacks.get(region)!;
    return { region, keys: stack.keys, constructs: stack.constructs, dependsOn: [...stack.dependsOn] };
  });
  refuseCycles(result);
  return result;
}

/** The placements of one checked class, by region. */
function placementsOf(serviceName: string, dataClass: SynthDataClass): [string, DataConstructPlacement][] {
  const name = dataClass.name;
  switch (dataClass.engine) {
    case 'dynamodb-global-table':
    case 'dynamodb-table':
    case 'dynamodb-mrsc': {
      const owner = tableOwnerRegion(dataClass);
      const others = dataClass.replicas.filter((region) => region !== owner);
      const construct = dataClass.engine === 'dynamodb-mrsc' ? 'MeridianStrongTable' : 'MeridianGlobalTable';
      return [
        [owner, { role: 'table-owner', dataClass: name, construct, replicaRegions: others, witnessRegion: dataClass.witness }],
        ...others.map((region): [string, DataConstructPlacement] => [region, { role: 'table-replica', dataClass: name, construct: undefined, ownerRegion: owner }]),
        ...(dataClass.witness === undefined ? [] : [[dataClass.witness, { role: 'witness', dataClass: name, construct: undefined, ownerRegion: owner }] as [string, DataConstructPlacement]]),
      ];
    }
    case 'aurora-cluster':
      return [[auroraWriterRegion(dataClass), { role: 'aurora-writer', dataClass: name, construct: 'MeridianAuroraCluster', secondaryRegions: [], globalClusterIdentifier: undefined }]];
    case 'aurora-global-database': {
      const writer = auroraWriterRegion(dataClass);
      const identifier = globalClusterIdentifier(serviceName, name);
      const secondaries = auroraSecondaryRegions(dataClass);
      return [
        [writer, { role: 'aurora-writer', dataClass: name, construct: 'MeridianAuroraGlobalDatabase', secondaryRegions: secondaries, globalClusterIdentifier: identifier }],
        ...secondaries.map((region): [string, DataConstructPlacement] => [region, { role: 'aurora-secondary', dataClass: name, construct: 'MeridianAuroraSecondaryCluster', writerRegion: writer, globalClusterIdentifier: identifier }]),
      ];
    }
  }
}

/** Region stacks that would wait for each other (two Aurora classes, each writing where the other is secondary). */
function refuseCycles(stacks: readonly RegionDataStack[]): void {
  const dependsOn = new Map(stacks.map((stack) => [stack.region, stack.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (region: string, path: string[]): void => {
    if (state.get(region) === 'done') return;
    if (state.get(region) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(region)), region];
      const classes = stacks.flatMap((stack) => stack.constructs.filter((placement) => placement.role === 'aurora-secondary' && cycle.includes(stack.region)).map((placement) => placement.dataClass));
      throw new DataShapeError([...new Set(classes)].join(', '), `Aurora writers and secondaries make region stacks wait for each other: ${cycle.join(' → ')} (give these classes one writer region)`);
    }
    state.set(region, 'visiting');
    for (const next of dependsOn.get(region) ?? []) visit(next, [...path, region]);
    state.set(region, 'done');
  };
  for (const stack of stacks) visit(stack.region, []);
}
