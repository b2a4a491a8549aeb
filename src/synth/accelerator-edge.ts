import { Duration } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as globalaccelerator from 'aws-cdk-lib/aws-globalaccelerator';
import * as endpoints from 'aws-cdk-lib/aws-globalaccelerator-endpoints';
import { Construct } from 'constructs';
import { healthCheckSettings } from './health-check-settings.ts';
import type { SynthRegion, SynthRouting } from './synth-plan.ts';

export interface AcceleratorRegion {
  readonly region: string;
  readonly role: SynthRegion['role'];
  /**
   * The region's load balancer, when it is in this construct's stack (typed endpoint).
   * @default - use `loadBalancerArn`
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * The load balancer's ARN as a string or token, when the load balancer is in another stack.
   * @default - use `loadBalancer`
   */
  readonly loadBalancerArn?: string;
}

export interface GlobalAcceleratorEdgeProps {
  /** One endpoint group per routed region. */
  readonly regions: readonly AcceleratorRegion[];
  /** The plan's health check (interval 10 or 30 s, threshold, path). */
  readonly healthCheck: SynthRouting['healthCheck'];
  /** Health path when the plan has no health check. */
  readonly servicePath: string;
  /** @default - generated from the construct path */
  readonly acceleratorName?: string;
  /**
   * Pass the client's address to the ALB (`X-Forwarded-For`), where the region supports it.
   * @default true
   */
  readonly preserveClientIp?: boolean;
}

/**
 * A standard accelerator with a TCP listener on port 80 and one endpoint group per region, the region's
 * ALB as its endpoint. Serving regions dial 100 %, standby regions 0 %: a standby takes no traffic while
 * a serving region is healthy, but still receives failover (Global Accelerator ignores dials when it
 * fails over). Endpoint groups carry the plan's interval, threshold and path with protocol HTTP, but for
 * ALB endpoints Global Accelerator relies on the load balancer's own target health (those settings apply
 * to EC2 and Elastic IP endpoints), which is why `RegionalCompute` checks the same path at the same interval.
 *
 * Stack placement: Global Accelerator's control plane is in us-west-2 (the CLI and SDKs must name it),
 * but CloudFormation creates accelerators from a stack in any region, so this construct goes in the
 * global stack whatever its region; endpoint groups name their region explicitly. Delete the regional
 * stacks' load balancers only after this stack (endpoints hold them).
 */
export class GlobalAcceleratorEdge extends Construct {
  readonly accelerator: globalaccelerator.Accelerator;
  readonly listener: globalaccelerator.Listener;
  readonly endpointGroups: ReadonlyMap<string, globalaccelerator.EndpointGroup>;

  constructor(scope: Construct, id: string, props: GlobalAcceleratorEdgeProps) {
    super(scope, id);
    const settings = healthCheckSettings(props.healthCheck, props.servicePath);
    this.accelerator = new globalaccelerator.Accelerator(this, 'Accelerator', { acceleratorName: props.acceleratorName });
    this.listener = this.accelerator.addListener('Http', {
      portRanges: [{ fromPort: 80 }],
      protocol: globalaccelerator.ConnectionProtocol.TCP,
      clientAffinity: globalaccelerator.ClientAffinity.NONE,
    });
    const groups = new Map<string, globalaccelerator.EndpointGroup>();
    for (const region of props.regions) {
      groups.set(region.region, this.listener.addEndpointGroup(`Group-${region.region}`, {
        region: region.region,
        endpoints: [endpointFor(region, props.preserveClientIp ?? true)],
        trafficDialPercentage: trafficDialFor(region.role),
        healthCheckProtocol: globalaccelerator.HealthCheckProtocol.HTTP,
        healthCheckPort: 80,
        healthCheckPath: settings.path,
        healthCheckInterval: Duration.seconds(settings.intervalSeconds),
        healthCheckThreshold: settings.failureThreshold,
      }));
    }
    this.endpointGroups = groups;
  }
}

/** Serving regions take their share; a standby takes none until failover. */
export function trafficDialFor(role: SynthRegion['role']): number {
  return role === 'serving' ? 100 : 0;
}

function endpointFor(region: AcceleratorRegion, preserveClientIp: boolean): globalaccelerator.IEndpoint {
  if (region.loadBalancer !== undefined) return new endpoints.ApplicationLoadBalancerEndpoint(region.loadBalancer, { preserveClientIp });
  if (region.loadBalancerArn !== undefined) return new globalaccelerator.RawEndpoint({ endpointId: region.loadBalancerArn, region: region.region, preserveClientIp });
  throw new Error(`accelerator region ${region.region} has neither a load balancer nor its ARN`);
}
