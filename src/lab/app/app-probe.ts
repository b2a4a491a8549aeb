import { request } from 'node:http';
import { createServer } from 'node:net';

/** A port free on loopback right now: listen on 0, read the port, close. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One GET of `url` on a connection of its own (no pool, so that nothing lingers once the app stops).
 * Resolves with the status, or undefined when nothing answered within `timeoutMs`.
 */
export function probeStatus(url: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const outgoing = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
      response.once('error', () => resolve(response.statusCode));
    });
    outgoing.once('timeout', () => outgoing.destroy());
    outgoing.once('error', () => resolve(undefined));
    outgoing.end();
  });
}
