/**
 * `buildMeridianApp(app, plan)`: the whole CDK app of a synth plan, as the generated `bin/app.ts` and
 * `meridian synth` build it.
 *
 * Stacks, in the order `cdk deploy --all` deploys them (each waits for the previous):
 * 1. `<name>-keys-<region>`, per region holding resident data: its ResidentDataKeys. Every region stack
 *    depends on every key stack, since a resident table names its other replicas' keys by alias ARN.
 * 2. `<name>-<region>`, per region in rollout order (the spec's deploy order, except that an Aurora
 *    secondary's region waits for its writer's region): compute placeholder, the data the region owns
 *    (tables, clusters), the tasks' access to the region's data, and the region's AWS FIS templates. Each
 *    region stack depends on the previous one, so a rollout goes one region at a time.
 * 3. `<name>-global`, in the plan's primary region (so a zone-resident spec keeps every stack in its zone
 *    when its primary is there): Route 53 records and health checks, the edge (Global Accelerator or
 *    CloudFront), the cross-region dashboard and the budget. It reads every region's load balancer through
 *    CDK cross-region references (`crossRegionReferences`: the region stack writes SSM parameters in the
 *    global stack's region, which the global stack reads at deployment), so no ARN or DNS name is copied
 *    by hand and nothing is looked up at synthesis.
 *
 * Stacks are environment-agnostic in the account (the deploying credentials' account) and concrete in
 * region; availability zones are `Fn::GetAZs` tokens. cdk-nag's AwsSolutions pack runs over the whole app
 * at synthesis (`nag`); every acknowledged finding carries its reason in the construct that causes it.
 */
import { type App, CfnOutput, CrossStackReferences, Fn, ReferenceStrength, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GlobalAcceleratorEdge } from './accelerator-edge.ts';
import { ApiAliasRecord } from './api-alias-record.ts';
import { MeridianAuroraCluster } from './aurora-cluster.ts';
import { MeridianAuroraGlobalDatabase } from './aurora-global-database.ts';
import { MeridianAuroraSecondaryCluster } from './aurora-secondary-cluster.ts';
import { AURORA_APP_USERNAME } from './aurora-settings.ts';
import { CloudFrontEdge, cdnOriginRegions } from './cloudfront-edge.ts';
import { CostBudget } from './cost-budget.ts';
import { applyCostTags } from './cost-tags.ts';
import { type DataConstructPlacement, dataStacksFor, type RegionDataStack } from './data-placement.ts';
import { dataTableName } from './data-shape.ts';
import { FisExperiments } from './fis-experiments.ts';
import { fisPlanFor, type FisTemplatePlan, type UnmappedFault } from './fis-plan.ts';
import { MeridianGlobalTable } from './global-table.ts';
import { OperationsDashboard } from './operations-dashboard.ts';
import { RegionalCompute } from './regional-compute.ts';
import type { RegionalEndpoint } from './regional-endpoint.ts';
import { ResidentDataKey } from './regional-keys.ts';
import { Route53Routing, recordStyleFor, type RecordStyleChoice } from './route53-routing.ts';
import { MeridianStrongTable } from './strong-table.ts';
import { SynthRefusal } from './synth-errors.ts';
import type { SynthDataClass, SynthPlan, SynthRegion } from './synth-plan.ts';

/** The value of `meridian:region` on the global stack's resources (Route 53, edge, dashboard, budget). */
export const GLOBAL_REGION_TAG_VALUE = 'global';

export interface MeridianAppOptions {
  /**
   * Run cdk-nag's AwsSolutions pack over the app at synthesis; a finding not acknowledged fails `synth`.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * NAT gateways per region (see RegionalCompute): 1 runs tasks in private subnets, 0 in public ones.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * The global stack's region.
   * @default the plan's primary region
   */
  readonly globalRegion?: string;
}

/** One step of the rollout. */
export interface RolloutStep {
  readonly region: string;
  readonly stackName: string;
  /** The region's position in the spec's deploy order (from 1). */
  readonly deployOrder: number;
  readonly role: SynthRegion['role'] | 'data-only';
  /** Why the step is not where the spec's deploy order puts it, if it is not. */
  readonly moved: string | undefined;
}

/** How users reach the service through the edge, when there is one. */
export interface EdgeEntry {
  readonly edge: 'accelerator' | 'cdn';
  /** The global stack's output with the edge's own DNS name. */
  readonly output: string;
  /** What goes through the edge, in words (for the README). */
  readonly serves: string;
}

