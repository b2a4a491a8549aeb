/**
 * `meridian synth` as a user runs it (the real binary): the app and templates it writes for global-shop,
 * every experiment of experiments/ mapped to FIS or listed with its reasons, and its refusals (exit 2, one
 * clear message, nothing overwritten).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadExperiment } from '../../src/experiments/load-experiment.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import type { SynthSummary } from '../../src/synth/app/cdk-app-files.ts';
import { foreignImports, libraryFiles } from '../../src/synth/app/write-cdk-app.ts';
import { runMeridian } from '../cli/run-meridian.ts';
import { EXPERIMENT_FILES } from './app-fixtures.ts';

const scratch = mkdtempSync(join(tmpdir(), 'meridian-synth-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('meridian synth examples/global-shop.yaml -o DIR', async () => {
  const outDir = join(scratch, 'global-shop');
  const run = await runMeridian(['synth', 'examples/global-shop.yaml', '-o', outDir, '--json']);
  const summary = run.code === 0 ? (JSON.parse(run.stdout) as SynthSummary) : undefined;

  it('exits 0 with progress on stderr and the summary as JSON', () => {
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /meridian synth: synthesizing the CloudFormation templates, with cdk-nag AwsSolutions/);
    assert.equal(summary?.outDir, outDir);
  });

  it('writes a CDK app: package.json with exact versions, cdk.json running bin/app.ts, lib/ with the constructs, the plan, a README', () => {
    const manifest = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8'));
    for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'tsx']) assert.match(manifest.dependencies[name], /^\d+\.\d+\.\d+$/, name);
    assert.match(manifest.devDependencies['aws-cdk'], /^2\.\d+\.\d+$/);
    assert.equal(JSON.parse(readFileSync(join(outDir, 'cdk.json'), 'utf8')).app, 'npx tsx bin/app.ts');
    assert.match(readFileSync(join(outDir, 'bin', 'app.ts'), 'utf8'), /buildMeridianApp\(app, plan/);
    assert.deepEqual(readdirSync(join(outDir, 'lib')).sort(), libraryFiles());
    assert.equal(JSON.parse(readFileSync(join(outDir, 'meridian-plan.json'), 'utf8')).name, 'global-shop');
    const readme = readFileSync(join(outDir, 'README.md'), 'utf8');
    assert.match(readme, /## Deploy, region by region/);
    assert.match(readme, /npx cdk deploy global-shop-us-east-1\n\s+npx cdk deploy global-shop-us-east-2/);
    assert.match(readme, /npx cdk deploy global-shop-global/);
  });

  it('writes a template per stack into cdk.out', () => {
    const templates = readdirSync(join(outDir, 'cdk.out')).filter((name) => name.endsWith('.template.json')).sort();
    assert.deepEqual(templates, summary!.stacks.map((stack) => `${stack.stackName}.template.json`).sort());
    assert.equal(templates.length, 6);
  });

  it('passes cdk-nag with every acknowledged AwsSolutions finding explained, in the summary and the README', () => {
    const acknowledged = summary!.nagAcknowledgments.filter((entry) => entry.rule.startsWith('AwsSolutions'));
    assert.ok(acknowledged.length > 10);
    const readme = readFileSync(join(outDir, 'README.md'), 'utf8');
    for (const entry of acknowledged) {
      assert.ok(entry.reason.length >= 30, `${entry.rule} at ${entry.path}`);
      assert.ok(readme.includes(entry.rule), `README lists ${entry.rule}`);
    }
  });

  it('maps every experiment of experiments/ to FIS templates, or lists why each of its faults cannot be', async () => {
    assert.deepEqual([...summary!.experiments].sort(), EXPERIMENT_FILES);
    const { spec } = await loadSpec('examples/global-shop.yaml');
    const readme = readFileSync(join(outDir, 'README.md'), 'utf8');
    for (const file of EXPERIMENT_FILES) {
      const experiment = await loadExperiment(file, spec);
      const templates = summary!.fisTemplates.filter((template) => template.experiment === experiment.name);
      const unmapped = summary!.fisUnmapped.filter((fault) => fault.experiment === experiment.name);
      assert.ok(templates.length > 0 || unmapped.length > 0, `${experiment.name} is neither mapped nor explained`);
      if (templates.length === 0) {
        // Nothing mapped: every fault has its reason.
        assert.deepEqual([...new Set(unmapped.map((fault) => fault.faultIndex))].sort(), experiment.faults.map((_, index) => index));
      }
      for (const fault of unmapped) {
        assert.ok(fault.reason.length > 20);
        assert.ok(readme.includes(fault.reason.replace(/\|/g, '\\|')), `README explains ${experiment.name} fault ${fault.faultIndex}`);
      }
    }
    assert.ok(summary!.fisUnmapped.some((fault) => fault.action === 'link-latency' && /no action that delays an inter-region link/.test(fault.reason)));
  });

  it('writes again into its own earlier output, keeping the user\'s files there', async () => {
    writeFileSync(join(outDir, 'NOTES.md'), 'mine\n');
    const again = await runMeridian(['synth', 'examples/ledger.yaml', '-o', outDir, '--no-progress']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(join(outDir, 'NOTES.md'), 'utf8'), 'mine\n');
    assert.equal(JSON.parse(readFileSync(join(outDir, 'meridian-plan.json'), 'utf8')).name, 'ledger');
    assert.ok(!existsSync(join(outDir, 'cdk.out', 'global-shop-global.template.json')), 'the old templates are gone');
    assert.match(again.stdout, /wrote .*: an AWS CDK app for Active-passive/);
  });
});

/** Every file under `dir` with its content, to compare a folder before and after. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      files.set(path, readFileSync(path, 'utf8'));
    }
  }
  return files;
}

describe('meridian synth keeps what it did not write, and writes all or nothing', () => {
  it('a refusal found while building the stacks leaves an earlier output exactly as it was, and no staging folder', async () => {
    const parent = join(scratch, 'all-or-nothing');
    const outDir = join(parent, 'app');
    mkdirSync(parent);
    const first = await runMeridian(['synth', 'examples/ledger.yaml', '-o', outDir, '--no-experiments', '--no-progress']);
    assert.equal(first.code, 0, first.stderr);
    const before = snapshot(outDir);
    // A name no DynamoDB table can carry: the plan is fine, the table construct refuses it.
    const odd = join(scratch, 'odd-ledger.yaml');
    writeFileSync(odd, readFileSync('examples/ledger.yaml', 'utf8').replace(/^name: .*$/m, 'name: "Ledger App"'));
    const refused = await runMeridian(['synth', odd, '-o', outDir, '--no-experiments', '--no-progress']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /cannot build this on AWS as specified: .*Ledger App-ledger/);
    assert.deepEqual(snapshot(outDir), before);
    assert.deepEqual(readdirSync(parent), ['app']);
  });

  it('--force writes beside other files, never over a path it would write', async () => {
    const outDir = join(scratch, 'forced');
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'package.json'), '{"name":"mine"}\n');
    const clash = await runMeridian(['synth', 'examples/ledger.yaml', '-o', outDir, '--force', '--no-experiments']);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /never over them, and package\.json is already there/);
    assert.deepEqual(readdirSync(outDir), ['package.json']);
    rmSync(join(outDir, 'package.json'));
    writeFileSync(join(outDir, 'notes.txt'), 'mine\n');
    const beside = await runMeridian(['synth', 'examples/ledger.yaml', '-o', outDir, '--force', '--no-experiments', '--no-progress']);
    assert.equal(beside.code, 0, beside.stderr);
    assert.equal(readFileSync(join(outDir, 'notes.txt'), 'utf8'), 'mine\n');
    assert.ok(existsSync(join(outDir, 'cdk.out', 'ledger-global.template.json')));
  });

  it('an output path inside a file is bad input (exit 2), not an internal error', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x\n');
    const run = await runMeridian(['synth', 'examples/ledger.yaml', '-o', join(file, 'app'), '--no-experiments']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /is not a folder/);
    assert.doesNotMatch(run.stderr, /internal error/);
  });
});

describe('meridian synth refusals', () => {
  it('refuses a spec AWS cannot build as written (fast health checks), exit 2, every reason, nothing written', async () => {
    const outDir = join(scratch, 'fast');
    const run = await runMeridian(['synth', 'examples/fast-failover.yaml', '-o', outDir, '--no-experiments']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot build this on AWS as specified/);
    assert.match(run.stderr, /intervalSeconds 1: Route 53 and Global Accelerator health checks run every 10 or 30 seconds/);
    assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
    assert.equal(existsSync(outDir), false);
  });

  it('refuses to write into a folder it did not write, and leaves it as it was', async () => {
    const outDir = join(scratch, 'theirs');
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'important.txt'), 'keep\n');
    const run = await runMeridian(['synth', 'examples/ledger.yaml', '-o', outDir]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /theirs: is not empty and was not written by meridian synth \(no meridian-plan\.json\)/);
    assert.deepEqual(readdirSync(outDir), ['important.txt']);
  });

  const usage: { name: string; args: string[]; message: RegExp }[] = [
    { name: 'no output folder', args: ['synth', 'examples/ledger.yaml'], message: /required option '-o, --out <dir>'/ },
    { name: 'an unknown architecture', args: ['synth', 'examples/ledger.yaml', '-o', 'unused', '--architecture', 'mesh'], message: /--architecture: .*mesh/ },
    { name: 'a bad NAT gateway count', args: ['synth', 'examples/ledger.yaml', '-o', 'unused', '--nat-gateways', '7'], message: /--nat-gateways: '7' is not 0, 1 or 2/ },
    { name: 'a missing experiment', args: ['synth', 'examples/ledger.yaml', '-o', 'unused', '--experiment', 'experiments/nope.yaml'], message: /experiments\/nope\.yaml/ },
    { name: 'a missing spec', args: ['synth', 'examples/nope.yaml', '-o', 'unused'], message: /examples\/nope\.yaml/ },
  ];
  for (const testCase of usage) {
    it(`exits 2 on ${testCase.name}, with one clear line`, async () => {
      const run = await runMeridian(testCase.args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, testCase.message);
      assert.equal(existsSync('unused'), false);
    });
  }

  it('has --help', async () => {
    const run = await runMeridian(['synth', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--architecture <name>/);
    assert.match(run.stdout, /-o, --out <dir>/);
  });
});

describe('the generated app\'s library', () => {
  it('imports nothing but aws-cdk-lib, constructs, cdk-nag, node: and its own files', () => {
    for (const file of libraryFiles()) {
      const source = readFileSync(join('src', 'synth', file), 'utf8');
      assert.deepEqual(foreignImports(source), [], file);
    }
    assert.deepEqual(foreignImports("import { x } from '../spec/load-spec.ts';\nimport y from 'yaml';"), ['../spec/load-spec.ts', 'yaml']);
  });
});
