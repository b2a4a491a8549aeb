import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNMAPPED_REASONS, fisPlanFor, isoDuration, type FisPlan } from '../../src/synth/fis-plan.ts';
import type { SynthDataClass, SynthExperiment, SynthFault } from '../../src/synth/synth-plan.ts';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

function dataClass(name: string, engine: SynthDataClass['engine'], replicas: string[], writer?: string): SynthDataClass {
  return { name, consistency: 'multi-writer', engine, replicas, writer, witness: undefined, residency: undefined };
}

const DATA_CLASSES: readonly SynthDataClass[] = [
  dataClass('orders', 'dynamodb-global-table', ['us-east-1', 'eu-west-1']),
  dataClass('sessions', 'dynamodb-mrsc', ['us-east-1', 'eu-west-1']),
  dataClass('ledger', 'aurora-global-database', ['us-east-1', 'eu-west-1'], 'us-east-1'),
];

function fault(action: SynthFault['action'], overrides: Partial<SynthFault> = {}): SynthFault {
  return { action, startSeconds: 0, durationSeconds: 600, region: undefined, scope: undefined, dataClass: undefined, errorRate: undefined, ...overrides };
}

function planOf(...faults: SynthFault[]): FisPlan {
  const experiment: SynthExperiment = { name: 'game-day', description: 'a test', durationSeconds: 1200, faults };
  return fisPlanFor(experiment, REGIONS, DATA_CLASSES);
}

/** Each template as region → "action id (target)" lines, waits left out. */
function actionsByRegion(plan: FisPlan): Record<string, string[]> {
  return Object.fromEntries(
    plan.templates.map((template) => [
      template.region,
      template.actions
        .filter((action) => action.actionId !== 'aws:fis:wait')
        .map((action) => {
          const target = action.target === undefined ? '' : ` ${action.target.kind}${'dataClass' in action.target ? `:${action.target.dataClass}` : ''}`;
          const detail = action.parameters['scope'] ?? action.parameters['region'];
          return `${action.actionId}${detail === undefined ? '' : `[${detail}]`}${target}`;
        }),
    ]),
  );
}

const AURORA_REPLICATION = 'Aurora class ledger: FIS cannot pause Aurora global database replication (it runs in the storage layer)';

interface MappingCase {
  readonly name: string;
  readonly fault: SynthFault;
  readonly actions: Record<string, string[]>;
  readonly unmapped: readonly string[];
}

