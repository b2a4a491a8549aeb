/**
 * `MeridianStrongTable`: a DynamoDB global table with multi-Region strong consistency (MRSC), engine
 * `dynamodb-mrsc`: three replicas, or two replicas and a witness, all in one MRSC region set. Any other
 * shape is refused with a DataShapeError before CDK is asked (CDK would refuse some of them too, with a
 * less specific message; a plan that names the class gets a reason that names the class).
 *
 * Emits one AWS::DynamoDB::GlobalTable with `MultiRegionConsistency: STRONG`, the replicas (each with
 * point-in-time recovery, deletion protection and its region tag) and, for two replicas, a
 * `GlobalTableWitnesses` entry. A witness stores no table, so it gets no key; residency still applies to it.
 */
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { MultiRegionConsistency } from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataShapeError } from './data-errors.ts';
import type { SynthDataClass } from './synth-plan.ts';
import { buildMeridianTable } from './table-settings.ts';

export interface MeridianStrongTableProps {
  /** The plan's name; the table is named `<serviceName>-<data class>` in every region. */
  readonly serviceName: string;
  /** A class with engine `dynamodb-mrsc`; the stack must be in its first replica region. */
  readonly dataClass: SynthDataClass;
  /**
   * This region's key, for a resident class (the `key` of the ResidentDataKey of this region).
   * @default none: required for resident classes; non-resident classes use the DynamoDB-owned key
   */
  readonly tableKey?: kms.IKey;
  /**
   * The key of each other replica region, by region, for a resident class: key ARNs or alias ARNs.
   * @default the alias ARN of the class's ResidentDataKey in each replica region
   */
  readonly replicaKeyArns?: Readonly<Record<string, string>>;
  /** The plan's zone table, to narrow residency when both are known. @default the class's own residency regions */
  readonly zones?: Readonly<Record<string, readonly string[]>>;
}

export class MeridianStrongTable extends Construct {
  readonly table: TableV2;
  readonly tableName: string;
  /** The regions with a replica, owner first (the witness is not one). */
  readonly regions: readonly string[];
  readonly witnessRegion: string | undefined;

  constructor(scope: Construct, id: string, props: MeridianStrongTableProps) {
    super(scope, id);
    const dataClass = props.dataClass;
    if (dataClass.engine !== 'dynamodb-mrsc') {
      throw new DataShapeError(dataClass.name, `MeridianStrongTable builds dynamodb-mrsc classes, not ${dataClass.engine}`);
    }
    const built = buildMeridianTable(
      this,
      { serviceName: props.serviceName, dataClass, tableKey: props.tableKey, replicaKeyArns: props.replicaKeyArns, zones: props.zones },
      { multiRegionConsistency: MultiRegionConsistency.STRONG, ...(dataClass.witness === undefined ? {} : { witnessRegion: dataClass.witness }) },
    );
    this.table = built.table;
    this.tableName = built.table.tableName;
    this.regions = built.regions;
    this.witnessRegion = dataClass.witness;
  }
}
