import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { limitSchema, tableNameSchema } from '../request-schema.ts';

/** At most 100 names a page: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html */
const PAGE_NAMES_MAX = 100;

export const listTables = defineOperation({
  name: 'ListTables',
  schema: z.object({ ExclusiveStartTableName: tableNameSchema.optional(), Limit: limitSchema(PAGE_NAMES_MAX).optional() }),
  async run(request, context) {
    const start = request.ExclusiveStartTableName;
    const limit = request.Limit ?? PAGE_NAMES_MAX;
    const names = context.catalog.names().filter((name) => start === undefined || name > start);
    const page = names.slice(0, limit);
    return names.length > limit ? { TableNames: page, LastEvaluatedTableName: page[page.length - 1] } : { TableNames: page };
  },
});
