/**
 * The table settings the DynamoDB data constructs share: the lab's generic key schema (`pk`, `sk`, both
 * strings), on-demand billing, point-in-time recovery and deletion protection in every replica, the tags of
 * each replica, and the encryption rule: a resident class's replicas are each encrypted with their own
 * region's key; a non-resident class uses the DynamoDB-owned key.
 */
import { RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DataShapeError } from './data-errors.ts';
import { checkDataClass, dataTableName, tableOwnerRegion } from './data-shape.ts';
import { DATA_CLASS_TAG, REGION_TAG } from './data-tags.ts';
import { ResidentDataKey } from './regional-keys.ts';
import { concreteStackRegion } from './stack-region.ts';
import type { SynthDataClass } from './synth-plan.ts';

export interface TableEncryptionInput {
  readonly serviceName: string;
  readonly dataClass: SynthDataClass;
  readonly ownerRegion: string;
  readonly replicaRegions: readonly string[];
  readonly tableKey: kms.IKey | undefined;
  readonly replicaKeyArns: Readonly<Record<string, string>> | undefined;
}

/** A resident class: CMK in every replica (alias ARNs by default); non-resident: DynamoDB-owned key. */
export function tableEncryption(scope: Construct, input: TableEncryptionInput): dynamodb.TableEncryptionV2 {
  const name = input.dataClass.name;
  if (input.dataClass.residency === undefined) {
    if (input.tableKey !== undefined || input.replicaKeyArns !== undefined) {
      throw new DataShapeError(name, 'is not resident: its table uses the DynamoDB-owned key (pass tableKey only for resident classes)');
    }
    return dynamodb.TableEncryptionV2.dynamoOwnedKey();
  }
  if (input.tableKey === undefined) {
    throw new DataShapeError(name, `is resident in ${input.dataClass.residency.zone}: pass tableKey, the ResidentDataKey of ${input.ownerRegion}`);
  }
  const replicaKeyArns = input.replicaKeyArns ?? defaultReplicaKeyArns(scope, input);
  checkReplicaKeyArns(name, input.replicaRegions, replicaKeyArns);
  return dynamodb.TableEncryptionV2.customerManagedKey(input.tableKey, { ...replicaKeyArns });
}

function defaultReplicaKeyArns(scope: Construct, input: TableEncryptionInput): Record<string, string> {
  return Object.fromEntries(input.replicaRegions.map((region) => [region, ResidentDataKey.aliasArnIn(scope, region, input.serviceName, input.dataClass.name)]));
}

/** One key per other replica region, none elsewhere, and a literal ARN's region must be the replica's. */
function checkReplicaKeyArns(dataClass: string, replicaRegions: readonly string[], keyArns: Readonly<Record<string, string>>): void {
  const missing = replicaRegions.filter((region) => keyArns[region] === undefined);
  if (missing.length > 0) throw new DataShapeError(dataClass, `replicaKeyArns has no key for replica region(s) ${missing.join(', ')}`);
  const extra = Object.keys(keyArns).filter((region) => !replicaRegions.includes(region));
  if (extra.length > 0) throw new DataShapeError(dataClass, `replicaKeyArns names region(s) ${extra.join(', ')} that hold no other replica`);
  for (const [region, arn] of Object.entries(keyArns)) {
    if (Token.isUnresolved(arn)) continue;
    const arnRegion = arn.split(':')[3];
    if (arnRegion !== region) throw new DataShapeError(dataClass, `the key for replica region ${region} is in ${String(arnRegion)} (${arn}); a replica's key must be in its own region`);
  }
}

export interface MeridianTablePropsInput {
  readonly serviceName: string;
  readonly dataClass: SynthDataClass;
  readonly ownerRegion: string;
  readonly replicaRegions: readonly string[];
  readonly encryption: dynamodb.TableEncryptionV2;
}

/** TableV2 props without the consistency mode; each replica is tagged with its own region. */
export function meridianTableProps(input: MeridianTablePropsInput): dynamodb.TablePropsV2 {
  return {
    tableName: dataTableName(input.serviceName, input.dataClass.name),
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    encryption: input.encryption,
    tags: [{ key: REGION_TAG, value: input.ownerRegion }],
    replicas: input.replicaRegions.map((region) => ({ region, tags: [{ key: REGION_TAG, value: region }] })),
  };
}

/** The regions other than the owner, checked to be a region the stack is not in. */
export function otherReplicaRegions(scope: Construct, dataClass: SynthDataClass, ownerRegion: string): string[] {
  const stackRegion = Stack.of(scope).region;
  if (stackRegion !== ownerRegion) {
    throw new DataShapeError(dataClass.name, `its table belongs in the stack of ${ownerRegion} (the first replica region), not ${stackRegion}`);
  }
  return dataClass.replicas.filter((region) => region !== ownerRegion);
}

export interface MeridianTableInput {
  readonly serviceName: string;
  readonly dataClass: SynthDataClass;
  readonly tableKey: kms.IKey | undefined;
  readonly replicaKeyArns: Readonly<Record<string, string>> | undefined;
  readonly zones: Readonly<Record<string, readonly string[]>> | undefined;
}

/**
 * The TableV2 of a checked class in its owner's stack, tagged with the class (the region tag is per replica:
 * a table-wide one would give every replica the owner's region). `mode` adds the MRSC settings.
 */
export function buildMeridianTable(scope: Construct, input: MeridianTableInput, mode: Partial<Pick<dynamodb.TablePropsV2, 'multiRegionConsistency' | 'witnessRegion'>> = {}): { table: dynamodb.TableV2; regions: string[] } {
  const dataClass = input.dataClass;
  checkDataClass(dataClass, input.zones);
  concreteStackRegion(scope, dataClass.name);
  const ownerRegion = tableOwnerRegion(dataClass);
  const replicaRegions = otherReplicaRegions(scope, dataClass, ownerRegion);
  const encryption = tableEncryption(scope, { ...input, ownerRegion, replicaRegions });
  const table = new dynamodb.TableV2(scope, 'Table', { ...meridianTableProps({ serviceName: input.serviceName, dataClass, ownerRegion, replicaRegions, encryption }), ...mode });
  Tags.of(scope).add(DATA_CLASS_TAG, dataClass.name);
  return { table, regions: [ownerRegion, ...replicaRegions] };
}
