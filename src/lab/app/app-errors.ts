/**
 * What an app answers when a request fails, as the load generator sees it: an HTTP status and a JSON body
 * `{ error, message }` whose `error` names the kind (the AWS error name when the data node refused), so
 * that failures can be counted by kind. Only the HTTP shell turns these into responses.
 */
export class AppRequestError extends Error {
  constructor(
    readonly httpStatus: number,
    /** The kind: an AWS error name (`ServiceUnavailable`) or one of ours (`UnknownDataClass`). */
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppRequestError';
  }
}

/**
 * HTTP status of each refusal of the data node that is not the app's own fault. A write to a region that
 * is not the writer, a conditional write that lost, and conflicting strong writes are conflicts with the
 * state of the data (409); residency is a permission (403); an unavailable quorum or a full replication
 * queue is the region being unable to serve now (503). Everything else the data node answers is a bad
 * gateway (502).
 */
const STATUS_OF_AWS_ERROR: Readonly<Record<string, number>> = {
  NotPrimaryException: 409,
  ConditionalCheckFailedException: 409,
  ReplicatedWriteConflictException: 409,
  TransactionConflictException: 409,
  AccessDeniedException: 403,
  ServiceUnavailable: 503,
  ThrottlingException: 503,
  ProvisionedThroughputExceededException: 503,
  RequestLimitExceeded: 503,
};

/** Error codes of a connection that never reached, or lost, the data node. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Turns what the AWS SDK threw for a data-node call into the app's answer. Never leaks a stack. */
export function appErrorFromDataError(error: unknown): AppRequestError {
  if (error instanceof AppRequestError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : name;
  if (shape.$metadata?.httpStatusCode !== undefined) {
    return new AppRequestError(STATUS_OF_AWS_ERROR[name] ?? 502, name, message);
  }
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AppRequestError(504, 'DataNodeTimeout', 'the regional data node did not answer in time');
  }
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new AppRequestError(502, 'DataNodeUnreachable', `the regional data node cannot be reached (${code})`);
  }
  return new AppRequestError(502, name, message);
}
