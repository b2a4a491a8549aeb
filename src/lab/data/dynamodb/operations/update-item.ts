import { z } from 'zod';
import type { Item } from '../../values/attribute-value.ts';
import { canonicalItem } from '../../values/canonical-item.ts';
import { assertItemSize, defineOperation, withItem } from '../operation.ts';
import { RequestExpressions } from '../request-expressions.ts';
import { validateKey } from '../validate-keys.ts';
import { applyUpdate } from '../expressions/apply-update.ts';
import { projectItem } from '../expressions/projection-expression.ts';
import { updatedPaths, type UpdateActions } from '../expressions/update-expression.ts';
import { decideConditionalWrite } from './conditional-write.ts';
import { keyMember, writeRequestMembers, type ReturnValues } from './item-request-schema.ts';

/**
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 * Without an item of that key, the update applies to the bare key and creates the item.
 */
export const updateItem = defineOperation({
  name: 'UpdateItem',
  schema: z.object({ ...writeRequestMembers, Key: keyMember, UpdateExpression: z.string().optional() }),
  async run(request, context) {
    const table = context.catalog.require(request.TableName, 'store');
    const expressions = new RequestExpressions(request);
    const actions = request.UpdateExpression === undefined ? undefined : expressions.update(request.UpdateExpression, table.schema);
    const condition = expressions.condition('ConditionExpression', request.ConditionExpression);
    expressions.assertAllUsed();
    const key = validateKey(request.Key, table.schema);
    const returnOld = request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    const result = await table.engine.mutateItem(key, (current) =>
      decideConditionalWrite(current, condition, returnOld, () => {
        const item = actions === undefined ? (current ?? key) : canonicalItem(applyUpdate(current, key, actions));
        assertItemSize(item, 'update');
        return { kind: 'put', item };
      }),
    );
    return returnedAttributes(request.ReturnValues ?? 'NONE', actions, result.oldItem, result.newItem);
  },
});

function returnedAttributes(returnValues: ReturnValues, actions: UpdateActions | undefined, oldItem: Item | undefined, newItem: Item | undefined): object {
  const paths = actions === undefined ? [] : updatedPaths(actions);
  switch (returnValues) {
    case 'NONE':
      return {};
    case 'ALL_OLD':
      return withItem('Attributes', oldItem);
    case 'ALL_NEW':
      return withItem('Attributes', newItem);
    case 'UPDATED_OLD':
      return withItem('Attributes', oldItem === undefined ? undefined : projectItem(oldItem, paths));
    case 'UPDATED_NEW':
      return withItem('Attributes', newItem === undefined ? undefined : projectItem(newItem, paths));
  }
}
