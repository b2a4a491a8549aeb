import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSpecSource, loadSpec, parseDataSpec, readSpecSource } from '../../src/spec/load-spec.ts';
import { resolveSpec } from '../../src/spec/resolve-spec.ts';
import type { MeridianConfig } from '../../src/spec/schema.ts';
import { SpecInvalidError, SpecLoadError } from '../../src/spec/spec-issue.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = (name: string) => join(root, 'examples', name);
const fixture = (name: string) => join(root, 'test', 'fixtures', name);

/** Awaits a promise that must reject, and returns its error for typed assertions. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the promise to reject');
}

async function loadError(file: string): Promise<SpecLoadError> {
  const error = await rejection(loadSpec(file));
  assert.ok(error instanceof SpecLoadError, `expected a SpecLoadError, got ${String(error)}`);
  return error;
}

async function invalidError(file: string): Promise<SpecInvalidError> {
  const error = await rejection(loadSpec(file));
  assert.ok(error instanceof SpecInvalidError, `expected a SpecInvalidError, got ${String(error)}`);
  return error;
}

describe('loadSpec on the examples', () => {
  for (const [file, name] of [
    ['global-shop.yaml', 'global-shop'],
    ['eu-saas.yaml', 'eu-saas'],
    ['ledger.yaml', 'ledger'],
    ['fast-failover.yaml', 'fast-failover'],
  ] as const) {
    test(`${file} loads without error`, async () => {
      const { spec, warnings } = await loadSpec(example(file));
      assert.equal(spec.name, name);
      assert.ok(spec.regions.length > 0);
      assert.deepEqual(
        warnings.filter((issue) => issue.severity !== 'warning'),
        [],
      );
    });
  }

  test('fast-failover.yaml keeps its fast lab settings, with one warning that names them non-AWS', async () => {
    const { spec, warnings } = await loadSpec(example('fast-failover.yaml'));
    assert.deepEqual(spec.routing.healthCheck, { intervalSeconds: 1, failureThreshold: 2, path: '/health' });
    assert.equal(spec.routing.ttlSeconds, 2);
    assert.deepEqual(
      warnings.map((issue) => [issue.severity, issue.rule, issue.path]),
      [['warning', 'health-check-settings', 'routing.healthCheck.intervalSeconds']],
    );
    assert.match(warnings[0]!.message, /fast lab and simulator runs/);
  });

  test('invalid.yaml reports many rules at once, each with its line', async () => {
    const error = await invalidError(example('invalid.yaml'));
    assert.equal(error.code, 'SPEC_INVALID');
    assert.equal(error.file, example('invalid.yaml'));
    const rules = new Set(error.issues.map((issue) => issue.rule));
    assert.ok(rules.size >= 8, `only ${rules.size} distinct rules: ${[...rules].join(', ')}`);
    for (const issue of error.issues) {
      assert.equal(typeof issue.line, 'number', `${issue.rule} at ${issue.path} has no line`);
      assert.ok(issue.line! >= 1);
    }
    const typo = error.issues.find((issue) => issue.rule === 'unknown-region' && issue.path === 'regions.eu-westt-3');
    assert.ok(typo, 'the region typo is reported');
    assert.equal(typo.line, 7);
    assert.match(typo.message, /did you mean eu-west-3\?/);
    const percentage = error.issues.find((issue) => issue.rule === 'slo-availability');
    assert.equal(percentage?.line, 43);
  });
});

describe('loadSpec errors', () => {
  test('a missing file is SPEC_NOT_FOUND', async () => {
    const error = await loadError(fixture('does-not-exist.yaml'));
    assert.equal(error.code, 'SPEC_NOT_FOUND');
    assert.equal(error.file, fixture('does-not-exist.yaml'));
  });

  test('a missing .ts spec is SPEC_NOT_FOUND too', async () => {
    const error = await loadError(fixture('does-not-exist.config.ts'));
    assert.equal(error.code, 'SPEC_NOT_FOUND');
  });

  test('a YAML syntax error is SPEC_SYNTAX at its line', async () => {
    const error = await loadError(fixture('spec-syntax-error.yaml'));
    assert.equal(error.code, 'SPEC_SYNTAX');
    assert.equal(error.line, 6);
    assert.equal(typeof error.column, 'number');
    assert.match(error.message, /^YAML syntax error/);
  });

  test('a JSON syntax error is SPEC_SYNTAX at its line', async () => {
    const error = await loadError(fixture('spec-syntax-error.json'));
    assert.equal(error.code, 'SPEC_SYNTAX');
    assert.equal(error.line, 4);
    assert.match(error.message, /^JSON syntax error/);
  });

  test('duplicate keys are SPEC_SYNTAX at the second key', async () => {
    const error = await loadError(fixture('spec-duplicate-keys.yaml'));
    assert.equal(error.code, 'SPEC_SYNTAX');
    assert.equal(error.line, 5);
    assert.match(error.message, /unique/);
  });

  test('duplicate keys in JSON are SPEC_SYNTAX', () => {
    const error = catchSync(() => parseDataSpec('dup.json', '{\n  "name": "a",\n  "name": "b"\n}\n', 'json'));
    assert.ok(error instanceof SpecLoadError);
    assert.equal(error.code, 'SPEC_SYNTAX');
    assert.equal(error.line, 3);
  });

  test('aliases expanding past the bound are SPEC_SYNTAX, not a crash', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c']] as const) {
      lines.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(', ')}]`);
    }
    const error = catchSync(() => parseDataSpec('bomb.yaml', `${lines.join('\n')}\n`, 'yaml'));
    assert.ok(error instanceof SpecLoadError, `expected a SpecLoadError, got ${String(error)}`);
    assert.equal(error.code, 'SPEC_SYNTAX');
  });

  test('an unknown enum value is a schema issue with path and line', async () => {
    const error = await invalidError(fixture('spec-schema-enum.yaml'));
    assert.equal(error.issues.length, 1);
    const [issue] = error.issues;
    assert.equal(issue!.rule, 'schema');
    assert.equal(issue!.severity, 'error');
    assert.equal(issue!.path, 'data.sessions.consistency');
    assert.equal(issue!.line, 9);
    assert.match(issue!.message, /"strong", "single-writer", "multi-writer"/);
  });

  test('an unknown field is a schema issue at the line of its key', async () => {
    const error = await invalidError(fixture('spec-schema-unknown-field.yaml'));
    assert.equal(error.issues.length, 1);
    const [issue] = error.issues;
    assert.equal(issue!.rule, 'schema');
    assert.equal(issue!.path, 'regionz');
    assert.equal(issue!.line, 5);
    assert.equal(issue!.column, 1);
    assert.match(issue!.message, /unknown field 'regionz'/);
  });

  test('a missing required field is a schema issue', () => {
    const checked = checkSpecSource(parseDataSpec('x.yaml', 'name: x\nregions: {}\npopulations: {}\n', 'yaml'));
    assert.equal(checked.spec, undefined);
    assert.deepEqual(
      checked.issues.map((issue) => [issue.rule, issue.path]),
      [['schema', 'routing']],
    );
    assert.match(checked.issues[0]!.message, /required field is missing/);
  });

  test('a schema issue in JSON carries its line', () => {
    const text = '{\n  "name": "x",\n  "regions": { "us-east-1": { "role": "leader" } },\n  "populations": {},\n  "routing": { "policy": "latency" }\n}\n';
    const checked = checkSpecSource(parseDataSpec('x.json', text, 'json'));
    assert.deepEqual(
      checked.issues.map((issue) => [issue.rule, issue.path, issue.line]),
      [['schema', 'regions.us-east-1.role', 3]],
    );
  });

  test('an unsupported extension is SPEC_UNSUPPORTED', async () => {
    const error = await loadError(fixture('spec-unsupported.toml'));
    assert.equal(error.code, 'SPEC_UNSUPPORTED');
    assert.match(error.message, /'\.toml'/);
  });
});

describe('data and module specs', () => {
  test('a valid JSON spec loads', async () => {
    const { spec, warnings } = await loadSpec(fixture('spec-valid.json'));
    assert.equal(spec.name, 'json-spec');
    assert.deepEqual(
      spec.regions.map((region) => [region.code, region.role]),
      [
        ['us-east-1', 'primary'],
        ['eu-west-1', 'secondary'],
      ],
    );
    assert.deepEqual(warnings, []);
  });

  test('a .ts spec written with defineConfig loads and resolves', async () => {
    const source = await readSpecSource(fixture('spec-typed.config.ts'));
    assert.equal(source.format, 'module');
    assert.equal(source.locate(['name']), undefined);
    const { spec, warnings } = await loadSpec(fixture('spec-typed.config.ts'));
    assert.deepEqual(warnings, []);
    assert.equal(spec.name, 'typed');
    assert.equal(spec.domain, 'typed.meridian.test');
    assert.equal(spec.topology, 'active-passive');
    assert.deepEqual(spec.routing.healthCheck, { intervalSeconds: 30, failureThreshold: 3, path: '/health' });
    const ledger = spec.data.find((dataClass) => dataClass.name === 'ledger');
    assert.equal(ledger?.engine, 'dynamodb-mrsc');
    assert.equal(ledger?.witness, 'us-east-2');
    assert.ok(Object.isFrozen(spec));
  });

  test('a .ts spec without a default export is SPEC_MODULE', async () => {
    const error = await loadError(fixture('spec-no-default.config.ts'));
    assert.equal(error.code, 'SPEC_MODULE');
    assert.match(error.message, /no default export/);
  });
});

describe('resolveSpec defaults', () => {
  const minimal: MeridianConfig = {
    name: 'minimal',
    regions: { 'us-east-1': {}, 'us-west-2': {}, 'eu-west-1': {} },
    populations: { everyone: { countries: ['US'], requestsPerSecond: 100 } },
    data: {
      ledger: { consistency: 'strong' },
      orders: { consistency: 'single-writer' },
      profiles: { consistency: 'multi-writer' },
    },
    routing: { policy: 'failover' },
  };

  test('health check 30 s, threshold 3, /health; TTL 60', () => {
    const spec = resolveSpec(minimal);
    assert.deepEqual(spec.routing.healthCheck, { intervalSeconds: 30, failureThreshold: 3, path: '/health' });
    assert.equal(spec.routing.ttlSeconds, 60);
    assert.equal(spec.routing.edge, 'none');
    assert.equal(spec.routing.evaluateTargetHealth, true);
  });

  test('healthCheck: false leaves no health check', () => {
    const spec = resolveSpec({ ...minimal, routing: { policy: 'latency', healthCheck: false } });
    assert.equal(spec.routing.healthCheck, undefined);
  });

  test('the engine follows the consistency', () => {
    const engines = Object.fromEntries(resolveSpec(minimal).data.map((dataClass) => [dataClass.name, dataClass.engine]));
    assert.deepEqual(engines, {
      ledger: 'dynamodb-mrsc',
      orders: 'aurora-global-database',
      profiles: 'dynamodb-global-table',
    });
  });

  test('the first region is primary, the others secondary, and the primary deploys first', () => {
    const spec = resolveSpec(minimal);
    assert.deepEqual(
      spec.regions.map((region) => [region.code, region.role]),
      [
        ['us-east-1', 'primary'],
        ['us-west-2', 'secondary'],
        ['eu-west-1', 'secondary'],
      ],
    );
    assert.deepEqual(spec.deploy.order, ['us-east-1', 'us-west-2', 'eu-west-1']);
  });

  test('a declared primary deploys first wherever it is listed', () => {
    const spec = resolveSpec({ ...minimal, regions: { 'us-east-1': {}, 'us-west-2': { role: 'primary' }, 'eu-west-1': {} } });
    assert.deepEqual(
      spec.regions.map((region) => region.role),
      ['secondary', 'primary', 'secondary'],
    );
    assert.deepEqual(spec.deploy.order, ['us-west-2', 'us-east-1', 'eu-west-1']);
  });

  test('topology: active-passive for failover or a standby region, else active-active', () => {
    assert.equal(resolveSpec(minimal).topology, 'active-passive');
    assert.equal(resolveSpec({ ...minimal, routing: { policy: 'latency' } }).topology, 'active-active');
    const withStandby = { ...minimal, regions: { 'us-east-1': {}, 'us-west-2': { role: 'standby' as const } }, routing: { policy: 'latency' as const } };
    assert.equal(resolveSpec(withStandby).topology, 'active-passive');
    assert.equal(resolveSpec({ ...minimal, topology: 'active-active' }).topology, 'active-active');
  });

  test('other defaults: domain, sample service, mix, residency none', () => {
    const spec = resolveSpec({ ...minimal, data: { ...minimal.data, orders: { consistency: 'single-writer', residency: 'none' } } });
    assert.equal(spec.domain, 'minimal.meridian.test');
    assert.deepEqual(
      spec.services.map((service) => [service.name, service.app, service.healthPath]),
      [['app', 'sample-shop', '/health']],
    );
    assert.deepEqual(spec.populations[0]!.mix, { ledger: 1, orders: 1, profiles: 1 });
    assert.equal(spec.data.find((dataClass) => dataClass.name === 'orders')?.residency, undefined);
    assert.deepEqual(spec.deploy.healthGates, { errorRateMax: 0.01, latencyP99MsMax: undefined });
    assert.equal(spec.deploy.bakeMinutes, 60);
  });

  test('the resolved spec is deeply frozen', () => {
    const spec = resolveSpec(minimal);
    for (const part of [spec, spec.regions, spec.regions[0], spec.routing, spec.routing.healthCheck, spec.data[0], spec.populations[0]!.points, spec.deploy.order]) {
      assert.ok(Object.isFrozen(part));
    }
    assert.throws(() => {
      (spec as { name: string }).name = 'changed';
    }, TypeError);
    assert.throws(() => {
      (spec.deploy.order as string[]).push('ap-south-1');
    }, TypeError);
  });
});

function catchSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  assert.fail('expected a throw');
}