const MAPPING: readonly MappingCase[] = [
  {
    name: 'region-outage, app scope: stop the tasks, then cut the task subnets',
    fault: fault('region-outage', { region: 'us-east-1', scope: 'app' }),
    actions: { 'us-east-1': ['aws:ecs:stop-task app-tasks', 'aws:network:disrupt-connectivity[all] app-subnets'] },
    unmapped: [],
  },
  {
    name: 'region-outage, database scope in the Aurora writer region',
    fault: fault('region-outage', { region: 'us-east-1', scope: 'database' }),
    actions: {
      'us-east-1': [
        'aws:network:disrupt-connectivity[dynamodb] app-subnets',
        'aws:dynamodb:global-table-pause-replication data-class-tables:orders',
        'aws:dynamodb:global-table-pause-replication data-class-tables:sessions',
        'aws:rds:failover-db-cluster data-class-clusters:ledger',
      ],
    },
    unmapped: [],
  },
  {
    name: 'region-outage, all, in an Aurora secondary region',
    fault: fault('region-outage', { region: 'eu-west-1', scope: 'all' }),
    actions: {
      'eu-west-1': [
        'aws:ecs:stop-task app-tasks',
        'aws:network:disrupt-connectivity[all] app-subnets',
        'aws:dynamodb:global-table-pause-replication data-class-tables:orders',
        'aws:dynamodb:global-table-pause-replication data-class-tables:sessions',
      ],
    },
    unmapped: ['database tier, Aurora class ledger: FIS cannot take down a secondary cluster of a global database'],
  },
  {
    name: 'region-outage, default scope (all), in a region without data',
    fault: fault('region-outage', { region: 'ap-northeast-1' }),
    actions: { 'ap-northeast-1': ['aws:ecs:stop-task app-tasks', 'aws:network:disrupt-connectivity[all] app-subnets'] },
    unmapped: ['database tier: no data class has a replica in ap-northeast-1'],
  },
  {
    name: 'partition isolating a region: cut it from each other region, pause its DynamoDB replicas',
    fault: fault('partition', { region: 'us-east-1' }),
    actions: {
      'us-east-1': [
        'aws:network:route-table-disrupt-cross-region-connectivity[eu-west-1] app-subnets',
        'aws:network:route-table-disrupt-cross-region-connectivity[ap-northeast-1] app-subnets',
        'aws:dynamodb:global-table-pause-replication data-class-tables:orders',
        'aws:dynamodb:global-table-pause-replication data-class-tables:sessions',
      ],
    },
    unmapped: [AURORA_REPLICATION],
  },
  {
    name: 'partition between two regions: each side cut from the other; their shared replication left flowing, and said',
    fault: fault('partition', { between: ['us-east-1', 'eu-west-1'] }),
    actions: {
      'us-east-1': ['aws:network:route-table-disrupt-cross-region-connectivity[eu-west-1] app-subnets'],
      'eu-west-1': ['aws:network:route-table-disrupt-cross-region-connectivity[us-east-1] app-subnets'],
    },
    unmapped: ['replication of orders, sessions, ledger between us-east-1 and eu-west-1 keeps flowing: FIS pauses a DynamoDB replica\'s replication with every region at once and cannot pause Aurora\'s, so only the application traffic between the two regions is cut'],
  },
  {
    name: 'one-way partition between two regions without shared data: one side cut, nothing unmapped',
    fault: fault('partition', { between: ['eu-west-1', 'ap-northeast-1'], oneWay: true }),
    actions: { 'eu-west-1': ['aws:network:route-table-disrupt-cross-region-connectivity[ap-northeast-1] app-subnets'] },
    unmapped: [],
  },
  {
    name: 'partition with neither an isolated region nor two regions',
    fault: fault('partition'),
    actions: {},
    unmapped: ['a partition needs a region to isolate or two regions to cut apart'],
  },
  {
    name: 'replication-pause of a class in a region where it has no replica: nothing to pause, and said',
    fault: fault('replication-pause', { region: 'ap-northeast-1', dataClass: 'orders' }),
    actions: {},
    unmapped: ['data class orders has no replica in ap-northeast-1, so there is no replication to pause there'],
  },
  {
    name: 'replication-pause of one class out of one region',
    fault: fault('replication-pause', { region: 'eu-west-1', dataClass: 'orders' }),
    actions: { 'eu-west-1': ['aws:dynamodb:global-table-pause-replication data-class-tables:orders'] },
    unmapped: [],
  },
  {
    name: 'replication-pause of every class everywhere: each replica region pauses its own',
    fault: fault('replication-pause'),
    actions: {
      'us-east-1': ['aws:dynamodb:global-table-pause-replication data-class-tables:orders', 'aws:dynamodb:global-table-pause-replication data-class-tables:sessions'],
      'eu-west-1': ['aws:dynamodb:global-table-pause-replication data-class-tables:orders', 'aws:dynamodb:global-table-pause-replication data-class-tables:sessions'],
    },
    unmapped: [AURORA_REPLICATION],
  },
  { name: 'replication-pause of an Aurora class', fault: fault('replication-pause', { dataClass: 'ledger' }), actions: {}, unmapped: [AURORA_REPLICATION] },
  { name: 'link-latency', fault: fault('link-latency'), actions: {}, unmapped: [UNMAPPED_REASONS['link-latency']] },
  { name: 'error-injection', fault: fault('error-injection', { region: 'us-east-1', errorRate: 0.2 }), actions: {}, unmapped: [UNMAPPED_REASONS['error-injection']] },
  { name: 'health-check-failure', fault: fault('health-check-failure', { region: 'us-east-1' }), actions: {}, unmapped: [UNMAPPED_REASONS['health-check-failure']] },
  { name: 'a fault in a region without a stack', fault: fault('region-outage', { region: 'sa-east-1' }), actions: {}, unmapped: ['region sa-east-1 has no stack in this app'] },
  { name: 'a fault longer than 12 hours', fault: fault('region-outage', { region: 'us-east-1', durationSeconds: 13 * 3600 }), actions: {}, unmapped: ['FIS actions and waits last at most 12 hours'] },
];

