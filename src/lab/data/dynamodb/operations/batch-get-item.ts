import { z } from 'zod';
import type { Item, ItemKey } from '../../values/attribute-value.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import { defineOperation } from '../operation.ts';
import { attributeMapSchema, expressionAttributeNamesSchema, returnConsumedCapacitySchema, tableNameSchema } from '../request-schema.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { keyIdentity, validateKey } from '../validate-keys.ts';
import { projectItem } from '../expressions/projection-expression.ts';
import type { CatalogTable } from '../table-catalog.ts';
import type { DocumentPath } from '../expressions/expression-syntax.ts';

/**
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 * Up to 100 keys; the whole request is checked before anything is read. Every key is served, so
 * UnprocessedKeys is always empty.
 */
const KEYS_MAX = 100;

const tableRequest = z.object({
  Keys: z.array(attributeMapSchema).min(1, { error: 'Member must have length greater than or equal to 1' }).max(KEYS_MAX, { error: `Member must have length less than or equal to ${KEYS_MAX}` }),
  ProjectionExpression: z.string().optional(),
  ExpressionAttributeNames: expressionAttributeNamesSchema,
  ConsistentRead: z.boolean().optional(),
});

interface PlannedRead {
  readonly table: CatalogTable;
  readonly keys: readonly ItemKey[];
  readonly projection: DocumentPath[] | undefined;
  readonly consistentRead: boolean;
}

export const batchGetItem = defineOperation({
  name: 'BatchGetItem',
  schema: z.object({ RequestItems: z.record(tableNameSchema, tableRequest), ReturnConsumedCapacity: returnConsumedCapacitySchema }),
  async run(request, context) {
    const entries = Object.entries(request.RequestItems);
    if (entries.length === 0) throw new ValidationError('The requestItems parameter is required for BatchGetItem');
    const keyCount = entries.reduce((sum, [, tableRequest]) => sum + tableRequest.Keys.length, 0);
    if (keyCount > KEYS_MAX) throw new ValidationError('Too many items requested for the BatchGetItem call');
    const plans = entries.map(([tableName, tableRequest]): PlannedRead => {
      const expressions = new RequestExpressions(tableRequest);
      const projection = expressions.projection(tableRequest.ProjectionExpression);
      expressions.assertAllUsed();
      const table = context.catalog.require(tableName);
      const keys = tableRequest.Keys.map((key) => validateKey(key, table.schema));
      if (new Set(keys.map((key) => keyIdentity(key, table.schema))).size !== keys.length) {
        throw new ValidationError('Provided list of item keys contains duplicates');
      }
      return { table, keys, projection, consistentRead: tableRequest.ConsistentRead ?? false };
    });
    const responses: Record<string, Item[]> = {};
    for (const plan of plans) responses[plan.table.schema.tableName] = await readAll(plan);
    return { Responses: responses, UnprocessedKeys: {} };
  },
});

async function readAll(plan: PlannedRead): Promise<Item[]> {
  const items = await Promise.all(plan.keys.map((key) => plan.table.engine.getItem(key, { consistentRead: plan.consistentRead })));
  const found = items.filter((item): item is Item => item !== undefined);
  return plan.projection === undefined ? found : found.map((item) => projectItem(item, plan.projection!));
}
