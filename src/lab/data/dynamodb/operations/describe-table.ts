import { z } from 'zod';
import { ResourceNotFoundError } from '../dynamodb-errors.ts';
import { defineOperation } from '../operation.ts';
import { tableNameSchema } from '../request-schema.ts';
import { describeTable as describe } from '../table-description.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html */
export const describeTable = defineOperation({
  name: 'DescribeTable',
  schema: z.object({ TableName: tableNameSchema }),
  async run(request, context) {
    const table = context.catalog.find(request.TableName);
    if (table === undefined) throw new ResourceNotFoundError(`Requested resource not found: Table: ${request.TableName} not found`);
    return { Table: describe(table, 'ACTIVE') };
  },
});
