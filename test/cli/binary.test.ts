import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Advice, CandidateEstimate } from '../../src/advise/advise.ts';
import { describeRun, parseJsonOutput, REPO_ROOT, runMeridian, type MeridianRun } from './run-meridian.ts';

// These tests spawn the real binary (tsx + commander + the whole pipeline), so each costs about half a
// second; independent runs share a test and go concurrently to keep the file quick.

const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;

function assertExit(run: MeridianRun, expected: number): void {
  assert.equal(run.code, expected, `expected exit ${expected}, got ${describeRun(run)}`);
}

/** A user mistake is reported without a stack trace: no `    at fn (file:line)` frames, no Error class dump. */
function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, `stack frame in:\n${text}`);
  assert.doesNotMatch(text, /internal error/, `reported as an internal error:\n${text}`);
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('help and version', () => {
  test('--help and <command> --help exit 0 and list their options', async () => {
    const [top, validate, advise, regions] = await Promise.all([
      runMeridian(['--help']),
      runMeridian(['validate', '--help']),
      runMeridian(['advise', '--help']),
      runMeridian(['regions', '--help']),
    ]);
    for (const run of [top, validate, advise, regions]) assertExit(run, EXIT_OK);
    for (const command of ['validate', 'advise', 'regions']) assert.match(top.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
    assert.match(top.stdout, /--version/);
    assert.match(validate.stdout, /Usage: meridian validate/);
    assert.match(validate.stdout, /--json/);
    assert.match(advise.stdout, /Usage: meridian advise/);
    for (const option of ['--json', '--markdown', '--all']) assert.match(advise.stdout, new RegExp(`${option}\\b`));
    assert.match(regions.stdout, /Usage: meridian regions/);
    for (const option of ['--from <region>', '--fit', '--json']) assert.match(regions.stdout, new RegExp(escapeRegExp(option)));
  });

  test('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runMeridian(['--version']);
    assertExit(run, EXIT_OK);
    assert.equal(run.stdout.trim(), version);
  });

  test('an unknown command or option exits 2 and names it, without a stack trace', async () => {
    const [command, option] = await Promise.all([runMeridian(['frobnicate']), runMeridian(['--frobnicate'])]);
    assertExit(command, EXIT_BAD_INPUT);
    assert.match(command.stderr, /unknown command 'frobnicate'/);
    assertNoStackTrace(command.stderr);
    assertExit(option, EXIT_BAD_INPUT);
    assert.match(option.stderr, /unknown option '--frobnicate'/);
    assertNoStackTrace(option.stderr);
  });
});