export interface MeridianStacks {
  readonly keyStacks: ReadonlyMap<string, Stack>;
  /** Region stacks by region, in rollout order. */
  readonly regionStacks: ReadonlyMap<string, Stack>;
  readonly globalStack: Stack;
  readonly rollout: readonly RolloutStep[];
  readonly computes: ReadonlyMap<string, RegionalCompute>;
  /** Route 53 record style of the routing policy; undefined when the API's name is an alias to the accelerator, or there are no records. */
  readonly recordStyle: RecordStyleChoice | undefined;
  readonly edgeEntry: EdgeEntry | undefined;
  /** FIS templates made, by experiment and region. */
  readonly fisTemplates: readonly FisTemplatePlan[];
  /** Faults (or parts of faults) with no FIS template, each with its reason. */
  readonly fisUnmapped: readonly UnmappedFault[];
}

export function buildMeridianApp(app: App, plan: SynthPlan, options: MeridianAppOptions = {}): MeridianStacks {
  const base = stackNameBase(plan.name);
  const layout = dataStacksFor(plan);
  const computeRegions = computeRegionsOf(plan);
  const experimentRegions = plan.regions.map((region) => region.region);
  const fisPlans = plan.experiments.map((experiment) => fisPlanFor(experiment, experimentRegions, plan.dataClasses));
  const fisRegions = new Set(fisPlans.flatMap((fisPlan) => fisPlan.templates.map((template) => template.region)));
  const rollout = rolloutOf(plan, layout, computeRegions, base, fisRegions);
  const keys = new Map<string, ResidentDataKey>();
  const keyStacks = new Map<string, Stack>();
  for (const region of layout) {
    if (region.keys.length === 0) continue;
    const stack = new Stack(app, `${base}-keys-${region.region}`, {
      env: { region: region.region },
      description: `Meridian ${plan.name}: customer-managed keys of the data resident in ${region.region} (deploy before every region stack)`,
    });
    applyCostTags(stack, { region: region.region });
    keyStacks.set(region.region, stack);
    for (const key of region.keys) {
      const dataClass = classNamed(plan, key.dataClass);
      keys.set(`${region.region}/${key.dataClass}`, new ResidentDataKey(stack, `Key-${key.dataClass}`, { serviceName: plan.name, dataClass, zones: plan.zones }));
    }
  }

  const regionStacks = new Map<string, Stack>();
  const computes = new Map<string, RegionalCompute>();
  const fisUnmapped: UnmappedFault[] = fisPlans.flatMap((fisPlan) => fisPlan.unmapped);
  const fisTemplates: FisTemplatePlan[] = [];
  let previous: Stack | undefined;
  for (const [index, step] of rollout.entries()) {
    const region = step.region;
    const stack = new Stack(app, step.stackName, {
      env: { region },
      crossRegionReferences: true,
      description: `Meridian ${plan.name}: region ${region} (${step.role}), rollout step ${index + 1} of ${rollout.length}`,
    });
    applyCostTags(stack, { region });
    regionStacks.set(region, stack);
    for (const keyStack of keyStacks.values()) stack.addStackDependency(keyStack, 'resident tables name the keys of their other replica regions');
    if (previous !== undefined) stack.addStackDependency(previous, 'the rollout goes one region at a time');
    previous = stack;
    const dataStack = layout.find((candidate) => candidate.region === region);
    const planRegion = plan.regions.find((candidate) => candidate.region === region);
    const holdsAurora = dataStack?.constructs.some((placement) => placement.construct?.startsWith('MeridianAurora') === true) ?? false;
    let compute: RegionalCompute | undefined;
    if (computeRegions.has(region)) {
      compute = new RegionalCompute(stack, 'Compute', {
        service: plan.service,
        desiredCount: planRegion?.instances ?? 0,
        region,
        healthCheck: plan.routing.healthCheck,
        natGateways: options.natGateways ?? 1,
        dataSubnets: holdsAurora,
      });
      computes.set(region, compute);
    }
    const vpc = compute?.vpc ?? (holdsAurora ? dataOnlyVpc(stack) : undefined);
    for (const placement of dataStack?.constructs ?? []) {
      const dataClass = classNamed(plan, placement.dataClass);
      const key = keys.get(`${region}/${placement.dataClass}`)?.key;
      const built = buildData(stack, placement, { plan, dataClass, key, vpc });
      if (compute !== undefined) grantData(compute, plan, dataClass, placement, key, built);
    }
    if (fisRegions.has(region)) {
      const fis = new FisExperiments(stack, 'Experiments', {
        experiments: plan.experiments,
        region,
        regions: experimentRegions,
        dataClasses: plan.dataClasses,
        ...(compute === undefined ? {} : { ecsService: { clusterName: compute.cluster.clusterName, serviceName: compute.service.serviceName } }),
        appName: plan.service.name,
      });
      fisTemplates.push(...fis.plans);
      fisUnmapped.push(...fis.leftOut);
    }
  }

  const globalStack = buildGlobalStack(app, plan, base, computes, options.globalRegion ?? plan.primaryRegion);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return {
    keyStacks,
    regionStacks,
    globalStack: globalStack.stack,
    rollout,
    computes,
    recordStyle: globalStack.recordStyle,
    edgeEntry: globalStack.edgeEntry,
    fisTemplates,
    fisUnmapped,
  };
}

