import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

export interface ApiAliasRecordProps {
  /** The service's domain; the record is `<recordLabel>.<domain>`. */
  readonly domain: string;
  /** What the name answers with: an alias target (an accelerator, a distribution, a load balancer). */
  readonly target: route53.RecordTarget;
  /**
   * Use this existing public hosted zone for `domain` instead of creating one.
   * @default - a new PublicHostedZone for `domain`
   */
  readonly hostedZoneId?: string;
  /** @default 'api' */
  readonly recordLabel?: string;
}

/**
 * The API's name as one alias A record, for an edge that does its own routing and health checking (Global
 * Accelerator): no routing policy and no Route 53 health checks, since the edge picks the region. Alias
 * queries are free, and the answer is the edge's static addresses.
 */
export class ApiAliasRecord extends Construct {
  readonly hostedZone: route53.IHostedZone;
  readonly recordName: string;
  readonly record: route53.ARecord;

  constructor(scope: Construct, id: string, props: ApiAliasRecordProps) {
    super(scope, id);
    this.hostedZone =
      props.hostedZoneId === undefined
        ? new route53.PublicHostedZone(this, 'Zone', { zoneName: props.domain })
        : route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    const label = props.recordLabel ?? 'api';
    this.recordName = `${label}.${props.domain}`;
    this.record = new route53.ARecord(this, 'Record', { zone: this.hostedZone, recordName: label, target: props.target });
  }
}
