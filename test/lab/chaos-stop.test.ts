/**
 * A chaos run that must end early or is interrupted: a stop condition that fires ends the experiment at
 * once, lifts every fault (links and processes) before the report; Ctrl-C during `meridian chaos run`
 * lifts the faults, stops the lab and leaves no process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { runLabChaos } from '../../src/lab/chaos/chaos-run.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

/** examples/fast-failover.yaml with a 30 s TTL, so that North America's users fail long enough after an outage. */
function slowDnsSpec(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'meridian-stop-spec-')), 'spec.yaml');
  const text = readFileSync('examples/fast-failover.yaml', 'utf8');
  assert.match(text, /^  ttlSeconds: 2$/m);
  writeFileSync(path, text.replace(/^  ttlSeconds: 2$/m, '  ttlSeconds: 30'));
  return path;
}
const SPEC = slowDnsSpec();
const EXPERIMENT = `
name: stop-early
duration: 60s
faults:
  - { at: 4s, action: region-outage, region: primary, scope: app }
stop:
  - { when: availability-below, threshold: 0.95, for: 3s, population: north-america }
`;

test('a stop condition that fires ends the run early and lifts the fault', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-stop-'));
  writeFileSync(join(directory, 'experiment.yaml'), EXPERIMENT);
  const { spec } = await loadSpec(SPEC);
  const architecture = chooseArchitecture(spec, undefined);
  const experiment = await loadExperiment(join(directory, 'experiment.yaml'), spec);
  const startedMs = Date.now();
  const report = await runLabChaos(spec, architecture, experiment, { dataDir: join(directory, 'data'), specDirectory: directory, specLabel: 'fast', experimentLabel: 'stop-early', requestsPerSecond: 40, log: () => {} });
  assert.ok(report.meta.stoppedEarly, 'stopped early');
  assert.ok(report.meta.stoppedEarly.atSeconds < 20, `stopped at ${report.meta.stoppedEarly.atSeconds} s`);
  assert.match(report.meta.stoppedEarly.reason, /north-america/);
  assert.ok(Date.now() - startedMs < 50_000, 'the run did not go on to its 60 s');
  const events = report.timeline.map((event) => event.event);
  assert.ok(events.some((event) => event.startsWith('fault: ')), events.join('; '));
});

/** Descendants of a process, from /proc (ppid is the 4th field of /proc/PID/stat). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process is gone.
    }
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) found.push(child), visit(child);
  };
  visit(root);
  return found;
}

function running(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('Ctrl-C during meridian chaos run lifts the faults, stops the lab and leaves no process behind', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-interrupt-'));
  writeFileSync(join(directory, 'experiment.yaml'), EXPERIMENT.replace(/stop:[\s\S]*$/, ''));
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [resolve('bin/meridian.js'), 'chaos', 'run', join(directory, 'experiment.yaml'), SPEC, '--backend', 'lab', '--rate', '20'], { cwd: directory, env });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const running_ = new Promise<boolean>((done) => {
    const timer = setTimeout(() => done(false), 60_000);
    child.stderr.on('data', (text: string) => {
      stderr += text;
      if (stderr.includes('fault: ') || stderr.includes('of 60 s')) {
        clearTimeout(timer);
        done(true);
      }
    });
  });
  assert.ok(await running_, `the experiment did not start: ${stderr}`);
  await new Promise((done) => setTimeout(done, 4000));
  const tree = descendants(child.pid!);
  assert.ok(tree.length >= 3, `the lab's processes run under meridian: ${tree.length} processes`);
  const code = await new Promise<number | null>((done) => {
    child.once('exit', (exitCode) => done(exitCode));
    child.kill('SIGINT');
  });
  assert.match(stderr, /interrupted; lifting every fault and stopping the lab/);
  assert.notEqual(code, null);
  const left = tree.filter(running);
  assert.deepEqual(left, [], `processes left behind: ${left.join(', ')}`);
});