/** Stack names start with the plan's name: letters, digits and hyphens, starting with a letter. */
export function stackNameBase(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^[^A-Za-z]+/, '').replace(/-+$/, '');
  return cleaned === '' ? 'meridian' : cleaned;
}

/** Regions that run the service: every routed region and every region with tasks. */
export function computeRegionsOf(plan: SynthPlan): Set<string> {
  const routed = new Set(plan.routing.records.map((record) => record.region));
  return new Set(plan.regions.filter((region) => routed.has(region.region) || region.instances > 0).map((region) => region.region));
}

/**
 * Region stacks in rollout order: the spec's deploy order, except that a region whose stack must wait for
 * another (an Aurora secondary for its writer) comes after it. Regions that only hold data another region's
 * construct creates (replicas, witnesses) have no stack, unless an experiment has an FIS template there.
 */
export function rolloutOf(plan: SynthPlan, layout: readonly RegionDataStack[], computeRegions: ReadonlySet<string>, base = stackNameBase(plan.name), fisRegions: ReadonlySet<string> = new Set()): RolloutStep[] {
  const needsStack = (region: string) =>
    computeRegions.has(region) || fisRegions.has(region) || (layout.find((stack) => stack.region === region)?.constructs.some((placement) => placement.construct !== undefined) ?? false);
  const deployOrder = (region: string) => plan.regions.find((candidate) => candidate.region === region)?.deployOrder ?? plan.regions.length + 1;
  const pending = [...new Set([...plan.regions.map((region) => region.region), ...layout.map((stack) => stack.region)])].filter(needsStack).sort((a, b) => deployOrder(a) - deployOrder(b));
  const waitsFor = (region: string) => (layout.find((stack) => stack.region === region)?.dependsOn ?? []).filter(needsStack);
  const placed: string[] = [];
  const steps: RolloutStep[] = [];
  while (pending.length > 0) {
    // dataStacksFor refuses cycles, so some pending region always has its dependencies placed.
    const index = pending.findIndex((region) => waitsFor(region).every((other) => placed.includes(other)));
    const skipped = pending.slice(0, index);
    const region = pending.splice(index, 1)[0]!;
    const planRegion = plan.regions.find((candidate) => candidate.region === region);
    const moved = index > 0 ? `ahead of ${skipped.join(', ')}: their Aurora secondary clusters join global clusters written here, which must exist first` : undefined;
    steps.push({ region, stackName: `${base}-${region}`, deployOrder: deployOrder(region), role: computeRegions.has(region) ? (planRegion?.role ?? 'serving') : 'data-only', moved });
    placed.push(region);
  }
  return steps;
}

function classNamed(plan: SynthPlan, name: string): SynthDataClass {
  const dataClass = plan.dataClasses.find((candidate) => candidate.name === name);
  if (dataClass === undefined) throw new Error(`the data layout names class ${name}, which the plan does not have`);
  return dataClass;
}

/** A region that holds an Aurora cluster but runs no tasks: a VPC of isolated subnets, with flow logs. */
function dataOnlyVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'DataVpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }] });
  vpc.addFlowLog('FlowLogs');
  return vpc;
}

