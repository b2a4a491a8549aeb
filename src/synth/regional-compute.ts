import { Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { healthCheckSettings, type HealthCheckSettings } from './health-check-settings.ts';
import type { RegionalEndpoint } from './regional-endpoint.ts';
import { APP_SUBNETS_TAG_KEY } from './synth-tags.ts';
import type { SynthPlan, SynthRouting } from './synth-plan.ts';

export interface RegionalComputeProps {
  /** The plan's service: image, container port and health path. */
  readonly service: SynthPlan['service'];
  /** Tasks to run (the region's `instances` in the plan); 0 keeps the service defined but idle. */
  readonly desiredCount: number;
  /** The region of the enclosing stack; checked against it so logs and load balancer stay in this region. */
  readonly region: string;
  /**
   * The plan's routing health check; the target group checks the same path at the same interval, so the
   * accelerator (which relies on the ALB's target health) and Route 53 see a failure at the same time.
   * @default - every 30 s, 3 failures, on `service.healthPath`
   */
  readonly healthCheck?: SynthRouting['healthCheck'];
  /**
   * NAT gateways. With 1 (the default) tasks run in private subnets and reach the image registry through
   * one NAT gateway (about 32 USD a month per region; one AZ's NAT is a single point of failure for
   * egress only, not for serving). With 0 the VPC has public subnets only and tasks get public IP
   * addresses, still reachable only from the load balancer's security group: cheaper, for trials.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * Add an isolated subnet group `data` (no route out) for the region's Aurora clusters.
   * @default false
   */
  readonly dataSubnets?: boolean;
  /**
   * Retention of the application log group and of the access and flow logs bucket's objects.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** @default 256 (0.25 vCPU) */
  readonly cpu?: number;
  /** @default 512 */
  readonly memoryLimitMiB?: number;
  /**
   * What happens to the log group and the logs bucket when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A region's compute placeholder: a two-AZ VPC, an ECS cluster with Container Insights, a Fargate service
 * running the plan's image (with `PORT`, `MERIDIAN_SERVICE` and `MERIDIAN_REGION` in its environment)
 * behind an internet-facing ALB (HTTP on 80), and its logs kept in this region
 * (application log group, ALB access logs and VPC flow logs in a regional bucket). The subnets holding
 * the tasks carry `meridian:app-subnets=<service>` so AWS FIS templates can target them.
 */
export class RegionalCompute extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly logGroup: logs.LogGroup;
  readonly logsBucket: s3.Bucket;
  /** The load balancer as plain values for the global constructs (Route 53, accelerator, CDN, dashboard). */
  readonly endpoint: RegionalEndpoint;

  constructor(scope: Construct, id: string, props: RegionalComputeProps) {
    super(scope, id);
    // ALB access logging needs the region at synthesis, and the logs must stay in the plan's region.
    const stackRegion = Stack.of(this).region;
    if (Token.isUnresolved(stackRegion)) throw new Error(`RegionalCompute for ${props.region} needs a stack with an explicit env.region`);
    if (stackRegion !== props.region) throw new Error(`RegionalCompute for ${props.region} placed in a stack of region ${stackRegion}`);
    const natGateways = props.natGateways ?? 1;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const removalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;
    const checks = healthCheckSettings(props.healthCheck, props.service.healthPath);

    this.logsBucket = this.createLogsBucket(retention, removalPolicy);
    this.vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways, subnetConfiguration: subnetLayoutFor(natGateways, props.dataSubnets ?? false) });
    this.vpc.addFlowLog('FlowLogs', { destination: ec2.FlowLogDestination.toS3(this.logsBucket, 'vpc-flow-logs/') });
    const taskSubnets = taskSubnetsFor(natGateways);
    for (const subnet of this.vpc.selectSubnets(taskSubnets).subnets) Tags.of(subnet).add(APP_SUBNETS_TAG_KEY, props.service.name);

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.logGroup = new logs.LogGroup(this, 'AppLogs', { retention, removalPolicy });
    this.service = this.createService(props, taskSubnets, natGateways === 0);
    this.loadBalancer = this.createLoadBalancer(props, checks);
    this.endpoint = {
      region: props.region,
      dnsName: this.loadBalancer.loadBalancerDnsName,
      canonicalHostedZoneId: this.loadBalancer.loadBalancerCanonicalHostedZoneId,
      loadBalancerArn: this.loadBalancer.loadBalancerArn,
      loadBalancerFullName: this.loadBalancer.loadBalancerFullName,
    };
  }

  private createLogsBucket(retention: logs.RetentionDays, removalPolicy: RemovalPolicy): s3.Bucket {
    // ALB access logs only accept SSE-S3; the bucket refuses plain HTTP and public access.
    const bucket = new s3.Bucket(this, 'LogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: retention === logs.RetentionDays.INFINITE ? [] : [{ expiration: Duration.days(retention) }],
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the ALB access logs and VPC flow logs; logging access to the log bucket itself would recurse.',
    });
    return bucket;
  }

  private createService(props: RegionalComputeProps, subnets: ec2.SubnetSelection, assignPublicIp: boolean): ecs.FargateService {
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: props.cpu ?? 256, memoryLimitMiB: props.memoryLimitMiB ?? 512 });
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry(props.service.image),
      ...(props.service.command === undefined ? {} : { command: [...props.service.command] }),
      portMappings: [{ containerPort: props.service.containerPort }],
      environment: { PORT: String(props.service.containerPort), MERIDIAN_SERVICE: props.service.name, MERIDIAN_REGION: props.region },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: props.service.name }),
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds the port to listen on, the service and region names, and where the region\'s data is (table names, database hosts and ports, the IAM-authenticated user): no secrets; the database master password stays in Secrets Manager.',
    });
    return new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: props.desiredCount,
      vpcSubnets: subnets,
      assignPublicIp,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
  }

  private createLoadBalancer(props: RegionalComputeProps, checks: HealthCheckSettings): elbv2.ApplicationLoadBalancer {
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc: this.vpc, internetFacing: true, dropInvalidHeaderFields: true });
    loadBalancer.logAccessLogs(this.logsBucket, 'alb-access-logs');
    const listener = loadBalancer.addListener('Http', { port: 80, open: true });
    listener.addTargets('Service', {
      port: props.service.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: targetGroupHealthCheckFor(checks),
      // Short drain: a failed-over region should stop serving quickly, and deployments finish sooner.
      deregistrationDelay: Duration.seconds(30),
    });
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'Internet-facing load balancer of a public API: port 80 must be open to every address (Route 53 and accelerator health checkers included).',
    });
    return loadBalancer;
  }
}

/**
 * Public subnets for the ALB (and NAT); private subnets with egress for the tasks when there is a NAT;
 * isolated subnets for databases when asked.
 */
export function subnetLayoutFor(natGateways: number, dataSubnets = false): ec2.SubnetConfiguration[] {
  const layout: ec2.SubnetConfiguration[] = [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }];
  if (natGateways > 0) layout.push({ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 });
  if (dataSubnets) layout.push({ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 });
  return layout;
}

export function taskSubnetsFor(natGateways: number): ec2.SubnetSelection {
  return { subnetType: natGateways === 0 ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

/**
 * The target group's check: the routing health check's path and interval; the ALB counts at least 2
 * failures (its minimum), recovers after 2 successes, and waits 5 s for an answer (less than either interval).
 */
export function targetGroupHealthCheckFor(checks: HealthCheckSettings): elbv2.HealthCheck {
  return {
    path: checks.path,
    interval: Duration.seconds(checks.intervalSeconds),
    timeout: Duration.seconds(5),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: Math.max(2, checks.failureThreshold),
    healthyHttpCodes: '200-299',
  };
}
