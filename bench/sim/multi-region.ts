/**
 * Simulated requests and events per second of wall time, on three regions active-active at 5,000
 * requests per second (bench/sim/three-regions.yaml), with the region-outage experiment's fault.
 *
 *   node --import tsx bench/sim/multi-region.ts [--duration 10m] [--seed 1]
 *
 * Goal: at least 250,000 simulated requests per second (one simulated hour in about 72 s).
 */
import { fileURLToPath } from 'node:url';
import { parseDurationMs } from '../../src/experiments/duration.ts';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { chooseArchitecture, simulate } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

const GOAL_REQUESTS_PER_SECOND = 250_000;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const durationMs = parseDurationMs(option('duration', '10m'));
const seed = Number(option('seed', '1'));
const specPath = fileURLToPath(new URL('three-regions.yaml', import.meta.url));
const { spec } = await loadSpec(specPath);
const outage = await loadExperiment(fileURLToPath(new URL('../../experiments/region-outage.yaml', import.meta.url)), spec);
const experiment = { ...outage, durationMs, faults: outage.faults.filter((f) => f.startMs < durationMs).map((f) => ({ ...f, endMs: Math.min(f.endMs, durationMs) })) };
const architecture = chooseArchitecture(spec, 'active-active');

let events = 0;
const started = performance.now();
const report = simulate(spec, architecture, experiment, { specLabel: specPath, experimentLabel: 'region-outage', seed, onProgress: (p) => (events = p.events) });
const wallSeconds = (performance.now() - started) / 1000;
const requestsPerSecond = report.requests.total / wallSeconds;
const rows = [
  ['scenario', `3 regions active-active, 5,000 req/s, ${durationMs / 60_000} simulated minutes, region outage`],
  ['requests simulated', report.requests.total.toLocaleString('en-US')],
  ['events delivered', events.toLocaleString('en-US')],
  ['wall time', `${wallSeconds.toFixed(1)} s`],
  ['simulated requests / s', Math.round(requestsPerSecond).toLocaleString('en-US')],
  ['events / s', Math.round(events / wallSeconds).toLocaleString('en-US')],
  ['one simulated hour would take', `${((3600 * 5000) / requestsPerSecond).toFixed(0)} s`],
  ['goal', `${GOAL_REQUESTS_PER_SECOND.toLocaleString('en-US')} requests / s: ${requestsPerSecond >= GOAL_REQUESTS_PER_SECOND ? 'met' : 'not met'} (${(requestsPerSecond / GOAL_REQUESTS_PER_SECOND).toFixed(2)}×)`],
];
const width = Math.max(...rows.map(([label]) => label!.length));
for (const [label, value] of rows) console.log(`${label!.padEnd(width)}  ${value}`);
