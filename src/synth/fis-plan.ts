import type { SynthDataClass, SynthExperiment, SynthFault } from './synth-plan.ts';

/**
 * Meridian experiments translated into AWS FIS experiment templates, as plain data (the construct in
 * `fis-experiments.ts` renders it). FIS templates are regional: a template runs in one region and acts on
 * that region's resources, so an experiment becomes one template per region it touches, started together;
 * each fault's start is kept with an `aws:fis:wait` before its actions.
 *
 * | Meridian fault                  | FIS actions (in the fault's region)                                                         |
 * | region-outage, app scope        | aws:ecs:stop-task on the service's tasks, then aws:network:disrupt-connectivity (scope all)  |
 * |                                 | on the task subnets for the fault's duration, so replacements stay unreachable              |
 * | region-outage, database scope   | aws:network:disrupt-connectivity (scope dynamodb) on the task subnets, plus, per data class  |
 * |                                 | in the region: aws:dynamodb:global-table-pause-replication (global and MRSC tables),         |
 * |                                 | aws:rds:failover-db-cluster (Aurora cluster whose writer is here)                            |
 * | region-outage, all              | both of the above                                                                            |
 * | partition (isolate a region)    | aws:network:route-table-disrupt-cross-region-connectivity towards each other region, plus    |
 * |                                 | aws:dynamodb:global-table-pause-replication of the region's replicas                        |
 * | partition (between two regions) | aws:network:route-table-disrupt-cross-region-connectivity from each side to the other (one  |
 * |                                 | side if one-way); replication between the two is left flowing, and listed as unmapped       |
 * | replication-pause               | aws:dynamodb:global-table-pause-replication of the class's replica (every region if none)   |
 * | link-latency, error-injection,  | unmapped, with the reason (see `UNMAPPED_REASONS`)                                           |
 * | health-check-failure            |                                                                                              |
 */

/** What an action acts on; the construct turns it into an FIS target (tags, or the ECS service). */
export type FisTarget =
  | { readonly kind: 'app-subnets' }
  | { readonly kind: 'app-tasks' }
  | { readonly kind: 'data-class-tables'; readonly dataClass: string }
  | { readonly kind: 'data-class-clusters'; readonly dataClass: string };

export interface FisActionPlan {
  /** Unique in its template: `f<fault index>-<what>`. */
  readonly name: string;
  readonly actionId: string;
  readonly description: string;
  /** Includes `duration` (ISO 8601) for timed actions. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly target: FisTarget | undefined;
  readonly startAfter: readonly string[];
  /** The experiment fault the action comes from. */
  readonly faultIndex: number;
  readonly faultAction: SynthFault['action'];
}

export interface FisTemplatePlan {
  readonly experiment: string;
  readonly region: string;
  readonly description: string;
  readonly actions: readonly FisActionPlan[];
  /** Where the template departs from the experiment (a start moved, part of a fault left out). */
  readonly notes: readonly string[];
}

export interface UnmappedFault {
  readonly experiment: string;
  readonly faultIndex: number;
  readonly action: SynthFault['action'];
  readonly region: string | undefined;
  readonly reason: string;
}

export interface FisPlan {
  readonly templates: readonly FisTemplatePlan[];
  readonly unmapped: readonly UnmappedFault[];
}

export const UNMAPPED_REASONS = {
  'link-latency':
    'FIS has no action that delays an inter-region link: aws:ecs:task-network-latency slows a task\'s own traffic, and the data replication between regions is managed by DynamoDB and Aurora, outside the tasks',
  'error-injection':
    'FIS cannot make the service answer a share of its requests with an HTTP error: aws:fis:inject-api-* faults AWS API calls of an IAM role, and the Lambda faults apply to functions; this needs a switch in the application',
  'health-check-failure':
    'the Route 53 and Global Accelerator health checkers are outside the account; no FIS action fails their checks while the application stays up (point the health check at a failing path, or use ARC routing controls)',
} as const;

/** FIS action durations and waits top out at 12 hours. */
export const FIS_DURATION_SECONDS_MAX = 12 * 3600;
/** `aws:fis:wait` lasts at least one minute. */
export const FIS_WAIT_SECONDS_MIN = 60;

interface ActionSpec {
  readonly what: string;
  readonly actionId: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly target: FisTarget | undefined;
}

