/**
 * Each folder of src/ says in its README which other folders it may import ("May import: `core/`, …");
 * this test holds every source file to it, so the simulator and the lab share code only through the
 * folders meant for sharing (core/, workload/, …) and never through each other.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve('src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The folders a layer's README allows, or undefined when it allows everything. */
function allowedBy(layer: string): Set<string> | undefined {
  const readme = readFileSync(join(SRC, layer, 'README.md'), 'utf8');
  const line = readme.split('\n').find((candidate) => candidate.startsWith('May import:'));
  assert.ok(line !== undefined, `src/${layer}/README.md says what it may import`);
  if (/everything/.test(line)) return undefined;
  return new Set([...line.matchAll(/`([a-z-]+)\/`/g)].map((match) => match[1]!));
}

const layers = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());

test('every src/ folder imports only the folders its README allows', () => {
  const problems: string[] = [];
  for (const layer of layers) {
    assert.ok(existsSync(join(SRC, layer, 'README.md')), `src/${layer} has a README`);
    const allowed = allowedBy(layer);
    if (allowed === undefined) continue;
    for (const file of sourceFiles(join(SRC, layer))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(file), match[1]!)).split('/')[0]!;
        if (target !== layer && layers.includes(target) && !allowed.has(target)) problems.push(`${relative('.', file)} imports ${target}/ (${match[1]})`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
