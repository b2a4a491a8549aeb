import type { Operation } from '../operation.ts';
import { batchGetItem } from './batch-get-item.ts';
import { batchWriteItem } from './batch-write-item.ts';
import { createTable } from './create-table.ts';
import { deleteItem } from './delete-item.ts';
import { deleteTable } from './delete-table.ts';
import { describeTable } from './describe-table.ts';
import { getItem } from './get-item.ts';
import { listTables } from './list-tables.ts';
import { putItem } from './put-item.ts';
import { query } from './query.ts';
import { scan } from './scan.ts';
import { updateItem } from './update-item.ts';

/** The operations the data node serves, by the name after `DynamoDB_20120810.` in X-Amz-Target. */
export const OPERATIONS: ReadonlyMap<string, Operation<never>> = new Map(
  [createTable, describeTable, listTables, deleteTable, putItem, getItem, updateItem, deleteItem, query, scan, batchGetItem, batchWriteItem].map(
    (operation) => [operation.name, operation as unknown as Operation<never>],
  ),
);
