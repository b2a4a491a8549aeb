import { payloadOf, typeOf, type AttributeValue, type Item, type ItemKey } from '../values/attribute-value.ts';
import type { KeyAttribute, TableSchema } from '../table-engine.ts';
import { ValidationError } from './dynamodb-errors.ts';
import { validateItem } from './validate-values.ts';

/**
 * Key checks in DynamoDB's words. A Key parameter must hold exactly the table's key attributes with
 * their declared types; an item must contain them. Partition keys are at most 2048 bytes and sort keys
 * at most 1024: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
const PARTITION_KEY_BYTES_MAX = 2048;
const SORT_KEY_BYTES_MAX = 1024;

export function keyAttributesOf(schema: TableSchema): KeyAttribute[] {
  return schema.sortKey === undefined ? [schema.partitionKey] : [schema.partitionKey, schema.sortKey];
}

/** A Key (GetItem, UpdateItem, DeleteItem, batch requests, ExclusiveStartKey) against the schema. */
export function validateKey(raw: unknown, schema: TableSchema): ItemKey {
  const key = validateItem(raw, 'Key');
  const attributes = keyAttributesOf(schema);
  if (Object.keys(key).length !== attributes.length) throw new ValidationError('The provided key element does not match the schema');
  for (const attribute of attributes) {
    const value = key[attribute.name];
    if (value === undefined || typeOf(value) !== attribute.type) throw new ValidationError('The provided key element does not match the schema');
    checkKeyValue(attribute, value, attribute === schema.partitionKey);
  }
  return key;
}

/** The key attributes of an item to be put (PutItem, BatchWriteItem's PutRequest). */
export function validateItemKeyAttributes(item: Item, schema: TableSchema): void {
  for (const attribute of keyAttributesOf(schema)) {
    const value = item[attribute.name];
    if (value === undefined) {
      throw new ValidationError(`One or more parameter values were invalid: Missing the key ${attribute.name} in the item`);
    }
    if (typeOf(value) !== attribute.type) {
      throw new ValidationError(
        `One or more parameter values were invalid: Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${typeOf(value)}`,
      );
    }
    checkKeyValue(attribute, value, attribute === schema.partitionKey);
  }
}

function checkKeyValue(attribute: KeyAttribute, value: AttributeValue, isPartitionKey: boolean): void {
  const payload = payloadOf(value) as string;
  if (payload === '' && attribute.type !== 'N') {
    const kind = attribute.type === 'S' ? 'string' : 'binary';
    throw new ValidationError(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${kind} value. Key: ${attribute.name}`,
    );
  }
  const bytes = attribute.type === 'S' ? Buffer.byteLength(payload, 'utf8') : attribute.type === 'B' ? Buffer.from(payload, 'base64').length : 0;
  if (isPartitionKey && bytes > PARTITION_KEY_BYTES_MAX) {
    throw new ValidationError(`One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of ${PARTITION_KEY_BYTES_MAX} bytes`);
  }
  if (!isPartitionKey && bytes > SORT_KEY_BYTES_MAX) {
    throw new ValidationError(`One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of ${SORT_KEY_BYTES_MAX} bytes`);
  }
}

/** A stable text for a key, to find duplicates in batch requests. */
export function keyIdentity(key: ItemKey, schema: TableSchema): string {
  return JSON.stringify(keyAttributesOf(schema).map((attribute) => key[attribute.name]));
}
