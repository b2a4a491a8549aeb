/**
 * Fixtures of the data-layer tests: data classes and a plan mirroring examples/eu-saas.yaml (zone eu =
 * eu-central-1 and eu-west-1; health-records single-writer and resident in eu; catalog multi-writer in
 * eu-central-1, eu-west-1 and us-east-1), stacks with explicit environments (no lookups), and a small
 * assembler that lays the data constructs out the way `dataStacksFor` says: a key stack per region, deployed
 * first, then a region stack per region.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MeridianAuroraCluster } from '../../src/synth/aurora-cluster.ts';
import { MeridianAuroraGlobalDatabase } from '../../src/synth/aurora-global-database.ts';
import { MeridianAuroraSecondaryCluster } from '../../src/synth/aurora-secondary-cluster.ts';
import { type DataConstructPlacement, dataStacksFor } from '../../src/synth/data-placement.ts';
import { MeridianGlobalTable } from '../../src/synth/global-table.ts';
import { ResidentDataKey } from '../../src/synth/regional-keys.ts';
import { MeridianStrongTable } from '../../src/synth/strong-table.ts';
import type { SynthDataClass, SynthPlan } from '../../src/synth/synth-plan.ts';

export const ACCOUNT = '123456789012';
export const SERVICE = 'eu-saas';
export const EU = ['eu-central-1', 'eu-west-1'] as const;

export function envOf(region: string) {
  return { account: ACCOUNT, region };
}

export function stackIn(app: App, region: string, id = `Data-${region}`): Stack {
  return new Stack(app, id, { env: envOf(region) });
}

/** A VPC with isolated subnets in two named AZs: no availability-zone lookup. */
export function isolatedVpc(stack: Stack): ec2.Vpc {
  const region = stack.region;
  return new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: [`${region}a`, `${region}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

export function dataClass(overrides: Partial<SynthDataClass> & Pick<SynthDataClass, 'name' | 'engine' | 'replicas'>): SynthDataClass {
  return { consistency: 'single-writer', writer: undefined, witness: undefined, residency: undefined, ...overrides };
}

export const healthRecordsTable = dataClass({
  name: 'health-records',
  consistency: 'single-writer',
  engine: 'dynamodb-global-table',
  replicas: [...EU],
  writer: 'eu-central-1',
  residency: { zone: 'eu', regions: [...EU] },
});

export const healthRecordsAurora: SynthDataClass = { ...healthRecordsTable, engine: 'aurora-global-database' };

export const catalog = dataClass({
  name: 'catalog',
  consistency: 'multi-writer',
  engine: 'dynamodb-global-table',
  replicas: ['eu-central-1', 'eu-west-1', 'us-east-1'],
});

/** The eu-saas plan; `healthRecords` picks the engine (advise places it on an Aurora global database). */
export function euSaasPlan(healthRecords: SynthDataClass = healthRecordsAurora, extra: readonly SynthDataClass[] = []): SynthPlan {
  return {
    name: SERVICE,
    domain: 'clinic.meridian.test',
    architecture: { kind: 'active-active', title: 'Active-active' },
    primaryRegion: 'eu-central-1',
    regions: [
      { region: 'eu-central-1', role: 'serving', instances: 2, deployOrder: 1 },
      { region: 'eu-west-1', role: 'serving', instances: 2, deployOrder: 2 },
      { region: 'us-east-1', role: 'serving', instances: 2, deployOrder: 3 },
    ],
    routing: { policy: 'geolocation', ttlSeconds: 60, healthCheck: { intervalSeconds: 30, failureThreshold: 3, path: '/health' }, evaluateTargetHealth: true, records: [], edge: 'none' },
    dataClasses: [healthRecords, catalog, ...extra],
    zones: { eu: [...EU] },
    service: { name: 'app', image: 'public.ecr.aws/docker/library/node:20-alpine', healthPath: '/health', containerPort: 8080 },
    monthlyBudgetUsd: 15000,
    experiments: [],
  };
}

export interface AssembledData {
  readonly app: App;
  readonly keyStacks: ReadonlyMap<string, Stack>;
  readonly regionStacks: ReadonlyMap<string, Stack>;
}

/** What the generated app's assembler does with the data layer, reduced to the data constructs. */
export function assembleData(plan: SynthPlan): AssembledData {
  const app = new App();
  const layout = dataStacksFor(plan);
  const keyStacks = new Map<string, Stack>();
  const regionStacks = new Map<string, Stack>();
  const keys = new Map<string, ResidentDataKey>();
  for (const region of layout) {
    if (region.keys.length === 0) continue;
    const stack = stackIn(app, region.region, `Keys-${region.region}`);
    keyStacks.set(region.region, stack);
    for (const key of region.keys) {
      const dataClass = plan.dataClasses.find((candidate) => candidate.name === key.dataClass)!;
      keys.set(`${region.region}/${key.dataClass}`, new ResidentDataKey(stack, `Key-${key.dataClass}`, { serviceName: plan.name, dataClass, zones: plan.zones }));
    }
  }
  for (const region of layout) regionStacks.set(region.region, stackIn(app, region.region));
  for (const region of layout) {
    const stack = regionStacks.get(region.region)!;
    for (const keyStack of keyStacks.values()) stack.addStackDependency(keyStack);
    for (const writer of region.dependsOn) stack.addStackDependency(regionStacks.get(writer)!);
    let vpc: ec2.Vpc | undefined;
    const vpcOf = () => (vpc ??= isolatedVpc(stack));
    for (const placement of region.constructs) {
      const dataClass = plan.dataClasses.find((candidate) => candidate.name === placement.dataClass)!;
      const key = keys.get(`${region.region}/${placement.dataClass}`)?.key;
      build(stack, placement, { serviceName: plan.name, dataClass, key, vpcOf, zones: plan.zones });
    }
  }
  return { app, keyStacks, regionStacks };
}

interface BuildContext {
  readonly serviceName: string;
  readonly dataClass: SynthDataClass;
  readonly key: import('aws-cdk-lib/aws-kms').IKey | undefined;
  readonly vpcOf: () => ec2.IVpc;
  readonly zones: SynthPlan['zones'];
}

function build(stack: Stack, placement: DataConstructPlacement, context: BuildContext): void {
  const { serviceName, dataClass, key, zones } = context;
  const id = placement.dataClass;
  switch (placement.construct) {
    case undefined:
      return;
    case 'MeridianGlobalTable':
      new MeridianGlobalTable(stack, id, { serviceName, dataClass, tableKey: key, zones });
      return;
    case 'MeridianStrongTable':
      new MeridianStrongTable(stack, id, { serviceName, dataClass, tableKey: key, zones });
      return;
    case 'MeridianAuroraGlobalDatabase':
      new MeridianAuroraGlobalDatabase(stack, id, { serviceName, dataClass, vpc: context.vpcOf(), storageEncryptionKey: key, zones });
      return;
    case 'MeridianAuroraCluster':
      new MeridianAuroraCluster(stack, id, { serviceName, dataClass, vpc: context.vpcOf(), storageEncryptionKey: key, zones });
      return;
    case 'MeridianAuroraSecondaryCluster':
      new MeridianAuroraSecondaryCluster(stack, id, { serviceName, dataClass, vpc: context.vpcOf(), storageEncryptionKey: key, zones });
      return;
  }
}