/** One fault's translation: actions per region, and what of it FIS cannot do. */
interface FaultMapping {
  readonly actions: ReadonlyMap<string, readonly ActionSpec[]>;
  readonly unmapped: readonly { readonly region: string | undefined; readonly reason: string }[];
}

export function fisPlanFor(experiment: SynthExperiment, regions: readonly string[], dataClasses: readonly SynthDataClass[] = []): FisPlan {
  const byRegion = new Map<string, { actions: FisActionPlan[]; notes: string[] }>();
  const unmapped: UnmappedFault[] = [];
  experiment.faults.forEach((fault, faultIndex) => {
    const mapping = mapFault(fault, regions, dataClasses);
    for (const part of mapping.unmapped) unmapped.push({ experiment: experiment.name, faultIndex, action: fault.action, region: part.region, reason: part.reason });
    for (const [region, specs] of mapping.actions) {
      const entry = byRegion.get(region) ?? { actions: [], notes: [] };
      byRegion.set(region, entry);
      const partial = mapping.unmapped.map((part) => `fault ${faultIndex} (${fault.action}) partly unmapped: ${part.reason}`);
      entry.notes.push(...partial);
      const timed = timedActions(fault, faultIndex, specs);
      entry.actions.push(...timed.actions);
      entry.notes.push(...timed.notes);
    }
  });
  const templates = regions
    .filter((region) => byRegion.has(region))
    .map((region): FisTemplatePlan => {
      const entry = byRegion.get(region)!;
      return { experiment: experiment.name, region, description: templateDescription(experiment, region), actions: entry.actions, notes: [...new Set(entry.notes)] };
    });
  return { templates, unmapped };
}

function mapFault(fault: SynthFault, regions: readonly string[], dataClasses: readonly SynthDataClass[]): FaultMapping {
  if (fault.durationSeconds > FIS_DURATION_SECONDS_MAX || fault.startSeconds > FIS_DURATION_SECONDS_MAX) {
    return unmappedOnly(fault.region, `FIS actions and waits last at most ${FIS_DURATION_SECONDS_MAX / 3600} hours`);
  }
  if (fault.region !== undefined && !regions.includes(fault.region)) {
    return unmappedOnly(fault.region, `region ${fault.region} has no stack in this app`);
  }
  switch (fault.action) {
    case 'region-outage':
      return regionOutage(fault, fault.region, dataClasses);
    case 'partition':
      return partition(fault, regions, dataClasses);
    case 'replication-pause':
      return replicationPause(fault, regions, dataClasses);
    case 'link-latency':
    case 'error-injection':
    case 'health-check-failure':
      return unmappedOnly(fault.region, UNMAPPED_REASONS[fault.action]);
  }
}

function regionOutage(fault: SynthFault, region: string | undefined, dataClasses: readonly SynthDataClass[]): FaultMapping {
  if (region === undefined) return unmappedOnly(undefined, 'a region outage needs a region');
  const scope = fault.scope ?? 'all';
  const duration = isoDuration(fault.durationSeconds);
  const actions: ActionSpec[] = [];
  const unmapped: { region: string; reason: string }[] = [];
  if (scope !== 'database') {
    actions.push(
      { what: 'stop-tasks', actionId: 'aws:ecs:stop-task', description: 'stop the service\'s running tasks', parameters: {}, target: { kind: 'app-tasks' } },
      { what: 'cut-app-subnets', actionId: 'aws:network:disrupt-connectivity', description: 'deny all traffic of the task subnets, so replacement tasks stay unreachable', parameters: { scope: 'all', duration }, target: { kind: 'app-subnets' } },
    );
  }
  if (scope !== 'app') {
    const database = databaseOutage(region, duration, dataClasses, scope === 'database');
    actions.push(...database.actions);
    unmapped.push(...database.unmapped.map((reason) => ({ region, reason })));
  }
  return { actions: actions.length === 0 ? new Map() : new Map([[region, actions]]), unmapped };
}

