/**
 * The facts every data construct and `dataStacksFor` agree on, as pure functions over the plan (no CDK):
 * physical names, where a class keeps data, and the refusals of shapes AWS cannot build or residency forbids.
 * Constructs call these again when they are built, so a construct used on its own cannot bypass them.
 */
import { type DataRole, DataResidencyError, DataShapeError } from './data-errors.ts';
import type { SynthDataClass } from './synth-plan.ts';

/**
 * MRSC region sets: three replicas, or two and a witness, all within one set. The same sets as
 * `dynamodb_global_tables_mrsc.region_sets` in the catalog (a test keeps them equal) and as aws-cdk-lib 2.276
 * validates; source: AWS::DynamoDB::GlobalTable GlobalTableWitness in the CloudFormation reference.
 */
export const MRSC_REGION_SETS: Readonly<Record<string, readonly string[]>> = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
};

/** An Aurora global database has one primary and at most 10 secondary regions (Aurora User Guide). */
export const AURORA_SECONDARY_REGIONS_MAX = 10;

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
/** DB cluster identifiers: 1–63 letters, digits or hyphens, a letter first, no trailing or double hyphen. */
const CLUSTER_IDENTIFIER_PATTERN = /^[a-z](?!.*--)[a-z0-9-]{0,62}$/;
const ALIAS_NAME_PATTERN = /^alias\/[A-Za-z0-9/_-]{1,250}$/;

/**
 * The table's physical name, the same in every replica region: compute stacks of other regions name the
 * table without a cross-region reference, and a change that would replace the table fails loudly instead.
 */
export function dataTableName(serviceName: string, dataClass: string): string {
  const name = `${serviceName}-${dataClass}`;
  if (!TABLE_NAME_PATTERN.test(name)) throw new DataShapeError(dataClass, `table name ${JSON.stringify(name)} is not a DynamoDB table name (3–255 of A–Z a–z 0–9 _ . -)`);
  return name;
}

/** The Aurora global cluster's identifier: known to the secondary regions' stacks before the writer's is deployed. */
export function globalClusterIdentifier(serviceName: string, dataClass: string): string {
  const identifier = `${serviceName}-${dataClass}`.toLowerCase();
  if (!CLUSTER_IDENTIFIER_PATTERN.test(identifier) || identifier.endsWith('-')) {
    throw new DataShapeError(dataClass, `global cluster identifier ${JSON.stringify(identifier)} is not an RDS identifier (1–63 letters, digits, hyphens; a letter first; no trailing or double hyphen)`);
  }
  return identifier;
}

/** The alias of a resident class's key; the same name in every region of its zone. */
export function residentKeyAliasName(serviceName: string, dataClass: string): string {
  const alias = `alias/meridian/${serviceName}/${dataClass}`;
  if (!ALIAS_NAME_PATTERN.test(alias)) throw new DataShapeError(dataClass, `key alias ${JSON.stringify(alias)} is not a KMS alias name (A–Z a–z 0–9 / _ -)`);
  return alias;
}

/**
 * The alias ARN of a resident class's key in `region`. Key ARNs hold a random key id and cannot be known
 * before the key exists; the alias ARN is deterministic, and DynamoDB (ReplicaSSESpecification.KMSMasterKeyId),
 * RDS (KmsKeyId) and Secrets Manager (ReplicaRegions.KmsKeyId) all accept it. The key must exist when the
 * resource using it is created: key stacks deploy first.
 */
export function residentKeyAliasArn(location: { readonly partition: string; readonly account: string; readonly region: string }, serviceName: string, dataClass: string): string {
  return `arn:${location.partition}:kms:${location.region}:${location.account}:${residentKeyAliasName(serviceName, dataClass)}`;
}

/** The region whose stack owns a DynamoDB table (the writer, for single-writer classes, comes first). */
export function tableOwnerRegion(dataClass: SynthDataClass): string {
  const owner = dataClass.replicas[0];
  if (owner === undefined) throw new DataShapeError(dataClass.name, 'has no replica region');
  return owner;
}

/** The Aurora writer region, checked to be one of the class's replicas. */
export function auroraWriterRegion(dataClass: SynthDataClass): string {
  const writer = dataClass.writer ?? dataClass.replicas[0];
  if (writer === undefined || !dataClass.replicas.includes(writer)) throw new DataShapeError(dataClass.name, `writer ${String(writer)} is not one of its replicas (${dataClass.replicas.join(', ')})`);
  return writer;
}

/** Every region where the class keeps data, with what it keeps there. A witness holds replicated change data too. */
export function dataLocations(dataClass: SynthDataClass): { readonly region: string; readonly role: DataRole }[] {
  const locations: { region: string; role: DataRole }[] = dataClass.replicas.map((region) => ({ region, role: region === dataClass.writer ? 'writer' : 'replica' }));
  if (dataClass.writer !== undefined && !dataClass.replicas.includes(dataClass.writer)) locations.push({ region: dataClass.writer, role: 'writer' });
  if (dataClass.witness !== undefined) locations.push({ region: dataClass.witness, role: 'witness' });
  return locations;
}

/** The regions a resident class may use: its zone as the class states it, narrowed by the plan's zone table when given. */
export function residencyRegions(dataClass: SynthDataClass, zones?: Readonly<Record<string, readonly string[]>>): readonly string[] | undefined {
  const residency = dataClass.residency;
  if (residency === undefined) return undefined;
  const planZone = zones?.[residency.zone];
  return planZone === undefined ? residency.regions : residency.regions.filter((region) => planZone.includes(region));
}

