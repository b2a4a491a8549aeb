import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CostBudget } from '../../src/synth/cost-budget.ts';
import { applyCostTags } from '../../src/synth/cost-tags.ts';
import { OperationsDashboard } from '../../src/synth/operations-dashboard.ts';
import { SynthRefusal } from '../../src/synth/synth-errors.ts';
import { endpointFor, nagFindings, stackIn } from './synth-fixtures.ts';

const REGIONS = ['us-east-1', 'eu-west-1'];

interface Widget {
  readonly properties: { readonly title: string; readonly region: string; readonly metrics: unknown[][] };
}

describe('OperationsDashboard', () => {
  const stack = stackIn('us-east-1', 'Global');
  new OperationsDashboard(stack, 'Ops', { endpoints: REGIONS.map(endpointFor), dashboardName: 'meridian-shop' });
  const template = Template.fromStack(stack);
  const body = JSON.parse((Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!['Properties'] as { DashboardBody: string }).DashboardBody) as { widgets: Widget[] };
  const widget = (title: string) => body.widgets.find((candidate) => candidate.properties.title === title)!;

  it('named, one overview widget and three widgets per region', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'meridian-shop' });
    assert.equal(body.widgets.length, 1 + 3 * REGIONS.length);
  });

  it('the overview plots each region\'s request count from that region', () => {
    const metrics = widget('Requests by region').properties.metrics;
    assert.deepEqual(
      metrics.map((metric) => [metric[1], metric[3], (metric[4] as { region: string }).region]),
      REGIONS.map((region) => ['RequestCount', endpointFor(region).loadBalancerFullName, region]),
    );
  });

  const perRegion: readonly [string, string[]][] = [
    ['requests', ['RequestCount']],
    ['5xx', ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count']],
    ['target response time', ['TargetResponseTime', 'TargetResponseTime']],
  ];
  for (const region of REGIONS) {
    for (const [suffix, metricNames] of perRegion) {
      it(`${region} ${suffix}: widget and metrics in ${region}, on its load balancer`, () => {
        const properties = widget(`${region} ${suffix}`).properties;
        assert.equal(properties.region, region);
        assert.deepEqual(properties.metrics.map((metric) => [metric[0], metric[1], metric[2], metric[3]]), metricNames.map((name) => ['AWS/ApplicationELB', name, 'LoadBalancer', endpointFor(region).loadBalancerFullName]));
      });
    }
  }
});

describe('CostBudget', () => {
  const stack = stackIn('us-east-1', 'Global');
  const budget = new CostBudget(stack, 'Budget', { monthlyBudgetUsd: 1500, notificationEmail: 'ops@example.com' });
  const template = Template.fromStack(stack);

  it('a monthly cost budget of the plan\'s amount in USD', () => {
    template.hasResourceProperties('AWS::Budgets::Budget', { Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 1500, Unit: 'USD' } } });
  });

  it('notifies at 80 % of actual spend, to the topic and the e-mail address', () => {
    template.hasResourceProperties('AWS::Budgets::Budget', {
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: stack.getLogicalId(budget.topic.node.defaultChild as sns.CfnTopic) } }, { SubscriptionType: 'EMAIL', Address: 'ops@example.com' }],
        },
      ],
    });
  });

  it('lets AWS Budgets publish to the topic it creates', () => {
    const topic = { Ref: stack.getLogicalId(budget.topic.node.defaultChild as sns.CfnTopic) };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: 'budgets.amazonaws.com' }, Resource: topic })]) },
    });
  });

  it('leaves no AwsSolutions finding', () => {
    assert.deepEqual(nagFindings(stack), []);
  });

  const refused: readonly number[] = [0, -5, Number.NaN];
  for (const amount of refused) {
    it(`refuses a budget of ${amount} USD`, () => {
      assert.throws(() => new CostBudget(stackIn('us-east-1'), 'Budget', { monthlyBudgetUsd: amount }), (error: unknown) => error instanceof SynthRefusal && error.code === 'budget-amount');
    });
  }
});

describe('applyCostTags', () => {
  const stack = stackIn('eu-west-1', 'Regional');
  const data = new Construct(stack, 'Orders');
  new dynamodb.Table(data, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new s3.Bucket(stack, 'Bucket');
  new sns.Topic(stack, 'Topic');
  applyCostTags(stack, { region: 'eu-west-1' });
  applyCostTags(data, { region: 'eu-west-1', dataClass: 'orders' });
  const template = Template.fromStack(stack);

  const tagsOf = (type: string) => (Object.values(template.findResources(type))[0]!['Properties']['Tags'] as { Key: string; Value: string }[]).map((tag) => `${tag.Key}=${tag.Value}`).sort();
  const cases: readonly [string, string[]][] = [
    ['AWS::DynamoDB::Table', ['meridian:data-class=orders', 'meridian:region=eu-west-1']],
    ['AWS::S3::Bucket', ['meridian:region=eu-west-1']],
    ['AWS::SNS::Topic', ['meridian:region=eu-west-1']],
  ];
  for (const [type, tags] of cases) {
    it(`${type}: ${tags.join(', ')}`, () => assert.deepEqual(tagsOf(type), tags));
  }
});
