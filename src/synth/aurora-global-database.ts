/**
 * `MeridianAuroraGlobalDatabase`: the writer region's half of an Aurora global database (engine
 * `aurora-global-database`, single-writer classes). Each secondary region's stack adds a
 * MeridianAuroraSecondaryCluster that joins it by the same global cluster identifier.
 *
 * Emits an AWS::RDS::GlobalCluster (aurora-postgresql, the members' engine version, storage encrypted,
 * deletion protection; retained on stack deletion) named `<serviceName>-<data class>`, and the primary
 * MeridianAuroraCluster whose DBCluster has `GlobalClusterIdentifier` (a Ref to the global cluster, so
 * CloudFormation creates the global cluster first). The master secret is replicated to every secondary
 * region, encrypted there with that region's ResidentDataKey (by alias ARN) for a resident class.
 *
 * Deploy order: the secondary regions' key stacks, then this stack, then the secondary regions' stacks.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { type AuroraSecretReplica, MeridianAuroraCluster } from './aurora-cluster.ts';
import { type AuroraClassProps, AURORA_ENGINE_VERSION_DEFAULT, AURORA_GLOBAL_ENGINE } from './aurora-settings.ts';
import { DataShapeError } from './data-errors.ts';
import { auroraSecondaryRegions, checkDataClass, globalClusterIdentifier } from './data-shape.ts';
import { tagDataResources } from './data-tags.ts';
import { ResidentDataKey } from './regional-keys.ts';
import { concreteStackRegion } from './stack-region.ts';
import type { SynthDataClass } from './synth-plan.ts';

export interface MeridianAuroraGlobalDatabaseProps extends AuroraClassProps {
  /** A class with engine `aurora-global-database`; the stack must be in its writer region. */
  readonly dataClass: SynthDataClass;
  /**
   * The key of each secondary region for the secret's replica there, for a resident class.
   * @default the alias ARN of the class's ResidentDataKey in each secondary region (resident); the region's
   *   aws/secretsmanager key (non-resident)
   */
  readonly secondaryKeyArns?: Readonly<Record<string, string>>;
  /** Read replicas in the writer region besides the writer. @default 1 */
  readonly readers?: number;
}

export class MeridianAuroraGlobalDatabase extends Construct {
  readonly globalCluster: rds.CfnGlobalCluster;
  readonly globalClusterIdentifier: string;
  readonly primary: MeridianAuroraCluster;
  readonly secondaryRegions: readonly string[];

  constructor(scope: Construct, id: string, props: MeridianAuroraGlobalDatabaseProps) {
    super(scope, id);
    const dataClass = props.dataClass;
    if (dataClass.engine !== 'aurora-global-database') {
      throw new DataShapeError(dataClass.name, `MeridianAuroraGlobalDatabase builds aurora-global-database classes, not ${dataClass.engine}`);
    }
    checkDataClass(dataClass, props.zones);
    const region = concreteStackRegion(this, dataClass.name);
    this.secondaryRegions = auroraSecondaryRegions(dataClass);
    this.globalClusterIdentifier = globalClusterIdentifier(props.serviceName, dataClass.name);
    const version = props.engineVersion ?? AURORA_ENGINE_VERSION_DEFAULT;
    this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
      globalClusterIdentifier: this.globalClusterIdentifier,
      engine: AURORA_GLOBAL_ENGINE,
      engineVersion: version.auroraPostgresFullVersion,
      storageEncrypted: true,
      deletionProtection: true,
    });
    this.globalCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    tagDataResources(this.globalCluster, dataClass.name, region);
    this.primary = new MeridianAuroraCluster(this, 'Primary', {
      serviceName: props.serviceName,
      dataClass,
      zones: props.zones,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      storageEncryptionKey: props.storageEncryptionKey,
      globalClusterIdentifier: this.globalCluster.ref,
      secretReplicas: this.secretReplicas(props),
      engineVersion: version,
      instanceType: props.instanceType,
      readers: props.readers,
      backupRetention: props.backupRetention,
    });
  }

  private secretReplicas(props: MeridianAuroraGlobalDatabaseProps): AuroraSecretReplica[] {
    const dataClass = props.dataClass;
    const given = props.secondaryKeyArns;
    const extra = Object.keys(given ?? {}).filter((region) => !this.secondaryRegions.includes(region));
    if (extra.length > 0) throw new DataShapeError(dataClass.name, `secondaryKeyArns names region(s) ${extra.join(', ')} that are not secondaries`);
    return this.secondaryRegions.map((region) => {
      const keyArn = given?.[region] ?? (dataClass.residency === undefined ? undefined : ResidentDataKey.aliasArnIn(this, region, props.serviceName, dataClass.name));
      return keyArn === undefined ? { region } : { region, keyArn };
    });
  }
}
