import type { Command } from 'commander';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pc from 'picocolors';
import { startControlServer } from '../lab/supervisor/control-server.ts';
import { startLab, tableOf, type Lab } from '../lab/supervisor/lab.ts';
import { TrafficPlane } from '../lab/supervisor/traffic-plane.ts';
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
      const specPath = file === undefined ? undefined : resolve(file);
      const traffic = new TrafficPlane(lab, { specDirectory: specPath === undefined ? process.cwd() : dirname(specPath), log: (line) => context.err(`${pc.dim(line)}\n`) });
      try {
        await traffic.start();
      } catch (error) {
        await traffic.stop();
        await lab.stop();
        throw error;
      }
      const control = await startControlServer(lab, 0, traffic);
      const wanControl = await startControlApi({ registry: lab.wan.registry });
      mkdirSync(join('.meridian', 'lab'), { recursive: true });
      const state = { controlUrl: control.url, wanControlUrl: wanControl.url, pid: process.pid, spec: label, specPath, architecture: architecture.kind, dataDir, load: traffic.loadTargets() };
      writeFileSync(LAB_STATE_FILE, JSON.stringify(state, null, 2));
      for (const process_ of lab.regions.values()) {
        process_.onUnexpectedExit = (region, code, signal) => context.err(pc.red(`region ${region} exited (${signal ?? code}); restart it with: meridian region restart ${region}\n`));
      }
      context.out(describeLab(lab, traffic, control.url, wanControl.url));
      await stopRequested;
      context.err('meridian up: stopping\n');
      await control.close();
      await wanControl.close();
      await traffic.stop();
      await lab.stop();
      rmSync(LAB_STATE_FILE, { force: true });
      context.setExitCode(EXIT_OK);
    });
}

/** Every address of the running lab: regions, apps, tables, population places and their DNS answers, links, APIs. */
function describeLab(lab: Lab, traffic: TrafficPlane, controlUrl: string, wanControlUrl: string): string {
  const lines: string[] = [];
  const regionRows = lab.endpoints().map((endpoint) => {
    const app = traffic.apps.get(endpoint.region);
    const tables = lab.architecture.placements.filter((placement) => placement.replicas.includes(endpoint.region)).map((placement) => placement.dataClass);
    return [endpoint.region, app?.url ?? '-', String(app?.pid ?? '-'), `http://127.0.0.1:${endpoint.dataPort}`, String(endpoint.pid), tables.join(', ')];
  });
  lines.push(textTable(['region', 'app (ingress)', 'app pid', 'DynamoDB endpoint', 'pid', 'tables'], regionRows, { align: ['left', 'left', 'right', 'left', 'right', 'left'] }));
  const tableRows = lab.architecture.placements.map((placement) => {
    const table = tableOf(placement);
    const roles = table.replicas.map((region) => (region === table.primaryRegion ? `${region} (writer)` : region === table.witness ? `${region} (witness)` : region));
    return [placement.dataClass, table.replication, roles.join(', '), placement.residencyZone ?? '-'];
  });
  lines.push('', textTable(['table', 'replication', 'regions', 'residency'], tableRows, { align: ['left', 'left', 'left', 'left'] }));
  const dns = traffic.dns!;
  const placeRows = traffic.places.map((place) => {
    const decision = traffic.router!.decide({ name: `api.${lab.spec.domain}`, type: 'A', clientSubnet: { address: place.subnet.split('/')[0]!, sourcePrefixLength: 24 }, sourceAddress: '127.0.0.1' });
    const answer = decision.kind === 'answer' ? decision.addresses.map((address) => `${address} (${[...lab.regions.keys()][Number(address.split('.')[2]) - 1]})`).join(', ') : decision.kind;
    return [place.name, place.subnet, answer];
  });
  lines.push('', textTable(['population place', 'client subnet', 'DNS answer now'], placeRows, { align: ['left', 'left', 'left'] }));
  const edge = traffic.loadTargets().edge;
  if (edge) {
    const edgeRows = Object.entries(edge.listeners).map(([place, address]) => [place, `${edge.kind === 'cdn' ? 'http://' : ''}${address.host}:${address.port}`]);
    lines.push('', textTable(['population place', edge.kind === 'cdn' ? 'CDN edge' : 'accelerator listener'], edgeRows, { align: ['left', 'left'] }));
  }
  const firstPlace = traffic.places[0];
  lines.push(
    '',
    `DNS router: ${dns.host}:${dns.port} (UDP and TCP), authoritative for ${lab.spec.domain}`,
    firstPlace ? `  dig @${dns.host} -p ${dns.port} api.${lab.spec.domain} +subnet=${firstPlace.subnet}` : '',
    `WAN links: ${lab.wan.registry.list().length} (region to region for replication and data, each population place to each region, the health checkers to each region); list them with GET ${wanControlUrl}/proxies`,
    `control API: ${controlUrl} (GET /regions, GET /health, POST /regions/{region}/kill|restart, POST /regions/{region}/app/kill|restart, GET /tables/{table}, POST /tables/{table}/switchover|failover)`,
    `WAN control API: ${wanControlUrl} (Toxiproxy-style: GET /proxies, POST /proxies/{link}/toxics, POST /reset)`,
    'Send traffic with: meridian load --duration 60s. Ctrl-C stops every process.',
    '',
  );
  return lines.join('\n');
}
