/**
 * Runs one data node as its own process, for the lab supervisor and for tests that must kill a node
 * (`kill -9`) and start it again on the same file:
 *
 *   node --import tsx src/lab/data/data-node-main.ts --db <file> [--region us-east-1] [--host 127.0.0.1] [--port 0]
 *
 * When it listens it prints one JSON line on stdout, `{"url":"http://127.0.0.1:PORT","port":PORT,"pid":N}`,
 * and it closes cleanly on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startDataNode } from './data-node-server.ts';

const EXIT_BAD_USAGE = 2;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      region: { type: 'string', default: 'us-east-1' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
    },
  });
  const port = Number(values.port);
  if (values.db === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('usage: data-node-main.ts --db <file> [--region R] [--host H] [--port 0-65535]\n');
    process.exit(EXIT_BAD_USAGE);
  }
  const node = await startDataNode({ dbPath: values.db, region: values.region, host: values.host, port });
  process.stdout.write(`${JSON.stringify({ url: node.url, port: node.port, pid: process.pid })}\n`);
  const stop = (): void => {
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`data node failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
