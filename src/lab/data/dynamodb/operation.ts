import type { z } from 'zod';
import type { Item } from '../values/attribute-value.ts';
import { ITEM_SIZE_BYTES_MAX, itemSizeBytes } from '../values/item-size.ts';
import { ValidationError } from './dynamodb-errors.ts';
import type { TableCatalog } from './table-catalog.ts';

/**
 * One DynamoDB operation: its request schema (checked by the shell before `run`) and its behaviour.
 * Each lives in its own file under operations/; the shell knows them only through this shape.
 */
export interface Operation<Request = unknown> {
  readonly name: string;
  readonly schema: z.ZodType<Request>;
  run(request: Request, context: OperationContext): Promise<object>;
}

export interface OperationContext {
  readonly catalog: TableCatalog;
  readonly region: string;
  /** Wall clock for table creation times: the only clock an operation reads. */
  nowMs(): number;
}

/** Keeps the schema's output type attached to `run`'s parameter. */
export function defineOperation<Request>(operation: Operation<Request>): Operation<Request> {
  return operation;
}

/** DynamoDB's 400 KB item limit, in its words ("Item size has exceeded the maximum allowed size"). */
export function assertItemSize(item: Item, action: 'put' | 'update'): void {
  if (itemSizeBytes(item) <= ITEM_SIZE_BYTES_MAX) return;
  throw new ValidationError(action === 'put' ? 'Item size has exceeded the maximum allowed size' : 'Item size to update has exceeded the maximum allowed size');
}

/** Responses leave out members that have nothing to say, as DynamoDB's do. */
export function withItem(name: string, item: Item | undefined): Record<string, Item> {
  return item === undefined || Object.keys(item).length === 0 ? {} : { [name]: item };
}
