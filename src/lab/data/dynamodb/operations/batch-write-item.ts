import { z } from 'zod';
import { keyOfItem, type MutationDecision } from '../../table-engine.ts';
import type { Item, ItemKey } from '../../values/attribute-value.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import { assertItemSize, defineOperation } from '../operation.ts';
import { attributeMapSchema, returnConsumedCapacitySchema, returnItemCollectionMetricsSchema, tableNameSchema } from '../request-schema.ts';
import { keyIdentity, validateItemKeyAttributes, validateKey } from '../validate-keys.ts';
import { validateItem } from '../validate-values.ts';
import type { CatalogTable } from '../table-catalog.ts';

/**
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 * Up to 25 puts and deletes, each through the engine's `mutateItem` (unconditional, as BatchWriteItem
 * has no conditions). The whole request is checked before the first write; the writes are not one
 * transaction, as in DynamoDB. Every request is applied, so UnprocessedItems is always empty.
 */
const REQUESTS_MAX = 25;

const writeRequest = z.object({
  PutRequest: z.object({ Item: attributeMapSchema }).optional(),
  DeleteRequest: z.object({ Key: attributeMapSchema }).optional(),
});

interface PlannedWrite {
  readonly table: CatalogTable;
  readonly key: ItemKey;
  readonly decision: MutationDecision;
}

export const batchWriteItem = defineOperation({
  name: 'BatchWriteItem',
  schema: z.object({
    RequestItems: z.record(
      tableNameSchema,
      z.array(writeRequest).min(1, { error: 'Member must have length greater than or equal to 1' }).max(REQUESTS_MAX, { error: `Member must have length less than or equal to ${REQUESTS_MAX}` }),
    ),
    ReturnConsumedCapacity: returnConsumedCapacitySchema,
    ReturnItemCollectionMetrics: returnItemCollectionMetricsSchema,
  }),
  async run(request, context) {
    const entries = Object.entries(request.RequestItems);
    if (entries.length === 0) throw new ValidationError('The requestItems parameter is required for BatchWriteItem');
    const requestCount = entries.reduce((sum, [, requests]) => sum + requests.length, 0);
    if (requestCount > REQUESTS_MAX) throw new ValidationError('Too many items requested for the BatchWriteItem call');
    const plans = entries.flatMap(([tableName, requests]) => planTable(context.catalog.require(tableName, 'store'), requests));
    for (const plan of plans) await plan.table.engine.mutateItem(plan.key, () => plan.decision);
    return { UnprocessedItems: {} };
  },
});

function planTable(table: CatalogTable, requests: readonly z.infer<typeof writeRequest>[]): PlannedWrite[] {
  const plans = requests.map((request): PlannedWrite => {
    if ((request.PutRequest === undefined) === (request.DeleteRequest === undefined)) {
      throw new ValidationError('A WriteRequest must contain exactly one of PutRequest and DeleteRequest');
    }
    if (request.DeleteRequest !== undefined) return { table, key: validateKey(request.DeleteRequest.Key, table.schema), decision: { kind: 'delete' } };
    const item: Item = validateItem(request.PutRequest!.Item);
    validateItemKeyAttributes(item, table.schema);
    assertItemSize(item, 'put');
    return { table, key: keyOfItem(item, table.schema), decision: { kind: 'put', item } };
  });
  if (new Set(plans.map((plan) => keyIdentity(plan.key, table.schema))).size !== plans.length) {
    throw new ValidationError('Provided list of item keys contains duplicates');
  }
  return plans;
}
