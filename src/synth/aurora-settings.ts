/**
 * The settings the Aurora data constructs share, as small pure functions: the engine (Aurora PostgreSQL,
 * one version for the global cluster and every member, since they must match), memory-optimized instances
 * (an Aurora global database requires them; db.r5 or newer is recommended), backups, and the checks that a
 * resident class brings its region's key.
 */
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DataShapeError } from './data-errors.ts';
import type { SynthDataClass } from './synth-plan.ts';

/** What every Aurora construct of a data class takes (each adds its own). */
export interface AuroraClassProps {
  /** The plan's name; the global cluster is `<serviceName>-<data class>`, lower case. */
  readonly serviceName: string;
  readonly dataClass: SynthDataClass;
  /** The plan's zone table, to narrow residency when both are known. @default the class's own residency regions */
  readonly zones?: Readonly<Record<string, readonly string[]>>;
  /** The region's VPC (the compute construct makes one per region). */
  readonly vpc: ec2.IVpc;
  /** Where the instances go. @default the VPC's isolated subnets, or its private subnets when it has none */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * This region's key, for a resident class (the `key` of the ResidentDataKey of this region).
   * @default none: required for resident classes; others use the AWS-managed aws/rds key
   */
  readonly storageEncryptionKey?: kms.IKey;
  /** The same for the global cluster and every member. @default AURORA_ENGINE_VERSION_DEFAULT (Aurora PostgreSQL 16.6) */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /** Memory-optimized, as global databases require. @default db.r6g.large */
  readonly instanceType?: ec2.InstanceType;
  /** A secondary's applies once it is promoted. @default 7 days */
  readonly backupRetention?: Duration;
}

/**
 * Aurora PostgreSQL 16.6: global databases support Aurora PostgreSQL 16.1 and higher (Supported Regions and DB
 * engines for Aurora global databases, Aurora User Guide).
 */
export const AURORA_ENGINE_VERSION_DEFAULT = rds.AuroraPostgresEngineVersion.VER_16_6;
export const AURORA_INSTANCE_TYPE_DEFAULT = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
export const AURORA_BACKUP_RETENTION_DEFAULT = Duration.days(7);
export const AURORA_MASTER_USERNAME = 'postgres';
/** The database user the application's tasks connect as, with IAM database authentication (no password). */
export const AURORA_APP_USERNAME = 'app';
/** The engine name CloudFormation's AWS::RDS::GlobalCluster takes. */
export const AURORA_GLOBAL_ENGINE = 'aurora-postgresql';

export function auroraEngine(version: rds.AuroraPostgresEngineVersion = AURORA_ENGINE_VERSION_DEFAULT): rds.IClusterEngine {
  return rds.DatabaseClusterEngine.auroraPostgres({ version });
}

/** One writer (or, in a secondary, a first read-only replica) and `readers` more, all of one instance type, never public. */
export function auroraInstances(instanceType: ec2.InstanceType, readers: number): { writer: rds.IClusterInstance; readers: rds.IClusterInstance[] } {
  if (!Number.isInteger(readers) || readers < 0 || readers > 15) throw new RangeError(`readers must be an integer from 0 to 15, got ${readers}`);
  const options = { instanceType, publiclyAccessible: false };
  return {
    writer: rds.ClusterInstance.provisioned('Writer', options),
    readers: Array.from({ length: readers }, (_, index) => rds.ClusterInstance.provisioned(`Reader${index + 1}`, options)),
  };
}

/**
 * Isolated subnets when the VPC has them (a database needs no route out), else its private subnets. A VPC
 * with public subnets only (the compute layer's trial layout without NAT) is refused: the database would
 * need a public subnet group.
 */
export function databaseSubnets(vpc: ec2.IVpc, dataClass: string): ec2.SubnetSelection {
  if (vpc.isolatedSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  if (vpc.privateSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  throw new DataShapeError(dataClass, 'its Aurora cluster needs isolated or private subnets, and the VPC has public subnets only (add an isolated subnet group, or pass vpcSubnets)');
}

/** A resident class's Aurora storage must use its region's ResidentDataKey; others use the AWS-managed aws/rds key. */
export function checkStorageKey(dataClass: SynthDataClass, region: string, key: kms.IKey | undefined): void {
  if (dataClass.residency !== undefined && key === undefined) {
    throw new DataShapeError(dataClass.name, `is resident in ${dataClass.residency.zone}: pass storageEncryptionKey, the ResidentDataKey of ${region}`);
  }
  if (dataClass.residency === undefined && key !== undefined) {
    throw new DataShapeError(dataClass.name, 'is not resident: its Aurora storage uses the AWS-managed aws/rds key (pass storageEncryptionKey only for resident classes)');
  }
}
