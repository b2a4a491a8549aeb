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
    readBody(request, options.requestBytesMax).then(
      (body) =>
        dispatch(request, body, options).then(
          (result) => send(response, requestId, 200, result),
          (error) => sendError(response, requestId, error, options),
        ),
      (error) => sendError(response, requestId, error, options, true),
    );
  };
}

async function dispatch(request: IncomingMessage, body: string, options: DynamoDbShellOptions): Promise<object> {
  const target = request.headers['x-amz-target'];
  const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = operationName === undefined || request.method !== 'POST' ? undefined : OPERATIONS.get(operationName);
  if (operation === undefined) throw new UnknownOperationError(typeof target === 'string' ? target : undefined);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new SerializationError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  return operation.run(parseRequest(operation.schema, parsed), options.context);
}

/** Collects the body, refusing it as soon as it is known to be too large (from Content-Length or as it streams). */
function readBody(request: IncomingMessage, bytesMax: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > bytesMax) {
      reject(new RequestTooLargeError(declared, bytesMax));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > bytesMax) {
        request.removeAllListeners('data');
        reject(new RequestTooLargeError(received, bytesMax));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
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
  // A body left unread would be parsed as the next request on a kept-alive connection.
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
