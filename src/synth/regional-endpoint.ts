/**
 * A region's load balancer as the global constructs see it: plain strings (or tokens), so the assembler can
 * carry them across regions however it likes (outputs, SSM parameters, literal values) without the global
 * stack holding a reference into a regional stack.
 */
export interface RegionalEndpoint {
  readonly region: string;
  /** The ALB's DNS name (`xxx.region.elb.amazonaws.com`). */
  readonly dnsName: string;
  /** The ALB's canonical hosted zone id, for Route 53 alias records. */
  readonly canonicalHostedZoneId: string;
  /** The ALB's ARN, for Global Accelerator endpoints. */
  readonly loadBalancerArn: string;
  /** The ALB's full name (`app/name/id`), the `LoadBalancer` dimension of its CloudWatch metrics. */
  readonly loadBalancerFullName: string;
}

/** The endpoint of `region`; a missing one is a wiring mistake of the assembler, not a plan problem. */
export function endpointIn<T extends { readonly region: string }>(endpoints: readonly T[], region: string): T {
  const endpoint = endpoints.find((candidate) => candidate.region === region);
  if (endpoint === undefined) {
    throw new Error(`no load balancer endpoint was given for region ${region}`);
  }
  return endpoint;
}
