/**
 * `MeridianAuroraSecondaryCluster`: a read-only secondary of an Aurora global database, in one secondary
 * region's stack, joining the global cluster by its identifier (`<serviceName>-<data class>`), so the stack
 * needs no cross-region reference; it deploys after the writer region's stack.
 *
 * Emits an AWS::RDS::DBCluster with `GlobalClusterIdentifier`, the same engine version as the global cluster,
 * storage encrypted (with the region's ResidentDataKey for a resident class), deletion protection, and no
 * master credentials: Aurora refuses a user name or password on a secondary ("Cannot specify user name for
 * cross region replication cluster"); the credentials are the primary's, whose secret is replicated here.
 * DatabaseCluster always renders a master user name, so this construct asks it for an RDS-managed password
 * (which creates no secret resource) and removes both properties from the L1 resource. Plus its read-only
 * instance(s), subnet group and security group. Retained on stack deletion: removing a region from a global
 * database is an operator's decision, taken by detaching the cluster first.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { type AuroraClassProps, AURORA_BACKUP_RETENTION_DEFAULT, AURORA_INSTANCE_TYPE_DEFAULT, auroraEngine, auroraInstances, checkStorageKey, databaseSubnets } from './aurora-settings.ts';
import { DataShapeError } from './data-errors.ts';
import { auroraSecondaryRegions, checkDataClass, globalClusterIdentifier } from './data-shape.ts';
import { tagDataResources } from './data-tags.ts';
import { concreteStackRegion } from './stack-region.ts';
import type { SynthDataClass } from './synth-plan.ts';

export interface MeridianAuroraSecondaryClusterProps extends AuroraClassProps {
  /** A class with engine `aurora-global-database`; the stack must be in one of its secondary regions. */
  readonly dataClass: SynthDataClass;
  /** @default `<serviceName>-<data class>`, lower case, as MeridianAuroraGlobalDatabase names it */
  readonly globalClusterIdentifier?: string;
  /** Read-only instances besides the first. @default 0 (one instance, promotable on failover) */
  readonly readers?: number;
}

export class MeridianAuroraSecondaryCluster extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly globalClusterIdentifier: string;

  constructor(scope: Construct, id: string, props: MeridianAuroraSecondaryClusterProps) {
    super(scope, id);
    const dataClass = props.dataClass;
    if (dataClass.engine !== 'aurora-global-database') {
      throw new DataShapeError(dataClass.name, `MeridianAuroraSecondaryCluster builds aurora-global-database classes, not ${dataClass.engine}`);
    }
    checkDataClass(dataClass, props.zones);
    const region = concreteStackRegion(this, dataClass.name);
    const secondaries = auroraSecondaryRegions(dataClass);
    if (!secondaries.includes(region)) {
      throw new DataShapeError(dataClass.name, `${region} is not one of its Aurora secondary regions (${secondaries.join(', ') || 'none'})`);
    }
    checkStorageKey(dataClass, region, props.storageEncryptionKey);
    this.globalClusterIdentifier = props.globalClusterIdentifier ?? globalClusterIdentifier(props.serviceName, dataClass.name);
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: auroraEngine(props.engineVersion),
      manageMasterUserPassword: true,
      ...auroraInstances(props.instanceType ?? AURORA_INSTANCE_TYPE_DEFAULT, props.readers ?? 0),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? databaseSubnets(props.vpc, dataClass.name),
      storageEncrypted: true,
      storageEncryptionKey: props.storageEncryptionKey,
      iamAuthentication: true,
      deletionProtection: true,
      backup: { retention: props.backupRetention ?? AURORA_BACKUP_RETENTION_DEFAULT },
      copyTagsToSnapshot: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const resource = this.cluster.node.defaultChild as rds.CfnDBCluster;
    resource.globalClusterIdentifier = this.globalClusterIdentifier;
    resource.masterUsername = undefined;
    resource.manageMasterUserPassword = undefined;
    resource.masterUserSecret = undefined;
    tagDataResources(this, dataClass.name, region);
  }
}
