import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { attributeMapSchema, expressionAttributeNamesSchema, expressionAttributeValuesSchema, returnConsumedCapacitySchema, tableNameSchema } from '../request-schema.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { validateKey } from '../validate-keys.ts';
import { projectItem } from '../expressions/projection-expression.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html */
export const getItem = defineOperation({
  name: 'GetItem',
  schema: z.object({
    TableName: tableNameSchema,
    Key: attributeMapSchema,
    ConsistentRead: z.boolean().optional(),
    ProjectionExpression: z.string().optional(),
    ExpressionAttributeNames: expressionAttributeNamesSchema,
    // Accepted only to be refused as unused, as DynamoDB refuses values a GetItem cannot use.
    ExpressionAttributeValues: expressionAttributeValuesSchema,
    ReturnConsumedCapacity: returnConsumedCapacitySchema,
  }),
  async run(request, context) {
    const expressions = new RequestExpressions(request);
    const projection = expressions.projection(request.ProjectionExpression);
    expressions.assertAllUsed();
    const table = context.catalog.require(request.TableName);
    const key = validateKey(request.Key, table.schema);
    const item = await table.engine.getItem(key, { consistentRead: request.ConsistentRead ?? false });
    if (item === undefined) return {};
    return { Item: projection === undefined ? item : projectItem(item, projection) };
  },
});

