import { z } from 'zod';
import { keyOfItem } from '../../table-engine.ts';
import { assertItemSize, defineOperation, withItem } from '../operation.ts';
import { attributeMapSchema } from '../request-schema.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { validateItem } from '../validate-values.ts';
import { validateItemKeyAttributes } from '../validate-keys.ts';
import { decideConditionalWrite } from './conditional-write.ts';
import { assertNoneOrAllOld, writeRequestMembers } from './item-request-schema.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html */
export const putItem = defineOperation({
  name: 'PutItem',
  schema: z.object({ ...writeRequestMembers, Item: attributeMapSchema }),
  async run(request, context) {
    assertNoneOrAllOld(request.ReturnValues);
    const expressions = new RequestExpressions(request);
    const condition = expressions.condition('ConditionExpression', request.ConditionExpression);
    expressions.assertAllUsed();
    const table = context.catalog.require(request.TableName, 'store');
    const item = validateItem(request.Item);
    validateItemKeyAttributes(item, table.schema);
    assertItemSize(item, 'put');
    const returnOld = request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    const result = await table.engine.mutateItem(keyOfItem(item, table.schema), (current) =>
      decideConditionalWrite(current, condition, returnOld, () => ({ kind: 'put', item })),
    );
    return request.ReturnValues === 'ALL_OLD' ? withItem('Attributes', result.oldItem) : {};
  },
});
