import { z } from 'zod';
import { defineOperation, withItem } from '../operation.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { validateKey } from '../validate-keys.ts';
import { decideConditionalWrite } from './conditional-write.ts';
import { assertNoneOrAllOld, keyMember, writeRequestMembers } from './item-request-schema.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html */
export const deleteItem = defineOperation({
  name: 'DeleteItem',
  schema: z.object({ ...writeRequestMembers, Key: keyMember }),
  async run(request, context) {
    assertNoneOrAllOld(request.ReturnValues);
    const expressions = new RequestExpressions(request);
    const condition = expressions.condition('ConditionExpression', request.ConditionExpression);
    expressions.assertAllUsed();
    const table = context.catalog.require(request.TableName, 'store');
    const key = validateKey(request.Key, table.schema);
    const returnOld = request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    const result = await table.engine.mutateItem(key, (current) => decideConditionalWrite(current, condition, returnOld, () => ({ kind: 'delete' })));
    return request.ReturnValues === 'ALL_OLD' ? withItem('Attributes', result.oldItem) : {};
  },
});
