import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ResourceInUseError, ValidationError } from '../dynamodb-errors.ts';
import { defineOperation } from '../operation.ts';
import { enumMessage, tableNameSchema } from '../request-schema.ts';
import type { StoredTableDescription } from '../table-catalog.ts';
import { describeTable } from '../table-description.ts';

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html */
const attributeName = z.string().min(1, { error: 'Member must have length greater than or equal to 1' }).max(255, { error: 'Member must have length less than or equal to 255' });
const capacityUnits = z.number().int().min(1, { error: 'Member must have value greater than or equal to 1' });

const schema = z.object({
  TableName: tableNameSchema,
  KeySchema: z
    .array(z.object({ AttributeName: attributeName, KeyType: z.enum(['HASH', 'RANGE'], { error: enumMessage(['HASH', 'RANGE']) }) }))
    .min(1, { error: 'Member must have length greater than or equal to 1' })
    .max(2, { error: 'Member must have length less than or equal to 2' }),
  AttributeDefinitions: z.array(z.object({ AttributeName: attributeName, AttributeType: z.enum(['S', 'N', 'B'], { error: enumMessage(['B', 'N', 'S']) }) })),
  BillingMode: z.enum(['PROVISIONED', 'PAY_PER_REQUEST'], { error: enumMessage(['PROVISIONED', 'PAY_PER_REQUEST']) }).optional(),
  ProvisionedThroughput: z.object({ ReadCapacityUnits: capacityUnits, WriteCapacityUnits: capacityUnits }).optional(),
  GlobalSecondaryIndexes: z.array(z.unknown()).optional(),
  LocalSecondaryIndexes: z.array(z.unknown()).optional(),
});
type CreateTableRequest = z.infer<typeof schema>;

export const createTable = defineOperation({
  name: 'CreateTable',
  schema,
  async run(request, context) {
    checkKeySchema(request);
    checkBilling(request);
    if ((request.GlobalSecondaryIndexes?.length ?? 0) > 0 || (request.LocalSecondaryIndexes?.length ?? 0) > 0) {
      throw new ValidationError('Secondary indexes are not supported by this data node yet');
    }
    const description: StoredTableDescription = {
      TableName: request.TableName,
      TableId: randomUUID(),
      TableArn: `arn:aws:dynamodb:${context.region}:000000000000:table/${request.TableName}`,
      CreationDateTime: context.nowMs() / 1000,
      KeySchema: request.KeySchema,
      AttributeDefinitions: request.AttributeDefinitions,
      BillingMode: request.BillingMode ?? 'PROVISIONED',
      ...(request.ProvisionedThroughput === undefined ? {} : { ProvisionedThroughput: request.ProvisionedThroughput }),
    };
    const table = context.catalog.create(description);
    if (table === undefined) throw new ResourceInUseError(`Table already exists: ${request.TableName}`);
    return { TableDescription: describeTable(table, 'ACTIVE') };
  },
});

function checkKeySchema(request: CreateTableRequest): void {
  const [hash, range] = request.KeySchema;
  if (hash!.KeyType !== 'HASH') throw new ValidationError('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (range !== undefined && range.KeyType !== 'RANGE') throw new ValidationError('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  if (range !== undefined && range.AttributeName === hash!.AttributeName) {
    throw new ValidationError('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  }
  const defined = request.AttributeDefinitions.map((definition) => definition.AttributeName);
  const keys = request.KeySchema.map((element) => element.AttributeName);
  if (keys.some((name) => !defined.includes(name))) {
    throw new ValidationError(
      `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(', ')}], AttributeDefinitions: [${defined.join(', ')}]`,
    );
  }
  if (new Set(defined).size !== defined.length || defined.length !== keys.length) {
    throw new ValidationError(
      'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
    );
  }
}

function checkBilling(request: CreateTableRequest): void {
  const onDemand = request.BillingMode === 'PAY_PER_REQUEST';
  if (!onDemand && request.ProvisionedThroughput === undefined) {
    throw new ValidationError('One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  }
  if (onDemand && request.ProvisionedThroughput !== undefined) {
    throw new ValidationError('One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  }
}
