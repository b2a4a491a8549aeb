import { z } from 'zod';
import { ValidationError } from '../dynamodb-errors.ts';
import {
  attributeMapSchema,
  enumMessage,
  expressionAttributeNamesSchema,
  expressionAttributeValuesSchema,
  returnConsumedCapacitySchema,
  returnItemCollectionMetricsSchema,
  returnOnConditionFailureSchema,
  tableNameSchema,
} from '../request-schema.ts';

/** Members shared by the single-item write operations (PutItem, UpdateItem, DeleteItem). */
const RETURN_VALUES = ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const;
export type ReturnValues = (typeof RETURN_VALUES)[number];

export const writeRequestMembers = {
  TableName: tableNameSchema,
  ConditionExpression: z.string().optional(),
  ExpressionAttributeNames: expressionAttributeNamesSchema,
  ExpressionAttributeValues: expressionAttributeValuesSchema,
  ReturnValues: z.enum(RETURN_VALUES, { error: enumMessage(RETURN_VALUES) }).optional(),
  ReturnValuesOnConditionCheckFailure: returnOnConditionFailureSchema,
  ReturnConsumedCapacity: returnConsumedCapacitySchema,
  ReturnItemCollectionMetrics: returnItemCollectionMetricsSchema,
};

export const keyMember = attributeMapSchema;

/** PutItem and DeleteItem return only the old item ("ReturnValues can only be ALL_OLD or NONE", as dynalite recorded DynamoDB's answer). */
export function assertNoneOrAllOld(returnValues: ReturnValues | undefined): void {
  if (returnValues !== undefined && returnValues !== 'NONE' && returnValues !== 'ALL_OLD') {
    throw new ValidationError('ReturnValues can only be ALL_OLD or NONE');
  }
}