function databaseOutage(region: string, duration: string, dataClasses: readonly SynthDataClass[], cutDynamoDb: boolean): { actions: ActionSpec[]; unmapped: string[] } {
  const here = dataClasses.filter((dataClass) => dataClass.replicas.includes(region));
  if (here.length === 0) return { actions: [], unmapped: [`database tier: no data class has a replica in ${region}`] };
  const actions: ActionSpec[] = [];
  const unmapped: string[] = [];
  if (cutDynamoDb && here.some((dataClass) => isDynamoDb(dataClass))) {
    actions.push({ what: 'cut-dynamodb', actionId: 'aws:network:disrupt-connectivity', description: 'deny the task subnets\' traffic to DynamoDB', parameters: { scope: 'dynamodb', duration }, target: { kind: 'app-subnets' } });
  }
  for (const dataClass of here) {
    if (isGlobalDynamoDb(dataClass)) actions.push(pauseReplication(dataClass, duration));
    else if (isAurora(dataClass) && (dataClass.writer ?? dataClass.replicas[0]) === region) actions.push(failoverCluster(dataClass));
    else if (isAurora(dataClass)) unmapped.push(`database tier, Aurora class ${dataClass.name}: FIS cannot take down a secondary cluster of a global database`);
  }
  return { actions, unmapped };
}

function partition(fault: SynthFault, regions: readonly string[], dataClasses: readonly SynthDataClass[]): FaultMapping {
  if (fault.between !== undefined) return partitionBetween(fault, fault.between, regions, dataClasses);
  const region = fault.region;
  if (region === undefined) return unmappedOnly(undefined, 'a partition needs a region to isolate or two regions to cut apart');
  const duration = isoDuration(fault.durationSeconds);
  const actions: ActionSpec[] = regions.filter((other) => other !== region).map((other) => cutTo(other, duration));
  const unmapped: { region: string; reason: string }[] = [];
  for (const dataClass of dataClasses.filter((candidate) => candidate.replicas.includes(region) && candidate.replicas.length > 1)) {
    if (isGlobalDynamoDb(dataClass)) actions.push(pauseReplication(dataClass, duration));
    else if (dataClass.engine === 'aurora-global-database') unmapped.push({ region, reason: auroraReplicationReason(dataClass) });
  }
  return { actions: new Map([[region, actions]]), unmapped };
}

/**
 * A cut between two regions: each side's task subnets stop reaching the other region (one side only when
 * one-way). Data replication between just those two regions is not cut: FIS pauses a DynamoDB replica's
 * replication with every region at once, and Aurora's not at all, so doing it would be a wider fault.
 */
function partitionBetween(fault: SynthFault, between: readonly [string, string], regions: readonly string[], dataClasses: readonly SynthDataClass[]): FaultMapping {
  const [from, to] = between;
  const outside = between.find((region) => !regions.includes(region));
  if (outside !== undefined) return unmappedOnly(outside, `region ${outside} has no stack in this app`);
  if (from === to) return unmappedOnly(from, `a partition between ${from} and itself cuts nothing`);
  const duration = isoDuration(fault.durationSeconds);
  const actions = new Map<string, ActionSpec[]>([[from, [cutTo(to, duration)]]]);
  if (!fault.oneWay) actions.set(to, [cutTo(from, duration)]);
  const shared = dataClasses.filter((dataClass) => dataClass.replicas.includes(from) && dataClass.replicas.includes(to));
  const unmapped = shared.length === 0 ? [] : [{
    region: undefined,
    reason: `replication of ${shared.map((dataClass) => dataClass.name).join(', ')} between ${from} and ${to} keeps flowing: FIS pauses a DynamoDB replica's replication with every region at once and cannot pause Aurora's, so only the application traffic between the two regions is cut`,
  }];
  return { actions, unmapped };
}

function cutTo(other: string, duration: string): ActionSpec {
  return {
    what: `cut-to-${other}`,
    actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
    description: `block traffic from the task subnets to ${other}`,
    parameters: { region: other, duration },
    target: { kind: 'app-subnets' },
  };
}

function replicationPause(fault: SynthFault, regions: readonly string[], dataClasses: readonly SynthDataClass[]): FaultMapping {
  const classes = dataClasses.filter((dataClass) => (fault.dataClass === undefined || dataClass.name === fault.dataClass) && dataClass.replicas.length > 1);
  if (classes.length === 0) return unmappedOnly(fault.region, fault.dataClass === undefined ? 'no replicated data class' : `data class ${fault.dataClass} is not replicated`);
  const duration = isoDuration(fault.durationSeconds);
  const targetRegions = fault.region === undefined ? regions : [fault.region];
  const actions = new Map<string, ActionSpec[]>();
  const unmapped: { region: string | undefined; reason: string }[] = [];
  for (const dataClass of classes) {
    if (dataClass.engine === 'aurora-global-database') {
      unmapped.push({ region: fault.region, reason: auroraReplicationReason(dataClass) });
      continue;
    }
    for (const region of targetRegions.filter((candidate) => dataClass.replicas.includes(candidate))) {
      actions.set(region, [...(actions.get(region) ?? []), pauseReplication(dataClass, duration)]);
    }
    if (fault.region !== undefined && !dataClass.replicas.includes(fault.region)) {
      unmapped.push({ region: fault.region, reason: `data class ${dataClass.name} has no replica in ${fault.region}, so there is no replication to pause there` });
    }
  }
  return { actions, unmapped };
}

