/**
 * `ResidentDataKey`: the customer-managed KMS key of one resident data class in one region of its zone.
 *
 * One key per region per resident class, never a multi-Region key: a multi-Region key's replicas share key
 * material and can be replicated to any region, which is exactly what regulated data must not allow. Each
 * region's key encrypts that region's DynamoDB replica, Aurora cluster and database secret.
 *
 * Non-resident classes get no key: their tables use DynamoDB-owned keys and their Aurora storage the
 * AWS-managed `aws/rds` key. Data is still encrypted at rest, there is no key to pay for per region, and no
 * stack has to wait for a key in another region.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { DataShapeError } from './data-errors.ts';
import { checkRegionResidency, residentKeyAliasArn, residentKeyAliasName } from './data-shape.ts';
import { tagDataResources } from './data-tags.ts';
import { concreteStackRegion } from './stack-region.ts';
import type { SynthDataClass } from './synth-plan.ts';

export interface ResidentDataKeyProps {
  /** The plan's name; the alias is `alias/meridian/<serviceName>/<data class>`. */
  readonly serviceName: string;
  /** The resident data class the key encrypts. Its zone must include this stack's region. */
  readonly dataClass: SynthDataClass;
  /** The plan's zone table, to narrow the class's zone when both are known. @default the class's own residency regions */
  readonly zones?: Readonly<Record<string, readonly string[]>>;
}

export class ResidentDataKey extends Construct {
  /**
   * The alias ARN of the class's key in another region of the same account, as `replicaKeyArns` and secret
   * replicas take it. The partition comes from the region when known.
   */
  static aliasArnIn(scope: Construct, region: string, serviceName: string, dataClass: string): string {
    const stack = Stack.of(scope);
    const partition = RegionInfo.get(region).partition ?? stack.partition;
    return residentKeyAliasArn({ partition, account: stack.account, region }, serviceName, dataClass);
  }

  readonly key: kms.Key;
  readonly alias: kms.Alias;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: ResidentDataKeyProps) {
    super(scope, id);
    const dataClass = props.dataClass;
    const region = concreteStackRegion(this, dataClass.name);
    if (dataClass.residency === undefined) {
      throw new DataShapeError(dataClass.name, 'is not resident: non-resident classes use AWS-owned (DynamoDB) or AWS-managed (aws/rds) keys, not a ResidentDataKey');
    }
    checkRegionResidency(dataClass, region, 'key', props.zones);
    this.aliasName = residentKeyAliasName(props.serviceName, dataClass.name);
    this.key = new kms.Key(this, 'Key', {
      description: `Meridian ${props.serviceName}: ${dataClass.name} at rest in ${region} (resident in ${dataClass.residency.zone})`,
      enableKeyRotation: true,
      multiRegion: false,
      // Regulated data stays readable from backups after the stack is gone; deleting a key is an operator's decision.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.alias = this.key.addAlias(this.aliasName);
    tagDataResources(this, dataClass.name, region);
  }
}