/** Refuses a region outside a resident class's zone, naming class, region, zone and role. */
export function checkRegionResidency(dataClass: SynthDataClass, region: string, role: DataRole, zones?: Readonly<Record<string, readonly string[]>>): void {
  const allowed = residencyRegions(dataClass, zones);
  if (allowed === undefined || allowed.includes(region)) return;
  throw new DataResidencyError(dataClass.name, region, dataClass.residency!.zone, role, allowed);
}

/** Refuses a resident class with any replica, writer or witness outside its zone. */
export function checkResidency(dataClass: SynthDataClass, zones?: Readonly<Record<string, readonly string[]>>): void {
  for (const location of dataLocations(dataClass)) checkRegionResidency(dataClass, location.region, location.role, zones);
}

/** Refuses shapes the class's engine cannot take on AWS. */
export function checkShape(dataClass: SynthDataClass): void {
  const name = dataClass.name;
  if (dataClass.replicas.length === 0) throw new DataShapeError(name, 'has no replica region');
  const duplicate = dataClass.replicas.find((region, index) => dataClass.replicas.indexOf(region) !== index);
  if (duplicate !== undefined) throw new DataShapeError(name, `lists ${duplicate} twice among its replicas`);
  checkConsistency(dataClass);
  if (dataClass.engine !== 'dynamodb-mrsc' && dataClass.witness !== undefined) {
    throw new DataShapeError(name, `engine ${dataClass.engine} takes no witness region (only MRSC tables do), got ${dataClass.witness}`);
  }
  switch (dataClass.engine) {
    case 'dynamodb-table':
    case 'aurora-cluster':
      if (dataClass.replicas.length !== 1) throw new DataShapeError(name, `engine ${dataClass.engine} lives in one region, got ${dataClass.replicas.join(', ')}`);
      return;
    case 'dynamodb-global-table':
      return;
    case 'dynamodb-mrsc':
      checkMrscShape(dataClass);
      return;
    case 'aurora-global-database':
      checkAuroraGlobalShape(dataClass);
      return;
  }
}

/** Multi-writer needs a multi-active engine; strong needs MRSC or a single home region. */
function checkConsistency(dataClass: SynthDataClass): void {
  const { consistency, engine } = dataClass;
  if (consistency === 'multi-writer' && (engine === 'aurora-global-database' || engine === 'aurora-cluster' || engine === 'dynamodb-mrsc')) {
    throw new DataShapeError(dataClass.name, `multi-writer data needs a DynamoDB global table (or one regional table), not ${engine}`);
  }
  if (consistency === 'strong' && (engine === 'dynamodb-global-table' || engine === 'aurora-global-database')) {
    throw new DataShapeError(dataClass.name, `strong data cannot live in ${engine}: its replicas are asynchronous (use dynamodb-mrsc or one regional table)`);
  }
}

/** MRSC: exactly three replicas, or two and a witness in a third region, all in one region set. */
export function checkMrscShape(dataClass: SynthDataClass): void {
  const { replicas, witness, name } = dataClass;
  if (witness === undefined && replicas.length !== 3) {
    throw new DataShapeError(name, `an MRSC table has three replicas, or two replicas and a witness; got ${replicas.length} replica(s) (${replicas.join(', ')}) and no witness`);
  }
  if (witness !== undefined && replicas.length !== 2) {
    throw new DataShapeError(name, `an MRSC table with a witness has exactly two replicas; got ${replicas.length} (${replicas.join(', ')}) and witness ${witness}`);
  }
  if (witness !== undefined && replicas.includes(witness)) throw new DataShapeError(name, `the MRSC witness ${witness} must be a region without a replica`);
  const regions = [...replicas, ...(witness === undefined ? [] : [witness])];
  const set = Object.entries(MRSC_REGION_SETS).find(([, members]) => members.includes(replicas[0]!));
  const outside = set === undefined ? regions : regions.filter((region) => !set[1].includes(region));
  if (outside.length > 0) {
    const sets = Object.entries(MRSC_REGION_SETS).map(([setName, members]) => `${setName}: ${members.join(', ')}`).join('; ');
    throw new DataShapeError(name, `MRSC replicas and witness must all be in one region set (${sets}); ${outside.join(', ')} ${set === undefined ? 'are in none' : `are not in set ${set[0]}`}`);
  }
}

function checkAuroraGlobalShape(dataClass: SynthDataClass): void {
  auroraWriterRegion(dataClass);
  const secondaries = dataClass.replicas.length - 1;
  if (secondaries < 1) throw new DataShapeError(dataClass.name, 'an Aurora global database needs at least one secondary region (use aurora-cluster for one region)');
  if (secondaries > AURORA_SECONDARY_REGIONS_MAX) {
    throw new DataShapeError(dataClass.name, `an Aurora global database has at most ${AURORA_SECONDARY_REGIONS_MAX} secondary regions, got ${secondaries}`);
  }
}

/** The Aurora secondary regions: every replica but the writer. */
export function auroraSecondaryRegions(dataClass: SynthDataClass): string[] {
  const writer = auroraWriterRegion(dataClass);
  return dataClass.replicas.filter((region) => region !== writer);
}

/** Checks residency, then shape: a misplaced resident class is reported as such even when its shape is wrong too. */
export function checkDataClass(dataClass: SynthDataClass, zones?: Readonly<Record<string, readonly string[]>>): void {
  checkResidency(dataClass, zones);
  checkShape(dataClass);
}
