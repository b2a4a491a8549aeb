import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLab } from '../../src/lab/supervisor/lab.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

async function listTables(port: number): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
    body: '{}',
  });
  return ((await response.json()) as { TableNames: string[] }).TableNames;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie (this container's init does not reap orphans, so a dead child may linger as one). */
function aliveNotZombie(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a lab runs one process per region with its tables; a killed region restarts on its data', async () => {
  const { spec } = await loadSpec('examples/eu-saas.yaml');
  const architecture = chooseArchitecture(spec, 'partitioned-active-active');
  const lab = await startLab(spec, architecture, { dataDir: mkdtempSync(join(tmpdir(), 'meridian-lab-')), log: () => {} });
  try {
    const endpoints = lab.endpoints();
    assert.deepEqual(endpoints.map((e) => e.region).sort(), ['eu-central-1', 'eu-west-1', 'us-east-1']);
    for (const endpoint of endpoints) {
      const tables = await listTables(endpoint.dataPort);
      // Residency: the EU health records have no table outside the EU zone.
      if (endpoint.region === 'us-east-1') assert.deepEqual(tables, ['catalog']);
      else assert.deepEqual(tables.sort(), ['catalog', 'health-records']);
    }
    const victim = endpoints.find((e) => e.region === 'eu-west-1')!;
    lab.killRegion('eu-west-1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(alive(victim.pid), false, 'kill is a SIGKILL');
    const restarted = await lab.restartRegion('eu-west-1');
    assert.notEqual(restarted.pid, victim.pid);
    assert.deepEqual((await listTables(restarted.dataPort)).sort(), ['catalog', 'health-records']);
  } finally {
    const pids = lab.endpoints().map((e) => e.pid);
    await lab.stop();
    for (const pid of pids) assert.equal(alive(pid), false, `region process ${pid} left behind`);
  }
});

test('meridian up prints every endpoint and stops every process on Ctrl-C (SIGINT)', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'meridian-up-'));
  const binary = join(process.cwd(), 'bin', 'meridian.js');
  // Without the test runner's own variables, the child is a plain user process.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [binary, 'up', join(process.cwd(), 'examples', 'ledger.yaml')], { cwd, env });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => (stdout += text));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    child.stdout.on('data', () => {
      if (stdout.includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  assert.ok(ready, `meridian up did not come up: ${stdout}`);
  const pids = [...stdout.matchAll(/http:\/\/127\.0\.0\.1:\d+\s+(\d+)/g)].map((match) => Number(match[1]));
  assert.equal(pids.length, 3, stdout);
  const appPids = [...stdout.matchAll(/http:\/\/127\.0\.[1-9]\d*\.1:\d+\s+(\d+)/g)].map((match) => Number(match[1]));
  assert.equal(appPids.length, 3, `an app per region: ${stdout}`);
  assert.match(stdout, /DNS router: 127\.0\.0\.1:\d+/);
  assert.match(stdout, /control API: http:\/\/127\.0\.0\.1:\d+/);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal as unknown as number)));
    child.kill('SIGINT');
  });
  assert.equal(exitCode, 0);
  for (const pid of pids) assert.equal(alive(pid), false, `region process ${pid} left behind`);
  for (const pid of appPids) assert.equal(aliveNotZombie(pid), false, `app process ${pid} left behind`);
});
