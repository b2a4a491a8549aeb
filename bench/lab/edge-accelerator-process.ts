/**
 * The accelerator edge in a process of its own, as the lab runs it, for edge-throughput.ts: one
 * listener whose every flow goes to `--target-port`. Prints `{"port":…,"pid":…}` on one line once it
 * listens; exits when its stdin closes (the benchmark ended or died) or on SIGTERM.
 *
 *   node --import tsx bench/lab/edge-accelerator-process.ts --target-port 8080 [--port 0]
 */
import { parseArgs } from 'node:util';
import { startAcceleratorEdge } from '../../src/lab/edge/accelerator-edge.ts';

const { values } = parseArgs({ options: { 'target-port': { type: 'string' }, port: { type: 'string', default: '0' } } });
const targetPort = Number(values['target-port']);
const edge = await startAcceleratorEdge({
  listeners: [{ population: 'bench', port: Number(values.port) }],
  route: () => ({ region: 'backend', host: '127.0.0.1', port: targetPort }),
  maxConnectionsPerListener: 4096,
});
process.stdout.write(`${JSON.stringify({ port: edge.address('bench').port, pid: process.pid })}\n`);
const stop = (): void => {
  void edge.close().then(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