function pauseReplication(dataClass: SynthDataClass, duration: string): ActionSpec {
  return {
    what: `pause-${dataClass.name}`,
    actionId: 'aws:dynamodb:global-table-pause-replication',
    description: `pause replication into and out of this region's replica of ${dataClass.name}`,
    parameters: { duration },
    target: { kind: 'data-class-tables', dataClass: dataClass.name },
  };
}

function failoverCluster(dataClass: SynthDataClass): ActionSpec {
  return {
    what: `failover-${dataClass.name}`,
    actionId: 'aws:rds:failover-db-cluster',
    description: `fail over the writer of ${dataClass.name}'s cluster (a restart of the writer, not an outage for the fault's duration)`,
    parameters: {},
    target: { kind: 'data-class-clusters', dataClass: dataClass.name },
  };
}

function auroraReplicationReason(dataClass: SynthDataClass): string {
  return `Aurora class ${dataClass.name}: FIS cannot pause Aurora global database replication (it runs in the storage layer)`;
}

function isDynamoDb(dataClass: SynthDataClass): boolean {
  return dataClass.engine === 'dynamodb-global-table' || dataClass.engine === 'dynamodb-mrsc' || dataClass.engine === 'dynamodb-table';
}

function isAurora(dataClass: SynthDataClass): boolean {
  return dataClass.engine === 'aurora-global-database' || dataClass.engine === 'aurora-cluster';
}

function isGlobalDynamoDb(dataClass: SynthDataClass): boolean {
  return (dataClass.engine === 'dynamodb-global-table' || dataClass.engine === 'dynamodb-mrsc') && dataClass.replicas.length > 1;
}

function unmappedOnly(region: string | undefined, reason: string): FaultMapping {
  return { actions: new Map(), unmapped: [{ region, reason }] };
}

/**
 * A fault's actions named and placed in time: a fault starting later than the experiment waits first.
 * Starts under a minute begin at once (a wait lasts at least one minute, and production traffic needs no
 * warm-up), and the template says so.
 */
function timedActions(fault: SynthFault, faultIndex: number, specs: readonly ActionSpec[]): { actions: FisActionPlan[]; notes: string[] } {
  const prefix = `f${faultIndex}`;
  const notes: string[] = [];
  const actions: FisActionPlan[] = [];
  let startAfter: string[] = [];
  if (fault.startSeconds >= FIS_WAIT_SECONDS_MIN) {
    const wait = `${prefix}-wait`;
    actions.push({ name: wait, actionId: 'aws:fis:wait', description: `fault ${faultIndex} starts at ${fault.startSeconds} s`, parameters: { duration: isoDuration(fault.startSeconds) }, target: undefined, startAfter: [], faultIndex, faultAction: fault.action });
    startAfter = [wait];
  } else if (fault.startSeconds > 0) {
    notes.push(`fault ${faultIndex} starts at once instead of at ${fault.startSeconds} s (aws:fis:wait lasts at least ${FIS_WAIT_SECONDS_MIN} s)`);
  }
  for (const spec of specs) {
    actions.push({ name: actionName(prefix, spec.what), actionId: spec.actionId, description: spec.description, parameters: spec.parameters, target: spec.target, startAfter, faultIndex, faultAction: fault.action });
  }
  return { actions, notes };
}

/** FIS names take no white space; 64 characters at most. */
export function actionName(prefix: string, what: string): string {
  return `${prefix}-${what}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
}

/** ISO 8601 durations as FIS takes them: whole hours, whole minutes, or seconds. */
export function isoDuration(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  if (whole % 3600 === 0) return `PT${whole / 3600}H`;
  if (whole % 60 === 0) return `PT${whole / 60}M`;
  return `PT${whole}S`;
}

function templateDescription(experiment: SynthExperiment, region: string): string {
  const text = `Meridian experiment ${experiment.name} in ${region}${experiment.description === undefined ? '' : `: ${experiment.description}`}`;
  return text.slice(0, 512);
}
