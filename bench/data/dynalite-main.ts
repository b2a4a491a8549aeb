/**
 * Runs dynalite (the peer of Meridian's data node) in its own process for the benchmark:
 *
 *   node --import tsx bench/data/dynalite-main.ts [--path <leveldb dir>]
 *
 * Without --path dynalite keeps items in memory; with it, in LevelDB on disk. Tables are ACTIVE at
 * once (createTableMs 0) so that the benchmark need not wait. Prints `{"url":…}` when listening.
 */
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';

const { values } = parseArgs({ options: { path: { type: 'string' } } });
const server = (dynalite as unknown as (options: object) => Server)({ createTableMs: 0, deleteTableMs: 0, ...(values.path === undefined ? {} : { path: values.path }) });
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, port, pid: process.pid })}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
