import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { healthCheckSettings, type HealthCheckSettings } from './health-check-settings.ts';
import { endpointIn, type RegionalEndpoint } from './regional-endpoint.ts';
import { SynthRefusal } from './synth-errors.ts';
import type { SynthRecord, SynthRouting, SynthRoutingPolicy } from './synth-plan.ts';

/**
 * Route 53 answers alias records to a load balancer with the load balancer's own TTL, fixed at 60 s; an
 * alias record takes no TTL of its own.
 */
export const LOAD_BALANCER_ALIAS_TTL_SECONDS = 60;

export type RecordStyle = 'alias' | 'cname';

export interface RecordStyleChoice {
  readonly style: RecordStyle;
  /** The TTL resolvers will actually cache the answer for. */
  readonly ttlSeconds: number;
  readonly reason: string;
}

/**
 * Alias A records or CNAME records for `api.<domain>`. Aliases are free to query and can follow the load
 * balancer's target health, but carry the load balancer's 60 s TTL whatever the plan says. The plan's TTL
 * is part of what was simulated (a failover takes about detection + TTL), so:
 * - the plan's TTL is 60 s: alias records, nothing lost;
 * - no Route 53 health checks but evaluate-target-health: alias records, since target health is then the
 *   only health signal and only aliases carry it (the TTL becomes 60 s, said in `reason`);
 * - otherwise: CNAME records with the plan's TTL, health-checked by the Route 53 health checks.
 */
export function recordStyleFor(routing: SynthRouting): RecordStyleChoice {
  if (routing.ttlSeconds === LOAD_BALANCER_ALIAS_TTL_SECONDS) {
    return { style: 'alias', ttlSeconds: LOAD_BALANCER_ALIAS_TTL_SECONDS, reason: 'the plan TTL equals the load balancer alias TTL (60 s)' };
  }
  if (routing.healthCheck === undefined && routing.evaluateTargetHealth) {
    return {
      style: 'alias',
      ttlSeconds: LOAD_BALANCER_ALIAS_TTL_SECONDS,
      reason: `target health is the only health signal and only alias records evaluate it; TTL is the alias's 60 s, not the plan's ${routing.ttlSeconds} s`,
    };
  }
  return { style: 'cname', ttlSeconds: routing.ttlSeconds, reason: `alias records cannot carry the plan TTL of ${routing.ttlSeconds} s` };
}

/** The routing fields of one record set, by policy (what differs between the records of one name). */
export interface RecordRoutingFields {
  readonly setIdentifier?: string;
  readonly region?: string;
  readonly weight?: number;
  readonly failover?: 'PRIMARY' | 'SECONDARY';
  readonly geoLocation?: route53.CfnRecordSet.GeoLocationProperty;
}

export function recordRoutingFields(policy: SynthRoutingPolicy, record: SynthRecord): RecordRoutingFields {
  switch (policy) {
    case 'simple':
      return {};
    case 'latency':
      return { setIdentifier: record.setIdentifier, region: record.region };
    case 'weighted':
      return { setIdentifier: record.setIdentifier, weight: record.weight ?? 1 };
    case 'failover':
      return { setIdentifier: record.setIdentifier, failover: record.failoverRole ?? 'PRIMARY' };
    case 'geolocation':
      return { setIdentifier: record.setIdentifier, geoLocation: geoLocationOf(record) };
    case 'multivalue':
      throw multivalueRefusal();
  }
}

function geoLocationOf(record: SynthRecord): route53.CfnRecordSet.GeoLocationProperty {
  if (record.isDefaultLocation) return { countryCode: '*' };
  if (record.country !== undefined) return { countryCode: record.country };
  if (record.continent !== undefined) return { continentCode: record.continent };
  throw new Error(`geolocation record ${record.setIdentifier} has no country, continent or default location`);
}

/**
 * Multivalue answer records cannot be aliases, and take A, AAAA, MX, NAPTR, PTR, SPF, SRV or TXT values but
 * not CNAME: they need the targets' IP addresses, and an ALB's addresses change. Weighted records with
 * equal weights and health checks answer much the same (one healthy region at random).
 */
function multivalueRefusal(): SynthRefusal {
  return new SynthRefusal(
    'multivalue-needs-ip-addresses',
    'routing policy multivalue: Route 53 multivalue answers need fixed IP addresses (no alias, no CNAME), and the load balancers have none; use weighted routing with equal weights and health checks instead',
  );
}

export interface Route53RoutingProps {
  /** The service's domain; records are made for `<recordLabel>.<domain>`. */
  readonly domain: string;
  readonly routing: SynthRouting;
  /** Each routed region's load balancer (DNS name and canonical hosted zone id; strings or tokens). */
  readonly endpoints: readonly Pick<RegionalEndpoint, 'region' | 'dnsName' | 'canonicalHostedZoneId'>[];
  /**
   * Use this existing public hosted zone for `domain` instead of creating one.
   * @default - a new PublicHostedZone for `domain`
   */
  readonly hostedZoneId?: string;
  /** @default - recordStyleFor(routing) */
  readonly recordStyle?: RecordStyle;
  /** @default 'api' */
  readonly recordLabel?: string;
}