describe('fisPlanFor: each Meridian fault → FIS actions or unmapped with a reason', () => {
  for (const testCase of MAPPING) {
    it(testCase.name, () => {
      const plan = planOf(testCase.fault);
      assert.deepEqual(actionsByRegion(plan), testCase.actions);
      assert.deepEqual(plan.unmapped.map((entry) => entry.reason), testCase.unmapped);
      for (const entry of plan.unmapped) {
        assert.equal(entry.experiment, 'game-day');
        assert.equal(entry.faultIndex, 0);
        assert.equal(entry.action, testCase.fault.action);
      }
    });
  }

  it('timed actions carry the fault duration; instant ones (stop-task, failover) have none', () => {
    const plan = planOf(fault('region-outage', { region: 'us-east-1', durationSeconds: 600 }));
    const parameters = Object.fromEntries(plan.templates[0]!.actions.map((action) => [action.name, action.parameters]));
    assert.deepEqual(parameters, {
      'f0-stop-tasks': {},
      'f0-cut-app-subnets': { scope: 'all', duration: 'PT10M' },
      'f0-pause-orders': { duration: 'PT10M' },
      'f0-pause-sessions': { duration: 'PT10M' },
      'f0-failover-ledger': {},
    });
  });
});

describe('fisPlanFor: timing and templates', () => {
  it('a fault starting later waits first; its actions start after the wait', () => {
    const plan = planOf(fault('region-outage', { region: 'ap-northeast-1', scope: 'app', startSeconds: 120, durationSeconds: 90 }));
    const actions = plan.templates[0]!.actions;
    assert.deepEqual(
      actions.map((action) => [action.name, action.actionId, action.parameters['duration'], action.startAfter]),
      [
        ['f0-wait', 'aws:fis:wait', 'PT2M', []],
        ['f0-stop-tasks', 'aws:ecs:stop-task', undefined, ['f0-wait']],
        ['f0-cut-app-subnets', 'aws:network:disrupt-connectivity', 'PT90S', ['f0-wait']],
      ],
    );
    assert.deepEqual(plan.templates[0]!.notes, []);
  });

  it('a start under a minute begins at once, and the template says so', () => {
    const plan = planOf(fault('region-outage', { region: 'ap-northeast-1', scope: 'app', startSeconds: 20 }));
    assert.ok(plan.templates[0]!.actions.every((action) => action.startAfter.length === 0));
    assert.deepEqual(plan.templates[0]!.notes, ['fault 0 starts at once instead of at 20 s (aws:fis:wait lasts at least 60 s)']);
  });

  it('one template per region touched, in the plan\'s region order; names unique per template', () => {
    const plan = planOf(
      fault('region-outage', { region: 'eu-west-1', scope: 'app', startSeconds: 60 }),
      fault('replication-pause', { dataClass: 'orders', startSeconds: 300 }),
      fault('link-latency'),
    );
    assert.deepEqual(plan.templates.map((template) => template.region), ['us-east-1', 'eu-west-1']);
    for (const template of plan.templates) {
      const names = template.actions.map((action) => action.name);
      assert.equal(new Set(names).size, names.length);
      assert.equal(template.experiment, 'game-day');
      assert.equal(template.description, `Meridian experiment game-day in ${template.region}: a test`);
    }
    assert.deepEqual(plan.templates[1]!.actions.map((action) => action.name), ['f0-wait', 'f0-stop-tasks', 'f0-cut-app-subnets', 'f1-wait', 'f1-pause-orders']);
    assert.deepEqual(plan.unmapped.map((entry) => [entry.faultIndex, entry.action]), [[2, 'link-latency']]);
  });
});

describe('isoDuration', () => {
  const cases: readonly [number, string][] = [
    [30, 'PT30S'],
    [60, 'PT1M'],
    [90, 'PT90S'],
    [600, 'PT10M'],
    [3600, 'PT1H'],
    [5400, 'PT90M'],
    [0.4, 'PT1S'],
  ];
  for (const [seconds, iso] of cases) {
    it(`${seconds} s → ${iso}`, () => assert.equal(isoDuration(seconds), iso));
  }
});
