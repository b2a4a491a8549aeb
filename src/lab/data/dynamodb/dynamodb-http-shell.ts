import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  InternalServerError,
  RequestTooLargeError,
  SerializationError,
  UnknownOperationError,
  awsErrorNamespace,
  isAwsShapedError,
  type AwsShapedError,
} from './dynamodb-errors.ts';
import type { OperationContext } from './operation.ts';
import { OPERATIONS } from './operations/index.ts';
import { parseRequest } from './request-schema.ts';

/**
 * The DynamoDB JSON protocol over HTTP/1.1, as a thin shell: read the body within a size limit, parse
 * JSON, find the operation named by `X-Amz-Target: DynamoDB_20120810.<Operation>`, check the request
 * against the operation's schema, run it, and turn its result or typed error into the wire answer.
 * Any SigV4 credentials are accepted; signatures are not checked (a lab has no secrets to protect).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 */
export interface DynamoDbShellOptions {
  readonly context: OperationContext;
  /** Largest request body accepted; DynamoDB's own limit is 16 MB (BatchWriteItem). */
  readonly requestBytesMax: number;
  /** Told about every error that is a bug of ours (answered 500). */
  readonly onInternalError: (error: unknown) => void;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

export function createDynamoDbHandler(options: DynamoDbShellOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const requestIds = new RequestIds();
  return (request, response) => {
    const requestId = requestIds.next();
    if (request.method === 'GET' && request.url === '/') {
      // The health answer DynamoDB endpoints give to a plain GET, handy for health checks.
      response.writeHead(200, { 'Content-Type': 'text/plain', 'x-amzn-RequestId': requestId });
      response.end(`healthy: dynamodb.${options.context.region}.amazonaws.com `);
      return;
    }
    new Exchange(request, response, requestId, options).start();
  };
}

/**
 * One request and its answer. A class with bound methods rather than closures: this runs for every
 * request, and under tsx (esbuild's keepNames) every named closure costs a defineProperty when made.
 */
class Exchange {
  readonly #request: IncomingMessage;
  readonly #response: ServerResponse;
  readonly #requestId: string;
  readonly #options: DynamoDbShellOptions;
  readonly #chunks: Buffer[] = [];
  #received = 0;
  #target: string | undefined;
  readonly #onData = this.#receive.bind(this);
  readonly #onEnd = this.#dispatch.bind(this);

  constructor(request: IncomingMessage, response: ServerResponse, requestId: string, options: DynamoDbShellOptions) {
    this.#request = request;
    this.#response = response;
    this.#requestId = requestId;
    this.#options = options;
  }

  start(): void {
    const headers = wantedHeaders(this.#request.rawHeaders);
    this.#target = this.#request.method === 'POST' ? headers.target : undefined;
    if (headers.contentLength > this.#options.requestBytesMax) {
      this.#refuse(headers.contentLength);
      return;
    }
    this.#request.on('data', this.#onData);
    this.#request.on('end', this.#onEnd);
  }

  #receive(chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#received <= this.#options.requestBytesMax) {
      this.#chunks.push(chunk);
      return;
    }
    this.#request.off('data', this.#onData);
    this.#request.off('end', this.#onEnd);
    this.#refuse(this.#received);
  }

  #refuse(bytes: number): void {
    // The unread rest of the body would be taken for the next request: the connection closes.
    sendError(this.#response, this.#requestId, new RequestTooLargeError(bytes, this.#options.requestBytesMax), this.#options, true);
  }

  #dispatch(): void {
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    let pending: Promise<object>;
    try {
      pending = dispatch(this.#target, body, this.#options);
    } catch (error) {
      this.#fail(error);
      return;
    }
    pending.then(this.#succeed.bind(this), this.#fail.bind(this));
  }

  #succeed(result: object): void {
    send(this.#response, this.#requestId, 200, result);
  }

  #fail(error: unknown): void {
    sendError(this.#response, this.#requestId, error, this.#options);
  }
}

/**
 * The two request headers the shell reads, straight from the raw list: building Node's lower-cased
 * header object costs more than the whole lookup.
 */
function wantedHeaders(rawHeaders: readonly string[]): { target: string | undefined; contentLength: number } {
  let target: string | undefined;
  let contentLength = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === 12 && name.toLowerCase() === 'x-amz-target') target = rawHeaders[index + 1];
    else if (name.length === 14 && name.toLowerCase() === 'content-length') contentLength = Number(rawHeaders[index + 1]);
  }
  return { target, contentLength };
}

/** Finds and runs the operation; request errors throw synchronously, the operation's own errors reject. */
function dispatch(target: string | undefined, body: string, options: DynamoDbShellOptions): Promise<object> {
  const operationName = target !== undefined && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = operationName === undefined ? undefined : OPERATIONS.get(operationName);
  if (operation === undefined) throw new UnknownOperationError(target);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new SerializationError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  return operation.run(parseRequest(operation.schema, parsed), options.context);
}

function send(response: ServerResponse, requestId: string, status: number, body: object, closeConnection = false): void {
  const text = JSON.stringify(body);
  // A flat header list: node writes it without building a header object per response.
  const headers = ['Content-Type', CONTENT_TYPE, 'Content-Length', String(Buffer.byteLength(text, 'utf8')), 'x-amzn-RequestId', requestId];
  if (closeConnection) headers.push('Connection', 'close');
  response.writeHead(status, headers);
  response.end(text);
}

function sendError(response: ServerResponse, requestId: string, error: unknown, options: DynamoDbShellOptions, closeConnection = false): void {
  let shaped: AwsShapedError;
  if (isAwsShapedError(error)) {
    shaped = error;
  } else {
    options.onInternalError(error);
    shaped = new InternalServerError();
  }
  const body = { __type: `${awsErrorNamespace(shaped.awsType)}#${shaped.awsType}`, message: shaped.message, ...shaped.wireFields };
  send(response, requestId, shaped.httpStatus, body, closeConnection);
}

/** DynamoDB-like request ids (52 upper-case characters) from a random prefix and a counter: unique per node, cheap per request. */
class RequestIds {
  readonly #prefix = randomBytes(21).toString('hex').toUpperCase();
  #counter = 0;

  next(): string {
    this.#counter = (this.#counter + 1) % 1e10;
    return this.#prefix + String(this.#counter).padStart(10, '0');
  }
}