describe('validate', () => {
  test('every valid example, and a typed .ts spec, exits 0', async () => {
    const files = ['examples/global-shop.yaml', 'examples/eu-saas.yaml', 'examples/ledger.yaml', 'test/fixtures/spec-typed.config.ts'];
    const runs = await Promise.all(files.map((file) => runMeridian(['validate', file])));
    runs.forEach((run, index) => {
      assertExit(run, EXIT_OK);
      assert.match(run.stdout, new RegExp(`${escapeRegExp(files[index]!)}: valid`));
      assert.doesNotMatch(run.stderr, /error/);
    });
  });

  // Each path with a word that must appear on the line the issue points at: the key or the offending value.
  const invalidExpectations: readonly (readonly [path: string, wordOnLine: string])[] = [
    ['regions.eu-westt-3', 'eu-westt-3'],
    ['zones.eu[1]', 'eu-central-1'],
    ['data.profiles.residency', 'residency'],
    ['data.health-records.replicas[1]', 'us-east-1'],
    ['data.ledger.engine', 'engine'],
    ['data.payments.replicas', 'replicas'],
    ['populations.europe.countries[2]', 'XX'],
    ['routing.healthCheck', 'healthCheck'],
    ['slo.availability', 'availability'],
    ['budget.monthlyUsd', 'monthlyUsd'],
  ];

  test('examples/invalid.yaml exits 2 and names every problem as file:line:column and path', async () => {
    const file = 'examples/invalid.yaml';
    const sourceLines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
    const run = await runMeridian(['validate', file]);
    assertExit(run, EXIT_BAD_INPUT);
    assertNoStackTrace(run.stderr);
    assert.match(run.stdout, /examples\/invalid\.yaml: 12 errors/);
    for (const [path, wordOnLine] of invalidExpectations) {
      const pattern = new RegExp(`^${escapeRegExp(file)}:(\\d+):(\\d+): error ${escapeRegExp(path)}: `, 'm');
      const match = pattern.exec(run.stderr);
      assert.ok(match, `no '${file}:line:column: error ${path}:' line in stderr:\n${run.stderr}`);
      const line = Number(match[1]);
      const column = Number(match[2]);
      const sourceLine = sourceLines[line - 1];
      assert.ok(sourceLine !== undefined, `${path}: line ${line} is past the end of ${file}`);
      assert.ok(sourceLine.includes(wordOnLine), `${path}: line ${line} is '${sourceLine}', expected it to contain '${wordOnLine}'`);
      assert.ok(column >= 1 && column <= sourceLine.length, `${path}: column ${column} is outside line ${line} ('${sourceLine}')`);
    }
  });

  test('validate --json on examples/invalid.yaml prints parseable JSON with valid: false and exits 2', async () => {
    const run = await runMeridian(['validate', '--json', 'examples/invalid.yaml']);
    assertExit(run, EXIT_BAD_INPUT);
    const result = parseJsonOutput(run) as { file: string; valid: boolean; issues: { severity: string; path: string; line?: number }[] };
    assert.equal(result.valid, false);
    assert.equal(result.file, 'examples/invalid.yaml');
    const errorPaths = result.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.path);
    assert.equal(errorPaths.length, 12);
    for (const [path] of invalidExpectations) assert.ok(errorPaths.includes(path), `${path} missing from ${errorPaths.join(', ')}`);
  });

  test('a missing file exits 2 with one line naming the path, without a stack trace', async () => {
    const file = 'test/fixtures/does-not-exist.yaml';
    const run = await runMeridian(['validate', file]);
    assertExit(run, EXIT_BAD_INPUT);
    const lines = nonEmptyLines(run.stderr);
    assert.equal(lines.length, 1, `expected one stderr line, got:\n${run.stderr}`);
    assert.ok(lines[0]!.includes(file), lines[0]);
    assert.match(lines[0]!, /no such file/);
    assertNoStackTrace(run.stderr);
  });

  test('syntax errors exit 2 with the file, line and column of the mistake', async () => {
    const [yaml, json] = await Promise.all([
      runMeridian(['validate', 'test/fixtures/spec-syntax-error.yaml']),
      runMeridian(['validate', 'test/fixtures/spec-syntax-error.json']),
    ]);
    assertExit(yaml, EXIT_BAD_INPUT);
    // The fixture's second region is over-indented on line 6.
    assert.match(yaml.stderr, /test\/fixtures\/spec-syntax-error\.yaml:6:\d+: YAML syntax error/);
    assert.equal(nonEmptyLines(yaml.stderr).length, 1, yaml.stderr);
    assertNoStackTrace(yaml.stderr);
    assertExit(json, EXIT_BAD_INPUT);
    // The comma is missing between lines 3 and 4; either is a fair place to point at.
    assert.match(json.stderr, /test\/fixtures\/spec-syntax-error\.json:[34]:\d+: JSON syntax error/);
    assert.equal(nonEmptyLines(json.stderr).length, 1, json.stderr);
    assertNoStackTrace(json.stderr);
  });

  test('schema errors exit 2 naming the dotted path', async () => {
    const [enumRun, unknownField] = await Promise.all([
      runMeridian(['validate', 'test/fixtures/spec-schema-enum.yaml']),
      runMeridian(['validate', 'test/fixtures/spec-schema-unknown-field.yaml']),
    ]);
    assertExit(enumRun, EXIT_BAD_INPUT);
    assert.match(enumRun.stderr, /spec-schema-enum\.yaml:\d+:\d+: error data\.sessions\.consistency: /);
    assertNoStackTrace(enumRun.stderr);
    assertExit(unknownField, EXIT_BAD_INPUT);
    assert.match(unknownField.stderr, /spec-schema-unknown-field\.yaml:\d+:\d+: error regionz: /);
    assertNoStackTrace(unknownField.stderr);
  });
});

