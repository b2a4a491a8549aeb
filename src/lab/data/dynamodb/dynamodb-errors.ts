import type { Item } from '../values/attribute-value.ts';

/**
 * Operating errors of the DynamoDB-compatible endpoint. Each has a stable `code`, the short AWS error
 * name (`awsType`), the HTTP status DynamoDB answers it with and whether the AWS SDKs retry it; only the
 * HTTP shell turns them into wire responses (it adds the namespace, see `awsErrorNamespace`).
 * Errors from other layers (core/replication's ReplicatedWriteConflictError, core/residency's
 * ResidencyViolation) carry the same three fields and go through the same path.
 *
 * Names and statuses: "Error handling with DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 * (every error listed there is HTTP 400 except InternalServerError and ServiceUnavailable, 500/503).
 */

/** What the shell needs from any error to answer it the AWS way. */
export interface AwsShapedError {
  readonly awsType: string;
  readonly httpStatus: number;
  readonly message: string;
  /** Members added to the error body beside `__type` and `message` (ConditionalCheckFailedException's `Item`). */
  readonly wireFields?: Readonly<Record<string, unknown>>;
}

export function isAwsShapedError(error: unknown): error is AwsShapedError & Error {
  if (!(error instanceof Error)) return false;
  const candidate = error as Error & Partial<AwsShapedError>;
  return typeof candidate.awsType === 'string' && typeof candidate.httpStatus === 'number';
}

/**
 * The `__type` namespace of an error name. DynamoDB answers request validation from its service
 * framework ("Coral"), not from the DynamoDB model: `com.amazon.coral.validate#ValidationException`,
 * `com.amazon.coral.service#SerializationException` / `#UnknownOperationException` /
 * `#AccessDeniedException`; the errors of the DynamoDB model use `com.amazonaws.dynamodb.v20120810#`.
 * Observed responses: the developer guide's example ResourceNotFoundException, dynalite's recorded
 * responses (db/index.js, index.js), and bug reports quoting live bodies (AdRoll/goamz#15:
 * `{"__type":"com.amazon.coral.validate#ValidationException",…}`). The SDKs only read the part after `#`.
 */
export function awsErrorNamespace(awsType: string): string {
  if (awsType === 'ValidationException') return 'com.amazon.coral.validate';
  if (CORAL_SERVICE_ERRORS.has(awsType)) return 'com.amazon.coral.service';
  return 'com.amazonaws.dynamodb.v20120810';
}

const CORAL_SERVICE_ERRORS = new Set([
  'SerializationException',
  'UnknownOperationException',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
]);

abstract class DynamoDbError extends Error implements AwsShapedError {
  abstract readonly code: string;
  abstract readonly awsType: string;
  readonly httpStatus: number = 400;
  readonly retryable: boolean = false;
}

/** A request that breaks a rule of the API: bad parameter, bad expression, wrong key, item too large. */
export class ValidationError extends DynamoDbError {
  readonly code = 'VALIDATION';
  readonly awsType = 'ValidationException';

  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** The request body exceeds the shell's size limit; answered before it is read in full. */
export class RequestTooLargeError extends DynamoDbError {
  readonly code = 'REQUEST_TOO_LARGE';
  readonly awsType = 'ValidationException';
  override readonly httpStatus = 413;

  constructor(bytes: number, bytesMax: number) {
    super(`Request body of ${bytes} bytes or more exceeds the limit of ${bytesMax} bytes`);
    this.name = 'RequestTooLargeError';
  }
}

/** The body is not JSON, or a member has the wrong JSON type. */
export class SerializationError extends DynamoDbError {
  readonly code = 'SERIALIZATION';
  readonly awsType = 'SerializationException';

  constructor(message: string) {
    super(message);
    this.name = 'SerializationError';
  }
}

export class UnknownOperationError extends DynamoDbError {
  readonly code = 'UNKNOWN_OPERATION';
  readonly awsType = 'UnknownOperationException';

  constructor(target: string | undefined) {
    super(target === undefined ? 'Missing X-Amz-Target header' : `Unknown operation: ${target}`);
    this.name = 'UnknownOperationError';
  }
}

export class ResourceNotFoundError extends DynamoDbError {
  readonly code = 'RESOURCE_NOT_FOUND';
  readonly awsType = 'ResourceNotFoundException';

  constructor(message: string) {
    super(message);
    this.name = 'ResourceNotFoundError';
  }
}

export class ResourceInUseError extends DynamoDbError {
  readonly code = 'RESOURCE_IN_USE';
  readonly awsType = 'ResourceInUseException';

  constructor(message: string) {
    super(message);
    this.name = 'ResourceInUseError';
  }
}

/**
 * A condition expression evaluated to false. With ReturnValuesOnConditionCheckFailure=ALL_OLD the
 * body carries the item as it was: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 */
export class ConditionalCheckFailedError extends DynamoDbError {
  readonly code = 'CONDITIONAL_CHECK_FAILED';
  readonly awsType = 'ConditionalCheckFailedException';
  readonly wireFields: Readonly<Record<string, unknown>>;

  constructor(oldItem: Item | undefined) {
    super('The conditional request failed');
    this.name = 'ConditionalCheckFailedError';
    this.wireFields = oldItem === undefined ? {} : { Item: oldItem };
  }
}

export class AccessDeniedError extends DynamoDbError {
  readonly code = 'ACCESS_DENIED';
  readonly awsType = 'AccessDeniedException';

  constructor(message: string) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** A bug of ours: answered 500 so that SDKs retry, with a message that hides the internals. */
export class InternalServerError extends DynamoDbError {
  readonly code = 'INTERNAL';
  readonly awsType = 'InternalServerError';
  override readonly httpStatus = 500;
  override readonly retryable = true;

  constructor() {
    super('Internal server error');
    this.name = 'InternalServerError';
  }
}
