/**
 * A viewer's request body, read whole up to a bound: the origin group may send it more than once (a
 * repeated attempt, the secondary), so it cannot be streamed through.
 */
import type { IncomingMessage } from 'node:http';

export type RequestBody = { readonly kind: 'body'; readonly body: Buffer | undefined } | { readonly kind: 'too-large' } | { readonly kind: 'aborted' };

export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: RequestBody): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAborted);
      request.off('close', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        // Stop reading: the connection is closed after the 413.
        request.pause();
        finish({ kind: 'too-large' });
      } else chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'body', body: received === 0 ? undefined : Buffer.concat(chunks, received) });
    const onAborted = (): void => finish({ kind: 'aborted' });
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onAborted);
    request.once('close', onAborted);
  });
}
