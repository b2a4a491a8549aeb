import assumptionsFile from './data/model-assumptions.json' with { type: 'json' };
import serviceLevelsFile from './data/service-levels.json' with { type: 'json' };

/** Documented AWS behaviour and availability commitments (data/service-levels.json). */
export const SERVICE_LEVELS = serviceLevelsFile.items;

/** Model parameters that are assumptions, each overridable in the spec (data/model-assumptions.json). */
export const MODEL_ASSUMPTIONS = assumptionsFile.items;

export type MrscRegionSet = keyof typeof serviceLevelsFile.items.dynamodb_global_tables_mrsc.region_sets;

/** The DynamoDB MRSC region set holding every given region, if one does. */
export function mrscRegionSetOf(regions: readonly string[]): MrscRegionSet | undefined {
  const sets = SERVICE_LEVELS.dynamodb_global_tables_mrsc.region_sets;
  for (const name of Object.keys(sets) as MrscRegionSet[]) {
    if (regions.every((region) => sets[name].includes(region))) return name;
  }
  return undefined;
}