function assertCandidateShape(candidate: CandidateEstimate, populations: number): void {
  const kind = candidate.architecture.kind;
  assert.equal(candidate.latency.length, populations, `${kind}: one latency entry per population`);
  for (const population of candidate.latency) {
    assert.ok(Number.isFinite(population.p50Ms) && population.p50Ms > 0, `${kind}/${population.population}: p50Ms`);
    assert.ok(Number.isFinite(population.p99Ms) && population.p99Ms >= population.p50Ms, `${kind}/${population.population}: p99Ms ≥ p50Ms`);
    assert.ok(population.operations.length > 0, `${kind}/${population.population}: operations`);
    for (const operation of population.operations) {
      assert.ok(Number.isFinite(operation.p50Ms) && Number.isFinite(operation.p99Ms), `${kind}/${population.population}/${operation.dataClass}`);
    }
  }
  const availability = candidate.availability.availability;
  assert.ok(availability > 0 && availability < 1, `${kind}: availability ${availability} is a fraction`);
  assert.ok(candidate.recovery.dataClasses.length > 0, `${kind}: recovery per data class`);
  for (const dataClass of candidate.recovery.dataClasses) {
    assert.equal(typeof dataClass.rpoSeconds, 'number', `${kind}/${dataClass.dataClass}: rpoSeconds`);
    assert.equal(typeof dataClass.rtoSeconds, 'number', `${kind}/${dataClass.dataClass}: rtoSeconds`);
  }
  assert.ok(candidate.cost.lines.length > 0, `${kind}: cost lines`);
  for (const line of candidate.cost.lines) {
    assert.ok(typeof line.priceItem === 'string' && line.priceItem.length > 0, `${kind}: cost line '${line.description}' has no priceItem`);
  }
  assert.ok(candidate.verdicts.length > 0, `${kind}: verdicts`);
}

describe('advise', () => {
  test('advise --json on global-shop compares at least three candidates and recommends active-active', async () => {
    const run = await runMeridian(['advise', 'examples/global-shop.yaml', '--json']);
    assertExit(run, EXIT_OK);
    const advice = parseJsonOutput(run) as Advice;
    assert.ok(advice.candidates.length >= 3, `only ${advice.candidates.length} candidates`);
    const populations = advice.candidates[0]!.latency.length;
    assert.ok(populations > 0);
    for (const candidate of advice.candidates) assertCandidateShape(candidate, populations);
    assert.equal(advice.recommendation.kind, 'active-active');
    assert.ok(advice.recommendation.rejectedSimpler.length > 0, 'no simpler candidate was explained');
    for (const rejection of advice.recommendation.rejectedSimpler) {
      assert.ok(rejection.reasons.length > 0, `${rejection.kind}: no reasons`);
      for (const reason of rejection.reasons) assert.match(reason, /\d/, `${rejection.kind}: reason without a number: '${reason}'`);
    }
  });

  test('advise --json on ledger recommends active-passive, single region failing on RTO', async () => {
    const run = await runMeridian(['advise', 'examples/ledger.yaml', '--json']);
    assertExit(run, EXIT_OK);
    const advice = parseJsonOutput(run) as Advice;
    assert.equal(advice.recommendation.kind, 'active-passive');
    const reasons = advice.recommendation.rejectedSimpler.flatMap((rejection) => rejection.reasons);
    assert.ok(reasons.some((reason) => reason.includes('RTO')), `no RTO reason in ${JSON.stringify(reasons)}`);
  });

  test('advise without a spec uses the embedded example from any directory; --markdown renders Markdown', async () => {
    const [embedded, markdown] = await Promise.all([
      // Another working directory proves the default does not depend on where the user stands.
      runMeridian(['advise'], { cwd: tmpdir() }),
      runMeridian(['advise', '--markdown']),
    ]);
    assertExit(embedded, EXIT_OK);
    assert.match(embedded.stdout, /Recommended/);
    assertExit(markdown, EXIT_OK);
    assert.ok(markdown.stdout.startsWith('# Meridian advice'), markdown.stdout.slice(0, 200));
  });

  test('advise exits 2 on conflicting output options and on an invalid spec', async () => {
    const [conflict, invalid] = await Promise.all([
      runMeridian(['advise', '--json', '--markdown']),
      runMeridian(['advise', 'examples/invalid.yaml']),
    ]);
    assertExit(conflict, EXIT_BAD_INPUT);
    assert.match(conflict.stderr, /--json/);
    assert.equal(conflict.stdout, '');
    assertNoStackTrace(conflict.stderr);
    assertExit(invalid, EXIT_BAD_INPUT);
    assert.match(invalid.stderr, /examples\/invalid\.yaml: 12 errors; nothing was run/);
    assert.equal(invalid.stdout, '', 'an invalid spec must not produce advice');
    assertNoStackTrace(invalid.stderr);
  });
});

