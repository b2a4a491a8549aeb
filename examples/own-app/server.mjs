// A service of your own, run by the lab in every region and driven by `meridian load`: it implements
// the app contract (src/lab/app/README.md) with nothing but Node itself. It talks to its region's data node through the
// DynamoDB JSON protocol with plain fetch — an X-Amz-Target header and a JSON body — to show that no
// SDK and no Meridian code is needed. (Against real AWS you would use an SDK: requests must be signed.)
//
// Run by the lab as `node server.mjs` in this directory, with PORT, HOST, MERIDIAN_REGION,
// AWS_ENDPOINT_URL_DYNAMODB, MERIDIAN_HEALTH_PATH and MERIDIAN_DATA_CLASSES in its environment.
import { createServer } from 'node:http';

const region = process.env.MERIDIAN_REGION ?? process.env.AWS_REGION ?? 'local';
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const dataEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
const healthPath = process.env.MERIDIAN_HEALTH_PATH ?? '/health';
/** [{ name, consistentReads }]: the data classes whose tables exist in this region. */
const dataClasses = new Map(JSON.parse(process.env.MERIDIAN_DATA_CLASSES ?? '[]').map((dataClass) => [dataClass.name, dataClass]));

const BODY_BYTES_MAX = 64 * 1024;
const HEALTH_TIMEOUT_MS = 1000;
const DATA_TIMEOUT_MS = 5000;

if (!dataEndpoint) {
  console.error('AWS_ENDPOINT_URL_DYNAMODB is not set');
  process.exit(1);
}

class HttpError extends Error {
  constructor(status, error, message) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

/** One DynamoDB call over its JSON protocol; a refusal becomes an HttpError named after the AWS error. */
async function dynamodb(operation, body, timeoutMs = DATA_TIMEOUT_MS, endpoint = dataEndpoint) {
  let response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error.name === 'TimeoutError') throw new HttpError(504, 'DataNodeTimeout', 'the regional data node did not answer in time');
    throw new HttpError(502, 'DataNodeUnreachable', 'the regional data node cannot be reached');
  }
  const answer = await response.json().catch(() => ({}));
  if (response.ok) return answer;
  // `__type` is "namespace#Name"; the name is what counts.
  const name = String(answer.__type ?? 'UnknownError').split('#').pop();
  throw new HttpError(statusOf(name), name, answer.message ?? answer.Message ?? name);
}

/** The contract's mapping of data-node refusals to HTTP statuses. */
function statusOf(awsErrorName) {
  if (['NotPrimaryException', 'ConditionalCheckFailedException', 'ReplicatedWriteConflictException'].includes(awsErrorName)) return 409;
  if (awsErrorName === 'AccessDeniedException') return 403;
  if (['ServiceUnavailable', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'].includes(awsErrorName)) return 503;
  return 502;
}

function dataClassOf(name) {
  const dataClass = dataClasses.get(name);
  if (!dataClass) throw new HttpError(404, 'UnknownDataClass', `no data class '${name}' in this region (data classes here: ${[...dataClasses.keys()].join(', ') || 'none'})`);
  return dataClass;
}

async function health() {
  const [first] = dataClasses.keys();
  try {
    if (first) await dynamodb('DescribeTable', { TableName: first }, HEALTH_TIMEOUT_MS);
    else await dynamodb('ListTables', { Limit: 1 }, HEALTH_TIMEOUT_MS);
    return [200, { region, status: 'ok' }];
  } catch (error) {
    return [503, { region, status: 'unavailable', error: error.error, message: error.message }];
  }
}

function browse() {
  const products = ['Lantern', 'Notebook', 'Scarf', 'Bottle'].map((name, index) => ({ id: `p${index + 1}`, name, priceCents: 900 + index * 350 }));
  return [200, { region, page: 1, pageCount: 1, products }];
}

async function readItem(className, key) {
  const dataClass = dataClassOf(className);
  // A class with no replica in this region is read where the lab says (another region, through its link);
  // when that replica cannot be reached, the next one (nearest first).
  const first = dataClass.endpointUrl ?? dataEndpoint;
  const endpoints = [first, ...(dataClass.fallbackEndpointUrls ?? []).filter((url) => url !== first)];
  let answer;
  for (const [index, endpoint] of endpoints.entries()) {
    try {
      answer = await dynamodb('GetItem', { TableName: dataClass.name, Key: { pk: { S: key }, sk: { S: 'item' } }, ConsistentRead: dataClass.consistentReads }, DATA_TIMEOUT_MS, endpoint);
      break;
    } catch (error) {
      const unreachable = error.error === 'DataNodeUnreachable' || error.error === 'DataNodeTimeout';
      if (!unreachable || index === endpoints.length - 1) throw error;
    }
  }
  return [200, { key, value: answer.Item?.value?.S ?? null, found: answer.Item !== undefined }];
}

async function writeItem(className, key, body) {
  const dataClass = dataClassOf(className);
  if (typeof body?.value !== 'string') throw new HttpError(400, 'BadRequest', 'the body must be a JSON object with a string member "value"');
  // A single-writer class is written at its writer region.
  const item = { TableName: dataClass.name, Item: { pk: { S: key }, sk: { S: 'item' }, value: { S: body.value } } };
  try {
    await dynamodb('PutItem', item, DATA_TIMEOUT_MS, dataClass.writeEndpointUrl ?? dataClass.endpointUrl ?? dataEndpoint);
  } catch (error) {
    // After a failover the writer moved: the refusal names it, and the lab gave every replica's endpoint.
    const writer = error.error === 'NotPrimaryException' ? /the writer is ([a-z0-9-]+)/.exec(error.message)?.[1] : undefined;
    const writerEndpoint = writer === undefined ? undefined : dataClass.endpoints?.[writer];
    if (!writerEndpoint) throw error;
    await dynamodb('PutItem', item, DATA_TIMEOUT_MS, writerEndpoint);
  }
  return [200, { key, value: body.value }];
}

async function readJson(request) {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > BODY_BYTES_MAX) throw new HttpError(413, 'PayloadTooLarge', `request bodies are at most ${BODY_BYTES_MAX} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BadRequest', 'the body is not JSON');
  }
}

async function route(request) {
  const { pathname } = new URL(request.url, 'http://app.invalid');
  if (request.method === 'GET' && pathname === healthPath) return health();
  if (request.method === 'GET' && pathname === '/browse') return browse();
  const item = /^\/data\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (item) {
    const [className, key] = [decodeURIComponent(item[1]), decodeURIComponent(item[2])];
    if (request.method === 'GET') return readItem(className, key);
    if (request.method === 'PUT') return writeItem(className, key, await readJson(request));
    throw new HttpError(405, 'MethodNotAllowed', `${request.method} is not allowed on ${pathname}`);
  }
  throw new HttpError(404, 'NotFound', `no route for ${pathname}`);
}

const server = createServer(async (request, response) => {
  let status, body;
  try {
    [status, body] = await route(request);
  } catch (error) {
    if (error instanceof HttpError) [status, body] = [error.status, { error: error.error, message: error.message }];
    else if (error instanceof URIError) [status, body] = [400, { error: 'BadRequest', message: 'malformed path' }];
    else {
      console.error(error);
      [status, body] = [500, { error: 'InternalError', message: 'internal error' }];
    }
  }
  const text = JSON.stringify(body);
  // Every answer says where it was served.
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-meridian-region': region });
  response.end(text);
});

server.listen(port, host, () => console.log(`listening on http://${host}:${port}`));

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
