import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fisPlanFor, type FisActionPlan, type FisTarget, type FisTemplatePlan, type UnmappedFault } from './fis-plan.ts';
import { APP_SUBNETS_TAG_KEY, DATA_CLASS_TAG_KEY } from './synth-tags.ts';
import type { SynthDataClass, SynthExperiment } from './synth-plan.ts';

export interface FisExperimentsProps {
  readonly experiments: readonly SynthExperiment[];
  /** This stack's region: only the templates that act here are made. */
  readonly region: string;
  /** Every region of the plan (a partition cuts the region from each of the others). */
  readonly regions: readonly string[];
  /** The plan's data classes (their tables and clusters are found by their `meridian:data-class` tag). */
  readonly dataClasses: readonly SynthDataClass[];
  /**
   * The region's ECS service, whose tasks `aws:ecs:stop-task` stops (names or tokens).
   * @default none: the region runs no tasks (it only holds data); actions on the service's tasks and
   *   subnets are left out of its templates and listed in `leftOut`
   */
  readonly ecsService?: { readonly clusterName: string; readonly serviceName: string };
  /** The plan's service name: the value of `meridian:app-subnets` on the task subnets (set by RegionalCompute). */
  readonly appName: string;
}

/**
 * The AWS FIS experiment templates of one region (see `fis-plan.ts` for the translation). Each template has
 * its own IAM role holding only what its actions need, no stop condition (`none`: the experiments are
 * bounded by their actions' durations), single-account targeting, and skips targets it does not find (a
 * region without tables of a class). Faults FIS cannot express are in `unmapped` with a reason each.
 */
export class FisExperiments extends Construct {
  readonly templates: ReadonlyMap<string, fis.CfnExperimentTemplate>;
  readonly plans: readonly FisTemplatePlan[];
  readonly unmapped: readonly UnmappedFault[];
  /** Faults whose actions on the service were left out because the region runs no tasks (no `ecsService`). */
  readonly leftOut: readonly UnmappedFault[];

  constructor(scope: Construct, id: string, props: FisExperimentsProps) {
    super(scope, id);
    const plans = props.experiments.map((experiment) => fisPlanFor(experiment, props.regions, props.dataClasses));
    const here = plans.flatMap((plan) => plan.templates.filter((template) => template.region === props.region));
    const leftOut: UnmappedFault[] = [];
    this.plans = props.ecsService !== undefined ? here : here.map((plan) => withoutServiceActions(plan, leftOut)).filter((plan) => plan.actions.length > 0);
    this.leftOut = leftOut;
    this.unmapped = plans.flatMap((plan) => plan.unmapped.filter((fault) => fault.region === undefined || fault.region === props.region));
    const templates = new Map<string, fis.CfnExperimentTemplate>();
    for (const plan of this.plans) templates.set(plan.experiment, this.createTemplate(plan, props));
    this.templates = templates;
  }

  private createTemplate(plan: FisTemplatePlan, props: FisExperimentsProps): fis.CfnExperimentTemplate {
    const id = constructIdFor(plan.experiment);
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com'),
      description: `AWS FIS runs Meridian experiment ${plan.experiment} in ${plan.region} with this role`,
    });
    grantActions(role, plan.actions, Stack.of(this));
    const targets: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty> = {};
    const actions: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateActionProperty> = {};
    for (const action of plan.actions) {
      const target = action.target === undefined ? undefined : targetNameFor(action.target);
      if (action.target !== undefined && target !== undefined) targets[target] = renderTarget(action.target, props);
      actions[action.name] = {
        actionId: action.actionId,
        description: action.description,
        parameters: { ...action.parameters },
        ...(action.startAfter.length === 0 ? {} : { startAfter: [...action.startAfter] }),
        ...(action.target === undefined || target === undefined ? {} : { targets: { [targetKeyFor(action.target)]: target } }),
      };
    }
    return new fis.CfnExperimentTemplate(this, id, {
      description: plan.description,
      roleArn: role.roleArn,
      stopConditions: [{ source: 'none' }],
      targets,
      actions,
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'skip' },
      tags: { Name: `${plan.experiment}-${plan.region}`, 'meridian:experiment': plan.experiment },
    });
  }
}

/**
 * A template without its actions on the service's tasks and subnets (and the waits only they followed),
 * for a region that runs no tasks; each fault that lost actions is reported once in `leftOut`.
 */