interface DataContext {
  readonly plan: SynthPlan;
  readonly dataClass: SynthDataClass;
  readonly key: kms.IKey | undefined;
  readonly vpc: ec2.IVpc | undefined;
}

/** What a placement built in this region: the Aurora cluster the tasks reach, if any. */
interface BuiltData {
  readonly cluster: rds.DatabaseCluster | undefined;
}

function buildData(stack: Stack, placement: DataConstructPlacement, context: DataContext): BuiltData {
  const { plan, dataClass, key } = context;
  const common = { serviceName: plan.name, dataClass, zones: plan.zones };
  const vpcOf = (): ec2.IVpc => {
    if (context.vpc === undefined) throw new Error(`Aurora class ${dataClass.name} placed in ${stack.region} without a VPC`);
    return context.vpc;
  };
  const id = `Data-${placement.dataClass}`;
  switch (placement.construct) {
    case undefined:
      return { cluster: undefined };
    case 'MeridianGlobalTable':
      new MeridianGlobalTable(stack, id, { ...common, tableKey: key });
      return { cluster: undefined };
    case 'MeridianStrongTable':
      new MeridianStrongTable(stack, id, { ...common, tableKey: key });
      return { cluster: undefined };
    case 'MeridianAuroraGlobalDatabase':
      return { cluster: new MeridianAuroraGlobalDatabase(stack, id, { ...common, vpc: vpcOf(), storageEncryptionKey: key }).primary.cluster };
    case 'MeridianAuroraCluster':
      return { cluster: new MeridianAuroraCluster(stack, id, { ...common, vpc: vpcOf(), storageEncryptionKey: key }).cluster };
    case 'MeridianAuroraSecondaryCluster':
      return { cluster: new MeridianAuroraSecondaryCluster(stack, id, { ...common, vpc: vpcOf(), storageEncryptionKey: key }).cluster };
  }
}

/**
 * The region's tasks reach the class's data in their own region: read and write on the region's replica
 * of the table (named the same in every region) and its resident key, or the region's Aurora cluster
 * through IAM database authentication as the user `app` (created once in the database by an operator:
 * `CREATE USER app; GRANT rds_iam TO app;`). The container learns where through `MERIDIAN_<CLASS>_TABLE`,
 * or `MERIDIAN_<CLASS>_DB_HOST`, `_DB_PORT` and `_DB_USER` (the writer endpoint in the writer region, the
 * reader endpoint elsewhere).
 */
