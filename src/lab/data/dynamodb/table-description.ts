import type { CatalogTable } from './table-catalog.ts';

/**
 * DynamoDB's TableDescription of a catalog table.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 * ItemCount is exact here (DynamoDB refreshes it about every six hours); TableSizeBytes is not
 * tracked and reads 0.
 */
export function describeTable(table: CatalogTable, status: 'ACTIVE' | 'DELETING'): Record<string, unknown> {
  const description = table.description;
  const onDemand = description.BillingMode === 'PAY_PER_REQUEST';
  return {
    TableName: description.TableName,
    TableStatus: status,
    TableId: description.TableId,
    TableArn: description.TableArn,
    CreationDateTime: description.CreationDateTime,
    KeySchema: description.KeySchema,
    AttributeDefinitions: description.AttributeDefinitions,
    ItemCount: status === 'ACTIVE' ? table.local.itemCount() : 0,
    TableSizeBytes: 0,
    ProvisionedThroughput: {
      NumberOfDecreasesToday: 0,
      ReadCapacityUnits: description.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
      WriteCapacityUnits: description.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
    },
    ...(onDemand ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: description.CreationDateTime } } : {}),
  };
}
