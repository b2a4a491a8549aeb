import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AppDataClass } from '../../src/lab/app/app-environment.ts';
import { AppProcess, AppStartError, type AppProcessOptions } from '../../src/lab/app/app-process.ts';
import type { DataNode } from '../../src/lab/data/data-node-server.ts';
import { call, contractDataClasses, describeAppContract, startContractDataNode } from './app-contract.case.test.ts';

// AppProcess with the user's own command: examples/own-app/server.mjs — plain Node, no SDK, none of our
// code — passes the same contract suite as the sample shop. Then the life cycle: kill, an external kill,
// stop, restart and failed starts, checking that no process of the app's group is left behind.

const REGION = 'us-east-1';
const OWN_APP_DIR = fileURLToPath(new URL('../../examples/own-app/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'meridian-app-process-'));
const dataClasses: AppDataClass[] = contractDataClasses([
  { name: 'notes', consistentReads: false },
  { name: 'accounts', consistentReads: true },
]);
/** The data node of the life-cycle cases; the own-app suite has its own, which its last case stops. */
let node: DataNode;
const started: AppProcess[] = [];

/** Small apps for the life-cycle cases, run by `node FILE` in the scratch directory. */
const FIXTURES: Readonly<Record<string, string>> = {
  // Answers 503 on every path: never healthy.
  'never-healthy.mjs': `import { createServer } from 'node:http';
createServer((request, response) => { response.statusCode = 503; response.end('{}'); }).listen(Number(process.env.PORT), process.env.HOST);`,
  // Fails at once, explaining why on stderr.
  'crash.mjs': `console.error('cannot open configuration file app.conf'); process.exit(3);`,
  // Healthy, but ignores SIGTERM: only SIGKILL ends it.
  'stubborn.mjs': `import { createServer } from 'node:http';
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
createServer((request, response) => response.end('{}')).listen(Number(process.env.PORT), process.env.HOST);`,
};

before(async () => {
  for (const [file, text] of Object.entries(FIXTURES)) writeFileSync(join(scratch, file), text);
  node = await startContractDataNode(join(scratch, 'app.db'), REGION, dataClasses);
});

after(async () => {
  for (const app of started) await app.stop();
  await node.close();
  rmSync(scratch, { recursive: true, force: true });
});

function appProcess(service: Partial<AppProcessOptions['service']>, options: Partial<AppProcessOptions> = {}, log: (line: string) => void = () => {}): AppProcess {
  const app = new AppProcess(
    {
      region: REGION,
      service: { name: 'api', app: undefined, command: undefined, healthPath: '/healthz', ...service },
      dataEndpointUrl: node.url,
      dataClasses,
      cwd: scratch,
      ...options,
    },
    log,
  );
  started.push(app);
  return app;
}

const sampleShop = () => appProcess({ app: 'sample-shop', healthPath: '/health' });

/** Live (not zombie) processes of a process group, read from /proc independently of the code under test. */
function liveGroupMembers(groupId: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === groupId && state !== 'Z' && state !== 'X';
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function refusesConnections(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
    return false;
  } catch {
    return true;
  }
}

/** Polls `predicate` until it holds or `timeoutMs` has passed; tells whether it held. */
async function eventually(predicate: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Resolves when the callback is called; fails after a generous bound so that a bug cannot hang the run. */
function nextCall<T extends unknown[]>(register: (callback: (...args: T) => void) => void, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not called within ${timeoutMs} ms`)), timeoutMs);
    register((...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

describe('the own-app example started through its command', () => {
  let app: AppProcess;
  let ownNode: DataNode;
  let ownNodeStopped = false;

  before(async () => {
    ownNode = await startContractDataNode(join(scratch, 'own-app.db'), REGION, dataClasses);
    app = appProcess({ command: 'node server.mjs' }, { cwd: OWN_APP_DIR, dataEndpointUrl: ownNode.url });
    const endpoint = await app.start();
    assert.equal(endpoint.port, app.port);
    assert.equal(endpoint.pid, app.pid);
  });

  test('is running in its own process group, led by the started process', () => {
    assert.equal(app.running, true);
    assert.ok(liveGroupMembers(app.pid!).includes(app.pid!));
  });

  describeAppContract(
    'examples/own-app/server.mjs (plain Node, no SDK)',
    () => ({ url: app.url!, region: REGION, healthPath: '/healthz', plainClasses: ['notes', 'accounts'] }),
    async () => {
      ownNodeStopped = true;
      await ownNode.close();
    },
  );

  test('stop leaves no process of the group behind and frees the port', async () => {
    const [pid, port] = [app.pid!, app.port!];
    await app.stop();
    assert.equal(app.running, false);
    assert.deepEqual(liveGroupMembers(pid), []);
    assert.equal(await refusesConnections(port), true);
  });

  after(async () => {
    if (!ownNodeStopped) await ownNode.close();
  });
});

for (const [kind, make] of [['the sample shop', sampleShop], ['a command', () => appProcess({ command: 'node stubborn.mjs', healthPath: '/' })]] as const) {
  describe(`kill and unexpected exit: ${kind}`, () => {
    test('kill() is requested: running false at once, group gone, onUnexpectedExit not called', async () => {
      const app = make();
      const unexpected: unknown[] = [];
      app.onUnexpectedExit = (...args) => unexpected.push(args);
      await app.start();
      const pid = app.pid!;
      const killed = app.kill();
      assert.equal(app.running, false);
      await killed;
      assert.deepEqual(liveGroupMembers(pid), []);
      assert.equal(await refusesConnections(app.port!), true);
      assert.deepEqual(unexpected, []);
    });

    test('an external SIGKILL of the pid calls onUnexpectedExit and takes the whole group down', async () => {
      const app = make();
      const exited = nextCall<[string, number | null, string | null]>((callback) => (app.onUnexpectedExit = callback));
      await app.start();
      const pid = app.pid!;
      process.kill(pid, 'SIGKILL');
      assert.deepEqual(await exited, [REGION, null, 'SIGKILL']);
      assert.equal(app.running, false);
      // A command's shell died first; the app it started goes with it, without being asked to stop.
      assert.equal(await eventually(() => liveGroupMembers(pid).length === 0), true, `left behind: ${liveGroupMembers(pid).join(', ')}`);
      assert.equal(await refusesConnections(app.port!), true);
    });
  });
}

describe('life cycle', () => {
  test('restart serves again on the same port with a new process', async () => {
    const app = sampleShop();
    const first = await app.start();
    const second = await app.restart();
    assert.equal(second.port, first.port);
    assert.notEqual(second.pid, first.pid);
    assert.deepEqual(liveGroupMembers(first.pid), []);
    assert.equal((await call(second.url, 'GET', '/health')).status, 200);
    await app.stop();
  });

  test('an app listens on the loopback address it is given, and only on loopback', async () => {
    const app = appProcess({ command: 'node stubborn.mjs', healthPath: '/' }, { host: '127.0.0.3' });
    const endpoint = await app.start();
    assert.equal(endpoint.url, `http://127.0.0.3:${endpoint.port}`);
    assert.equal((await fetch(`${endpoint.url}/`)).status, 200);
    await app.kill();
    assert.throws(() => appProcess({ command: 'node stubborn.mjs' }, { host: '0.0.0.0' }), /not a loopback address/);
  });

  test('an app that exits while starting fails with its exit and its last output lines', async () => {
    const app = appProcess({ command: 'node crash.mjs' });
    await assert.rejects(app.start(), (error: unknown) => {
      assert.ok(error instanceof AppStartError);
      assert.equal(error.code, 'APP_START_FAILED');
      assert.match(error.message, /exited with 3/);
      assert.match(error.message, /cannot open configuration file app\.conf/);
      return true;
    });
    assert.equal(app.running, false);
  });

  test('an app never healthy fails after the start timeout with the last answer; nothing is left behind', async () => {
    const app = appProcess({ command: 'node never-healthy.mjs' }, { startTimeoutMs: 1_500 });
    await assert.rejects(app.start(), /did not answer 200 within 1\.5 s \(last answer 503\)/);
    assert.deepEqual(liveGroupMembers(app.pid!), []);
  });

  test('with requireHealthy false, any answer of the health path counts as started', async () => {
    const app = appProcess({ command: 'node never-healthy.mjs' }, { requireHealthy: false });
    await app.start();
    assert.equal((await fetch(`${app.url}/healthz`)).status, 503);
    await app.stop();
  });

  test('an app that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const lines: string[] = [];
    const app = appProcess({ command: 'node stubborn.mjs', healthPath: '/' }, { stopGraceMs: 300 }, (line) => lines.push(line));
    await app.start();
    const pid = app.pid!;
    await app.stop();
    assert.deepEqual(liveGroupMembers(pid), []);
    assert.ok(lines.some((line) => line === `[${REGION} app] ignoring SIGTERM`), lines.join('\n'));
    assert.ok(lines.some((line) => /still running 300 ms after SIGTERM: SIGKILL/.test(line)), lines.join('\n'));
  });

  test('a command that cannot be launched (missing directory) fails with a clear error', async () => {
    const app = appProcess({ command: 'node server.mjs' }, { cwd: join(scratch, 'no-such-directory') });
    await assert.rejects(app.start(), (error: unknown) => error instanceof AppStartError && /working directory .*no-such-directory does not exist/.test(error.message));
    assert.equal(app.running, false);
  });

  test('a command the shell cannot find fails with the words of the shell', async () => {
    const app = appProcess({ command: 'meridian-no-such-program --serve' });
    await assert.rejects(app.start(), (error: unknown) => error instanceof AppStartError && /exited with 127/.test(error.message) && /meridian-no-such-program.*not found/.test(error.message));
  });
});
