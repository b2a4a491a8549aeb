/**
 * Cost-allocation tags of the data layer: every data resource carries its data class and region, so the bill
 * (and an auditor, and the FIS templates) can say what each class costs and where it lives. The keys and the
 * tagging are the shared ones of `synth-tags.ts` and `cost-tags.ts`.
 */
import type { IConstruct } from 'constructs';
import { applyCostTags } from './cost-tags.ts';

export { DATA_CLASS_TAG_KEY as DATA_CLASS_TAG, REGION_TAG_KEY as REGION_TAG } from './synth-tags.ts';

/** Tags every taggable resource under `scope` with `meridian:data-class` and `meridian:region`. */
export function tagDataResources(scope: IConstruct, dataClass: string, region: string): void {
  applyCostTags(scope, { region, dataClass });
}
