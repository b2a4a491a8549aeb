/**
 * `MeridianGlobalTable`: a DynamoDB global table with multi-Region eventual consistency (MREC) for
 * multi-writer and single-writer classes (engine `dynamodb-global-table`), or the plain regional table of
 * a class that lives in one region (engine `dynamodb-table`).
 *
 * The TableV2 is defined once, in the stack of the class's first replica region (the writer, for
 * single-writer classes); CloudFormation creates the other replicas from there. A one-region class is a
 * TableV2 without replicas: a regional table that can gain replicas later without being replaced.
 *
 * Emits one AWS::DynamoDB::GlobalTable: key schema `pk`/`sk` (strings), on-demand billing, a replica per
 * region with point-in-time recovery, deletion protection and its own `meridian:region` tag; retained on
 * stack deletion. A resident class's replicas are each encrypted with their own region's ResidentDataKey.
 */
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataShapeError } from './data-errors.ts';
import type { SynthDataClass } from './synth-plan.ts';
import { buildMeridianTable } from './table-settings.ts';

export interface MeridianGlobalTableProps {
  /** The plan's name; the table is named `<serviceName>-<data class>` in every region. */
  readonly serviceName: string;
  /** A class with engine `dynamodb-global-table` or `dynamodb-table`; the stack must be in its first replica region. */
  readonly dataClass: SynthDataClass;
  /**
   * This region's key, for a resident class (the `key` of the ResidentDataKey of this region).
   * @default none: required for resident classes; non-resident classes use the DynamoDB-owned key
   */
  readonly tableKey?: kms.IKey;
  /**
   * The key of each other replica region, by region, for a resident class: key ARNs or alias ARNs.
   * @default the alias ARN of the class's ResidentDataKey in each replica region
   *   (`arn:<partition>:kms:<region>:<account>:alias/meridian/<serviceName>/<data class>`)
   */
  readonly replicaKeyArns?: Readonly<Record<string, string>>;
  /** The plan's zone table, to narrow residency when both are known. @default the class's own residency regions */
  readonly zones?: Readonly<Record<string, readonly string[]>>;
}

export class MeridianGlobalTable extends Construct {
  readonly table: TableV2;
  readonly tableName: string;
  /** The regions with a replica, owner first. */
  readonly regions: readonly string[];

  constructor(scope: Construct, id: string, props: MeridianGlobalTableProps) {
    super(scope, id);
    const engine = props.dataClass.engine;
    if (engine !== 'dynamodb-global-table' && engine !== 'dynamodb-table') {
      throw new DataShapeError(props.dataClass.name, `MeridianGlobalTable builds dynamodb-global-table and dynamodb-table classes, not ${engine}`);
    }
    const built = buildMeridianTable(this, { serviceName: props.serviceName, dataClass: props.dataClass, tableKey: props.tableKey, replicaKeyArns: props.replicaKeyArns, zones: props.zones });
    this.table = built.table;
    this.tableName = built.table.tableName;
    this.regions = built.regions;
  }
}
