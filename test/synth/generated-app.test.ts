/**
 * The app `meridian synth` writes stands on its own: installed from npm in its own folder, it type-checks,
 * `npx cdk synth` (the real CDK CLI, no AWS account, no credentials) writes exactly the templates
 * `meridian synth` wrote, and cdk-nag runs there too: an unacknowledged finding fails its synthesis.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runMeridian } from '../cli/run-meridian.ts';

const scratch = mkdtempSync(join(tmpdir(), 'meridian-generated-app-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const appDir = join(scratch, 'global-shop-cdk');

/** Bounds on child processes, so a hung install fails this test instead of the run; never asserted on. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const SYNTH_TIMEOUT_MS = 5 * 60_000;

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** No AWS credentials, profile or metadata endpoint: synthesis must not need an account. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('CDK_') && name !== 'NODE_TEST_CONTEXT' && name !== 'NODE_OPTIONS') environment[name] = value;
  }
  return { ...environment, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true', NO_COLOR: '1' };
}

function run(command: string, args: readonly string[], timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd: appDir, env: offlineEnvironment(), timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const templatesIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.template.json')).sort();

describe('the generated CDK app, in its own folder', async () => {
  const synth = await runMeridian(['synth', 'examples/global-shop.yaml', '-o', appDir, '--no-progress']);
  const install = synth.code === 0 ? await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], INSTALL_TIMEOUT_MS) : undefined;

  it('installs from npm', () => {
    assert.equal(synth.code, 0, synth.stderr);
    assert.equal(install?.code, 0, install?.output);
  });

  it('type-checks with its own tsconfig', async () => {
    const typecheck = await run('npx', ['tsc', '--noEmit', '-p', '.'], SYNTH_TIMEOUT_MS);
    assert.equal(typecheck.code, 0, typecheck.output);
  });

  it('npx cdk synth writes the same templates as meridian synth, without an AWS account', async () => {
    const cdk = await run('npx', ['cdk', 'synth', '--no-notices', '-o', 'cdk.out.again'], SYNTH_TIMEOUT_MS);
    assert.equal(cdk.code, 0, cdk.output);
    assert.match(cdk.output, /Successfully synthesized/);
    const written = templatesIn(join(appDir, 'cdk.out'));
    assert.equal(written.length, 6);
    assert.deepEqual(templatesIn(join(appDir, 'cdk.out.again')), written);
    for (const name of written) {
      assert.equal(readFileSync(join(appDir, 'cdk.out.again', name), 'utf8'), readFileSync(join(appDir, 'cdk.out', name), 'utf8'), `${name} differs`);
    }
  });

  it('fails npx cdk synth when a finding loses its acknowledgment', async () => {
    const file = join(appDir, 'lib', 'regional-compute.ts');
    const source = readFileSync(file, 'utf8');
    const stripped = source.replace(/Validations\.of\(bucket\)\.acknowledge\(\{[^}]*\}\);/s, '');
    assert.notEqual(stripped, source, 'the logs bucket acknowledgment was found');
    writeFileSync(file, stripped);
    try {
      const cdk = await run('npx', ['cdk', 'synth', '--no-notices', '-o', 'cdk.out.nag'], SYNTH_TIMEOUT_MS);
      assert.notEqual(cdk.code, 0);
      assert.match(cdk.output, /AwsSolutions-S1/);
    } finally {
      writeFileSync(file, source);
    }
  });
});
