import type { Command } from 'commander';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import { startControlServer } from '../lab/supervisor/control-server.ts';
import { startLab, tableOf } from '../lab/supervisor/lab.ts';
import { startControlApi } from '../lab/wan/control-api.ts';
import { textTable } from '../report/text-table.ts';
import { EXIT_OK } from './cli-errors.ts';
import type { CommandContext } from './command-context.ts';
import { DEFAULT_SPEC_LABEL } from './default-spec.ts';
import { commandArchitecture, loadCommandSpec } from './load-command-spec.ts';

/** Where `meridian up` records the running lab, so that `meridian region` finds its control API. */
export const LAB_STATE_FILE = join('.meridian', 'lab', 'current.json');

interface UpOptions {
  architecture?: string;
  dataDir?: string;
}

export function registerUp(program: Command, context: CommandContext): void {
  program
    .command('up')
    .description('run the system live on this machine: one process per region with its data node, and a control API; Ctrl-C stops everything')
    .argument('[spec]', `the spec (default: ${DEFAULT_SPEC_LABEL})`)
    .option('--architecture <name>', 'candidate of `meridian advise` to run (default: the one the spec describes)')
    .option('--data-dir <dir>', 'where the regions keep their data (default: .meridian/lab/<spec name>)')
    .action(async (file: string | undefined, options: UpOptions) => {
      const { spec, label } = await loadCommandSpec(context, file);
      const architecture = commandArchitecture(spec, options.architecture);
      const dataDir = resolve(options.dataDir ?? join('.meridian', 'lab', spec.name));
      context.err(`meridian up: starting ${architecture.title} in ${dataDir}\n`);
      // Ctrl-C is taken over before anything starts, so that no signal can catch a half-started lab.
      const stopRequested = new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      const lab = await startLab(spec, architecture, { dataDir, log: (line) => context.err(`${pc.dim(line)}\n`) });
      const control = await startControlServer(lab);
      const wanControl = await startControlApi({ registry: lab.wan.registry });
      mkdirSync(join('.meridian', 'lab'), { recursive: true });
      writeFileSync(LAB_STATE_FILE, JSON.stringify({ controlUrl: control.url, wanControlUrl: wanControl.url, pid: process.pid, spec: label, dataDir }, null, 2));
      for (const process_ of lab.regions.values()) {
        process_.onUnexpectedExit = (region, code, signal) => context.err(pc.red(`region ${region} exited (${signal ?? code}); restart it with: meridian region restart ${region}\n`));
      }
      const rows = lab.endpoints().map((endpoint) => [endpoint.region, `http://127.0.0.1:${endpoint.dataPort}`, String(endpoint.pid), lab.architecture.placements.filter((p) => p.replicas.includes(endpoint.region)).map((p) => p.dataClass).join(', ')]);
      context.out(`${textTable(['region', 'DynamoDB endpoint', 'pid', 'tables'], rows, { align: ['left', 'left', 'right', 'left'] })}\n`);
      const tables = lab.architecture.placements.map((placement) => {
        const table = tableOf(placement);
        const roles = table.replicas.map((region) => (region === table.primaryRegion ? `${region} (writer)` : region === table.witness ? `${region} (witness)` : region));
        return [placement.dataClass, table.replication, roles.join(', '), placement.residencyZone ?? '-'];
      });
      context.out(`\n${textTable(['table', 'replication', 'regions', 'residency'], tables, { align: ['left', 'left', 'left', 'left'] })}\n`);
      const links = lab.wan.registry.list().map((link) => [link.name, `127.0.0.1:${link.address.port}`, `${link.describe().roundTripMs.toFixed(1)} ms`]);
      context.out(`\n${textTable(['WAN link', 'listens on', 'round trip'], links, { align: ['left', 'left', 'right'] })}\n\n`);
      context.out(`control API: ${control.url} (GET /regions, POST /regions/{region}/restart, POST /regions/{region}/kill, GET /tables/{table}, POST /tables/{table}/switchover, POST /tables/{table}/failover)\n`);
      context.out(`WAN control API: ${wanControl.url} (Toxiproxy-style: GET /proxies, POST /proxies/{link}/toxics, POST /reset)\n`);
      context.out('Ctrl-C stops every process.\n');
      await stopRequested;
      context.err('meridian up: stopping\n');
      await control.close();
      await wanControl.close();
      await lab.stop();
      rmSync(LAB_STATE_FILE, { force: true });
      context.setExitCode(EXIT_OK);
    });
}
