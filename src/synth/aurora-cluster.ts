/**
 * `MeridianAuroraCluster`: an Aurora PostgreSQL cluster that holds a data class's writer. On its own it is the
 * regional Multi-AZ cluster of a one-region class (engine `aurora-cluster`); given `globalClusterIdentifier`
 * it is the primary of an Aurora global database (MeridianAuroraGlobalDatabase creates it that way).
 *
 * Emits an AWS::RDS::DBCluster (storage encrypted: with the region's ResidentDataKey for a resident class,
 * else with aws/rds; deletion protection; 7 days of backups; snapshot on deletion; tags copied to
 * snapshots), its DB instances (a writer and, by default, one reader in another AZ), a subnet group and a
 * security group in the given VPC, and the master credentials as a generated Secrets Manager secret,
 * encrypted with the same key and replicated to `secretReplicas`. (RDS-managed master passwords are not
 * supported for clusters in a global database, so the secret is CDK's.) IAM database authentication is on,
 * so applications need no password; the master secret is the operators' and is not rotated (cdk-nag
 * AwsSolutions-SMG4 is acknowledged with that reason).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import {
  AURORA_BACKUP_RETENTION_DEFAULT,
  AURORA_INSTANCE_TYPE_DEFAULT,
  AURORA_MASTER_USERNAME,
  auroraEngine,
  auroraInstances,
  databaseSubnets,
  checkStorageKey,
  type AuroraClassProps,
} from './aurora-settings.ts';
import { DataShapeError } from './data-errors.ts';
import { auroraWriterRegion, checkDataClass, checkRegionResidency } from './data-shape.ts';
import { tagDataResources } from './data-tags.ts';
import { concreteStackRegion } from './stack-region.ts';
import type { SynthDataClass } from './synth-plan.ts';

/** A region to copy the master secret to, and the key to encrypt the copy with there. */
export interface AuroraSecretReplica {
  readonly region: string;
  /** A key ARN or alias ARN in `region`. @default the region's aws/secretsmanager key */
  readonly keyArn?: string;
}

export interface MeridianAuroraClusterProps extends AuroraClassProps {
  /** The class: engine `aurora-cluster`, or `aurora-global-database` with `globalClusterIdentifier`. The stack must be in its writer region. */
  readonly dataClass: SynthDataClass;
  /** Join this global cluster as its primary (an L1 property; DatabaseCluster has no such prop). @default a standalone cluster */
  readonly globalClusterIdentifier?: string;
  /** Regions to replicate the master secret to, so a promoted secondary finds the credentials locally. @default none */
  readonly secretReplicas?: readonly AuroraSecretReplica[];
  /** Read replicas besides the writer. @default 1 (Multi-AZ) */
  readonly readers?: number;
}

export class MeridianAuroraCluster extends Construct {
  readonly cluster: rds.DatabaseCluster;

  constructor(scope: Construct, id: string, props: MeridianAuroraClusterProps) {
    super(scope, id);
    const dataClass = props.dataClass;
    const expected = props.globalClusterIdentifier === undefined ? 'aurora-cluster' : 'aurora-global-database';
    if (dataClass.engine !== expected) {
      const when = props.globalClusterIdentifier === undefined ? '' : ' when given globalClusterIdentifier';
      throw new DataShapeError(dataClass.name, `MeridianAuroraCluster builds ${expected} classes${when}, not ${dataClass.engine}`);
    }
    checkDataClass(dataClass, props.zones);
    const region = concreteStackRegion(this, dataClass.name);
    const writer = auroraWriterRegion(dataClass);
    if (region !== writer) throw new DataShapeError(dataClass.name, `its writer cluster belongs in the stack of ${writer}, not ${region}`);
    checkStorageKey(dataClass, region, props.storageEncryptionKey);
    for (const replica of props.secretReplicas ?? []) checkRegionResidency(dataClass, replica.region, 'secondary', props.zones);
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: auroraEngine(props.engineVersion),
      credentials: rds.Credentials.fromGeneratedSecret(AURORA_MASTER_USERNAME, {
        encryptionKey: props.storageEncryptionKey,
        replicaRegions: (props.secretReplicas ?? []).map((replica) => ({
          region: replica.region,
          encryptionKey: replica.keyArn === undefined ? undefined : kms.Key.fromKeyArn(this, `SecretKey-${replica.region}`, replica.keyArn),
        })),
      }),
      ...auroraInstances(props.instanceType ?? AURORA_INSTANCE_TYPE_DEFAULT, props.readers ?? 1),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? databaseSubnets(props.vpc, dataClass.name),
      storageEncrypted: true,
      storageEncryptionKey: props.storageEncryptionKey,
      iamAuthentication: true,
      deletionProtection: true,
      backup: { retention: props.backupRetention ?? AURORA_BACKUP_RETENTION_DEFAULT },
      copyTagsToSnapshot: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    Validations.of(this.cluster.node.findChild('Secret')).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason: 'Rotation needs a rotation Lambda with a route to Secrets Manager from the region VPC, which the compute layer owns; applications sign in with IAM database authentication, the master secret is for operators.',
    });
    if (props.globalClusterIdentifier !== undefined) {
      (this.cluster.node.defaultChild as rds.CfnDBCluster).globalClusterIdentifier = props.globalClusterIdentifier;
    }
    tagDataResources(this, dataClass.name, region);
  }
}
