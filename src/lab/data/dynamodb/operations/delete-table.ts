import { z } from 'zod';
import { ResourceNotFoundError } from '../dynamodb-errors.ts';
import { defineOperation } from '../operation.ts';
import { tableNameSchema } from '../request-schema.ts';
import { describeTable } from '../table-description.ts';

/**
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
 * The answer says DELETING, as DynamoDB's does; the table and its items are already gone.
 */
export const deleteTable = defineOperation({
  name: 'DeleteTable',
  schema: z.object({ TableName: tableNameSchema }),
  async run(request, context) {
    const table = context.catalog.delete(request.TableName);
    if (table === undefined) throw new ResourceNotFoundError(`Requested resource not found: Table: ${request.TableName} not found`);
    return { TableDescription: describeTable(table, 'DELETING') };
  },
});