/**
 * The global stack's DNS: a public hosted zone for the domain, one Route 53 health check per routed region
 * (HTTP on port 80 of its load balancer, the plan's path, interval and threshold; shared by every record
 * that routes to that region), and one record set per plan record for `api.<domain>` with the policy's
 * routing fields. Simple routing makes one record without a set identifier and without a health check.
 */
export class Route53Routing extends Construct {
  readonly hostedZone: route53.IHostedZone;
  readonly recordName: string;
  readonly recordStyle: RecordStyleChoice;
  /** Health checks by region; empty when the plan has none or the policy is simple. */
  readonly healthChecks: ReadonlyMap<string, route53.CfnHealthCheck>;
  readonly recordSets: readonly route53.CfnRecordSet[];

  constructor(scope: Construct, id: string, props: Route53RoutingProps) {
    super(scope, id);
    const routing = props.routing;
    if (routing.policy === 'multivalue') throw multivalueRefusal();
    if (routing.policy === 'simple' && routing.records.length !== 1) {
      throw new SynthRefusal('simple-routing-many-records', `simple routing answers with one record; the plan has ${routing.records.length}`);
    }
    const chosen = recordStyleFor(routing);
    this.recordStyle = props.recordStyle === undefined || props.recordStyle === chosen.style ? chosen : overriddenStyle(props.recordStyle, routing);
    this.hostedZone =
      props.hostedZoneId === undefined
        ? new route53.PublicHostedZone(this, 'Zone', { zoneName: props.domain })
        : route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    this.recordName = `${props.recordLabel ?? 'api'}.${props.domain}`;
    this.healthChecks = this.createHealthChecks(props);
    this.recordSets = routing.records.map((record, index) => this.createRecordSet(props, record, index));
  }

  private createHealthChecks(props: Route53RoutingProps): Map<string, route53.CfnHealthCheck> {
    const checks = new Map<string, route53.CfnHealthCheck>();
    const planned = props.routing.healthCheck;
    if (planned === undefined || props.routing.policy === 'simple') return checks;
    const settings = healthCheckSettings(planned, planned.path);
    for (const region of new Set(props.routing.records.map((record) => record.region))) {
      const endpoint = endpointIn(props.endpoints, region);
      checks.set(region, new route53.CfnHealthCheck(this, `HealthCheck-${region}`, {
        healthCheckConfig: healthCheckConfigFor(endpoint.dnsName, settings),
        healthCheckTags: [{ key: 'Name', value: `${this.recordName} ${region}` }],
      }));
    }
    return checks;
  }

  private createRecordSet(props: Route53RoutingProps, record: SynthRecord, index: number): route53.CfnRecordSet {
    const endpoint = endpointIn(props.endpoints, record.region);
    const healthCheck = this.healthChecks.get(record.region);
    const target =
      this.recordStyle.style === 'alias'
        ? {
            type: 'A',
            aliasTarget: { dnsName: endpoint.dnsName, hostedZoneId: endpoint.canonicalHostedZoneId, evaluateTargetHealth: props.routing.evaluateTargetHealth },
          }
        : { type: 'CNAME', ttl: String(this.recordStyle.ttlSeconds), resourceRecords: [endpoint.dnsName] };
    return new route53.CfnRecordSet(this, `Record-${index}-${record.setIdentifier}`, {
      hostedZoneId: this.hostedZone.hostedZoneId,
      name: this.recordName,
      ...target,
      ...recordRoutingFields(props.routing.policy, record),
      ...(healthCheck === undefined ? {} : { healthCheckId: healthCheck.attrHealthCheckId }),
    });
  }
}

function overriddenStyle(style: RecordStyle, routing: SynthRouting): RecordStyleChoice {
  return style === 'alias'
    ? { style, ttlSeconds: LOAD_BALANCER_ALIAS_TTL_SECONDS, reason: 'alias records asked for; the load balancer alias TTL (60 s) applies' }
    : { style, ttlSeconds: routing.ttlSeconds, reason: 'CNAME records asked for; the plan TTL applies' };
}

/** An HTTP check of the load balancer's DNS name on port 80 (its only listener), as the plan sets it. */
export function healthCheckConfigFor(loadBalancerDnsName: string, settings: HealthCheckSettings): route53.CfnHealthCheck.HealthCheckConfigProperty {
  return {
    type: 'HTTP',
    fullyQualifiedDomainName: loadBalancerDnsName,
    port: 80,
    resourcePath: settings.path,
    requestInterval: settings.intervalSeconds,
    failureThreshold: settings.failureThreshold,
  };
}
