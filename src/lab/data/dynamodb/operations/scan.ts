import { z } from 'zod';
import { ValidationError } from '../dynamodb-errors.ts';
import { defineOperation } from '../operation.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { validateKey } from '../validate-keys.ts';
import { checkPageRequest, pageRequestMembers, pageResponse } from './read-page.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html */
export const scan = defineOperation({
  name: 'Scan',
  schema: z.object({ ...pageRequestMembers, Segment: z.number().int().optional(), TotalSegments: z.number().int().optional() }),
  async run(request, context) {
    if (request.Segment !== undefined || request.TotalSegments !== undefined) {
      throw new ValidationError('Parallel scans (Segment, TotalSegments) are not supported by this data node yet');
    }
    const expressions = new RequestExpressions(request);
    const filter = expressions.condition('FilterExpression', request.FilterExpression);
    const projection = expressions.projection(request.ProjectionExpression);
    expressions.assertAllUsed();
    checkPageRequest(request, projection);
    const table = context.catalog.require(request.TableName);
    const startKey = request.ExclusiveStartKey === undefined ? undefined : validateKey(request.ExclusiveStartKey, table.schema);
    const page = await table.engine.scan({
      consistentRead: request.ConsistentRead ?? false,
      ...(request.Limit === undefined ? {} : { limit: request.Limit }),
      ...(startKey === undefined ? {} : { exclusiveStartKey: startKey }),
    });
    return pageResponse(page, filter, projection, request.Select);
  },
});