function withoutServiceActions(plan: FisTemplatePlan, leftOut: UnmappedFault[]): FisTemplatePlan {
  const onService = (action: FisActionPlan) => action.target?.kind === 'app-tasks' || action.target?.kind === 'app-subnets';
  const removed = plan.actions.filter(onService);
  for (const faultIndex of new Set(removed.map((action) => action.faultIndex))) {
    const first = removed.find((action) => action.faultIndex === faultIndex)!;
    const what = removed.filter((action) => action.faultIndex === faultIndex).map((action) => action.actionId).join(', ');
    leftOut.push({ experiment: plan.experiment, faultIndex, action: first.faultAction, region: plan.region, reason: `${plan.region} runs no tasks of the service (it only holds data), so ${what} would have nothing to act on there` });
  }
  const kept = plan.actions.filter((action) => !onService(action));
  const followed = new Set(kept.flatMap((action) => action.startAfter));
  const actions = kept.filter((action) => action.actionId !== 'aws:fis:wait' || followed.has(action.name));
  return { ...plan, actions };
}

function renderTarget(target: FisTarget, props: FisExperimentsProps): fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty {
  switch (target.kind) {
    case 'app-subnets':
      return { resourceType: 'aws:ec2:subnet', resourceTags: { [APP_SUBNETS_TAG_KEY]: props.appName }, selectionMode: 'ALL' };
    case 'app-tasks':
      if (props.ecsService === undefined) throw new Error('aws:ecs:task targets need the region\'s ECS service');
      return { resourceType: 'aws:ecs:task', parameters: { cluster: props.ecsService.clusterName, service: props.ecsService.serviceName }, selectionMode: 'ALL' };
    case 'data-class-tables':
      return { resourceType: 'aws:dynamodb:global-table', resourceTags: { [DATA_CLASS_TAG_KEY]: target.dataClass }, selectionMode: 'ALL' };
    case 'data-class-clusters':
      return { resourceType: 'aws:rds:cluster', resourceTags: { [DATA_CLASS_TAG_KEY]: target.dataClass }, selectionMode: 'ALL' };
  }
}

export function targetNameFor(target: FisTarget): string {
  switch (target.kind) {
    case 'app-subnets':
      return 'appSubnets';
    case 'app-tasks':
      return 'appTasks';
    case 'data-class-tables':
      return safeName(`tables-${target.dataClass}`);
    case 'data-class-clusters':
      return safeName(`clusters-${target.dataClass}`);
  }
}

/** The key an action names its target under, fixed per FIS action. */
function targetKeyFor(target: FisTarget): string {
  const keys = { 'app-subnets': 'Subnets', 'app-tasks': 'Tasks', 'data-class-tables': 'Tables', 'data-class-clusters': 'Clusters' } as const;
  return keys[target.kind];
}

/** AWS managed policies per action family; DynamoDB's pause has none, so its statements are written out. */
const MANAGED_POLICY_BY_SERVICE: Readonly<Record<string, string>> = {
  ecs: 'service-role/AWSFaultInjectionSimulatorECSAccess',
  network: 'service-role/AWSFaultInjectionSimulatorNetworkAccess',
  rds: 'service-role/AWSFaultInjectionSimulatorRDSAccess',
};

function grantActions(role: iam.Role, actions: readonly FisActionPlan[], stack: Stack): void {
  const services = new Set(actions.map((action) => action.actionId.split(':')[1] ?? ''));
  const acknowledgments: { id: string; reason: string }[] = [];
  for (const service of services) {
    const policy = MANAGED_POLICY_BY_SERVICE[service];
    if (policy === undefined) continue;
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(policy));
    acknowledgments.push({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
      reason: 'AWS maintains the FIS managed policies with the permissions its actions need as the actions change.',
    });
  }
  if (actions.some((action) => action.target !== undefined)) {
    role.addToPolicy(new iam.PolicyStatement({ actions: ['tag:GetResources'], resources: ['*'] }));
    acknowledgments.push({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'tag:GetResources and dynamodb:InjectError take no resource ARN; FIS resolves targets by tag with them.' });
  }
  if (services.has('dynamodb')) {
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:DescribeTable', 'dynamodb:GetResourcePolicy', 'dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'],
      resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
    }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:InjectError'], resources: ['*'] }));
    acknowledgments.push({
      id: `AwsSolutions-IAM5[Resource::arn:${nagValue(stack.partition, 'AWS::Partition')}:dynamodb:${nagValue(stack.region, 'AWS::Region')}:${nagValue(stack.account, 'AWS::AccountId')}:table/*]`,
      reason: 'Pausing replication edits the resource policy of whichever table FIS resolves by tag at run time; limited to this region and account.',
    });
  }
  Validations.of(role).acknowledge(...acknowledgments);
}

/**
 * A stack's partition, account or region as cdk-nag writes it in a finding's id: the pseudo parameter
 * (`<AWS::AccountId>`) when it is not known at synthesis (partition literals are a feature flag).
 */
function nagValue(value: string, pseudoParameter: string): string {
  return Token.isUnresolved(value) ? `<${pseudoParameter}>` : value;
}

/** Construct ids and FIS names: letters, digits, hyphens and underscores. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}

function constructIdFor(experiment: string): string {
  return `Experiment-${safeName(experiment)}`;
}
