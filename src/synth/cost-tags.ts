import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { DATA_CLASS_TAG_KEY, REGION_TAG_KEY } from './synth-tags.ts';

export interface CostTagsOptions {
  /** The region the resources serve: `meridian:region` on every taggable resource under the scope. */
  readonly region: string;
  /**
   * The data class the resources hold: `meridian:data-class` as well (tables, clusters, their keys).
   * @default - no data-class tag
   */
  readonly dataClass?: string;
}

/**
 * Cost-allocation tags, added through CDK's tag aspect to every taggable resource under `scope` (a whole
 * regional stack, or one data class's constructs). Activate `meridian:region` and `meridian:data-class` as
 * cost-allocation tags in the Billing console to see cost per region and per class. The same tags let the
 * FIS templates find a class's tables and clusters.
 */
export function applyCostTags(scope: IConstruct, options: CostTagsOptions): void {
  Tags.of(scope).add(REGION_TAG_KEY, options.region);
  if (options.dataClass !== undefined) Tags.of(scope).add(DATA_CLASS_TAG_KEY, options.dataClass);
}