describe('regions', () => {
  test('regions lists the catalog; --from lists round trips nearest first; an unknown --from exits 2', async () => {
    const [list, from, unknown] = await Promise.all([
      runMeridian(['regions']),
      runMeridian(['regions', '--from', 'eu-west-1', '--json']),
      runMeridian(['regions', '--from', 'nowhere-1']),
    ]);
    assertExit(list, EXIT_OK);
    assert.match(list.stdout, /^\s*us-east-1\s/m);

    assertExit(from, EXIT_OK);
    const result = parseJsonOutput(from) as { from: string; roundTrips: { region: string; rttMs: number }[] };
    assert.equal(result.from, 'eu-west-1');
    const trips = result.roundTrips;
    assert.ok(trips.length > 10, `only ${trips.length} round trips`);
    assert.equal(trips[0]!.region, 'eu-west-2');
    assert.ok(!trips.some((trip) => trip.region === 'eu-west-1'), 'a region is not listed as its own neighbour');
    for (let index = 1; index < trips.length; index++) {
      assert.ok(trips[index - 1]!.rttMs <= trips[index]!.rttMs, `not sorted at ${trips[index - 1]!.region} → ${trips[index]!.region}`);
    }

    assertExit(unknown, EXIT_BAD_INPUT);
    assert.match(unknown.stderr, /nowhere-1/);
    assert.equal(nonEmptyLines(unknown.stderr).length, 1, unknown.stderr);
    assertNoStackTrace(unknown.stderr);
  });

  test('regions --fit --json scores the straight line and the anchored estimator', async () => {
    const run = await runMeridian(['regions', '--fit', '--json']);
    assertExit(run, EXIT_OK);
    const report = parseJsonOutput(run) as {
      model: { interceptMs: number; msPerKm: number };
      linear: { medianAbsolutePercentError: number };
      anchoredLeaveOneOut: { medianAbsolutePercentError: number };
    };
    assert.ok(report.model.msPerKm > 0);
    for (const estimator of [report.linear, report.anchoredLeaveOneOut]) {
      assert.equal(typeof estimator.medianAbsolutePercentError, 'number');
      assert.ok(Number.isFinite(estimator.medianAbsolutePercentError) && estimator.medianAbsolutePercentError >= 0);
    }
    // Anchoring on measured paths is why populations use it: it must beat the straight line on the matrix.
    assert.ok(
      report.anchoredLeaveOneOut.medianAbsolutePercentError < report.linear.medianAbsolutePercentError,
      `anchored ${report.anchoredLeaveOneOut.medianAbsolutePercentError} % vs linear ${report.linear.medianAbsolutePercentError} %`,
    );
  });
});