function grantData(compute: RegionalCompute, plan: SynthPlan, dataClass: SynthDataClass, placement: DataConstructPlacement, key: kms.IKey | undefined, built: BuiltData): void {
  if (placement.role === 'witness') return;
  const container = compute.service.taskDefinition.defaultContainer;
  const variable = `MERIDIAN_${dataClass.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  const taskRole = compute.service.taskDefinition.taskRole;
  if (built.cluster !== undefined) {
    built.cluster.connections.allowDefaultPortFrom(compute.service, `tasks of ${plan.service.name} reach ${dataClass.name}`);
    // IAM database authentication: the tasks' role connects as the application user, with no password.
    built.cluster.grantConnect(taskRole, AURORA_APP_USERNAME);
    const endpoint = placement.role === 'aurora-secondary' ? built.cluster.clusterReadEndpoint : built.cluster.clusterEndpoint;
    container?.addEnvironment(`${variable}_DB_HOST`, endpoint.hostname);
    container?.addEnvironment(`${variable}_DB_PORT`, Token.asString(endpoint.port));
    container?.addEnvironment(`${variable}_DB_USER`, AURORA_APP_USERNAME);
    return;
  }
  if (placement.role !== 'table-owner' && placement.role !== 'table-replica') return;
  const stack = Stack.of(compute);
  const tableName = dataTableName(plan.name, dataClass.name);
  container?.addEnvironment(`${variable}_TABLE`, tableName);
  taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
    resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName })],
  }));
  // Named actions, not grantEncryptDecrypt's wildcards: DynamoDB calls the key on the caller's behalf.
  if (key !== undefined) taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }));
}

interface GlobalStack {
  readonly stack: Stack;
  readonly recordStyle: RecordStyleChoice | undefined;
  readonly edgeEntry: EdgeEntry | undefined;
}

function buildGlobalStack(app: App, plan: SynthPlan, base: string, computes: ReadonlyMap<string, RegionalCompute>, region: string): GlobalStack {
  const stack = new Stack(app, `${base}-global`, {
    env: { region },
    crossRegionReferences: true,
    description: `Meridian ${plan.name}: DNS, edge, dashboard and budget over every region (deploy last)`,
  });
  applyCostTags(stack, { region: GLOBAL_REGION_TAG_VALUE });
  // Strong references: a region stack cannot delete or replace a load balancer the global stack still routes to.
  CrossStackReferences.of(stack).consume(ReferenceStrength.STRONG);
  const endpoints: RegionalEndpoint[] = [...computes.values()].map((compute) => compute.endpoint);
  for (const regionStack of new Set([...computes.values()].map((compute) => Stack.of(compute)))) stack.addStackDependency(regionStack, 'the global stack routes to every region\'s load balancer');
  let recordStyle: RecordStyleChoice | undefined;
  let edgeEntry: EdgeEntry | undefined;
  const nameServersOutput = (zone: route53.IHostedZone) =>
    new CfnOutput(stack, 'NameServers', { value: Fn.join(',', zone.hostedZoneNameServers ?? []), description: 'name servers of the hosted zone: delegate the domain to them' });
  if (plan.routing.edge === 'accelerator') {
    const edge = new GlobalAcceleratorEdge(stack, 'Accelerator', {
      regions: plan.regions.filter((candidate) => computes.has(candidate.region)).map((candidate) => ({ region: candidate.region, role: candidate.role, loadBalancerArn: computes.get(candidate.region)!.endpoint.loadBalancerArn })),
      healthCheck: plan.routing.healthCheck,
      servicePath: plan.service.healthPath,
    });
    // The accelerator picks the region and checks health itself: the API's name is an alias to it.
    const record = new ApiAliasRecord(stack, 'Dns', { domain: plan.domain, target: route53.RecordTarget.fromAlias(new targets.GlobalAcceleratorTarget(edge.accelerator)) });
    new CfnOutput(stack, 'ApiName', { value: record.recordName, description: 'the API\'s name, an alias to the accelerator' });
    new CfnOutput(stack, 'AcceleratorDnsName', { value: edge.accelerator.dnsName, description: 'the accelerator\'s DNS name (two static anycast addresses)' });
    nameServersOutput(record.hostedZone);
    edgeEntry = { edge: 'accelerator', output: 'AcceleratorDnsName', serves: `every request: api.${plan.domain} is an alias A record to the accelerator, which picks a healthy region` };
  } else if (plan.routing.records.length > 0) {
    if (plan.routing.policy === 'multivalue') recordStyleFor(plan.routing);
    const routing = new Route53Routing(stack, 'Routing', { domain: plan.domain, routing: plan.routing, endpoints });
    recordStyle = routing.recordStyle;
    new CfnOutput(stack, 'ApiName', { value: routing.recordName, description: 'the API\'s name, routed by Route 53' });
    nameServersOutput(routing.hostedZone);
  }
  if (plan.routing.edge === 'cdn') {
    const origins = cdnOriginRegions(plan.primaryRegion, plan.regions.filter((candidate) => computes.has(candidate.region)));
    const origin = (name: string) => {
      const compute = computes.get(name);
      if (compute === undefined) throw new SynthRefusal('origin-regions', `the CDN origin ${name} runs no tasks`);
      return compute.endpoint;
    };
    const edge = new CloudFrontEdge(stack, 'Cdn', { primary: origin(origins.primary), fallback: origin(origins.fallback) });
    new CfnOutput(stack, 'DistributionDomainName', { value: edge.distribution.distributionDomainName, description: 'the CloudFront distribution\'s name (GET, HEAD and OPTIONS fail over between origins)' });
    edgeEntry = {
      edge: 'cdn',
      output: 'DistributionDomainName',
      serves: `reads (GET, HEAD, OPTIONS) on the distribution's own name, failing over from ${origins.primary} to ${origins.fallback}; CloudFront does not fail other methods over, so writes go to api.${plan.domain}, routed by Route 53`,
    };
  }
  new OperationsDashboard(stack, 'Dashboard', { endpoints, dashboardName: `${base}-operations` });
  if (plan.monthlyBudgetUsd !== undefined) new CostBudget(stack, 'Budget', { monthlyBudgetUsd: plan.monthlyBudgetUsd, budgetName: `${base}-monthly` });
  return { stack, recordStyle, edgeEntry };
}
