import { z } from 'zod';
import { valuesEqual } from '../../values/compare-values.ts';
import { ValidationError } from '../dynamodb-errors.ts';
import { defineOperation } from '../operation.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { validateKey } from '../validate-keys.ts';
import { assertFilterOnNonKeys, checkPageRequest, pageRequestMembers, pageResponse } from './read-page.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html */
export const query = defineOperation({
  name: 'Query',
  schema: z.object({ ...pageRequestMembers, KeyConditionExpression: z.string().optional(), ScanIndexForward: z.boolean().optional() }),
  async run(request, context) {
    const table = context.catalog.require(request.TableName);
    if (request.KeyConditionExpression === undefined) {
      throw new ValidationError('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
    }
    const expressions = new RequestExpressions(request);
    const keyCondition = expressions.keyCondition(request.KeyConditionExpression, table.schema);
    const filter = expressions.condition('FilterExpression', request.FilterExpression);
    const projection = expressions.projection(request.ProjectionExpression);
    expressions.assertAllUsed();
    checkPageRequest(request, projection);
    assertFilterOnNonKeys(filter, table.schema);
    const startKey = request.ExclusiveStartKey === undefined ? undefined : validateKey(request.ExclusiveStartKey, table.schema);
    if (startKey !== undefined && !valuesEqual(startKey[table.schema.partitionKey.name]!, keyCondition.partitionKey)) {
      throw new ValidationError('The provided starting key is invalid: the partition key does not match the key condition');
    }
    const page = await table.engine.query({
      partitionKey: keyCondition.partitionKey,
      ...(keyCondition.sortKeyCondition === undefined ? {} : { sortKeyCondition: keyCondition.sortKeyCondition }),
      forward: request.ScanIndexForward ?? true,
      consistentRead: request.ConsistentRead ?? false,
      ...(request.Limit === undefined ? {} : { limit: request.Limit }),
      ...(startKey === undefined ? {} : { exclusiveStartKey: startKey }),
    });
    return pageResponse(page, filter, projection, request.Select);
  },
});
