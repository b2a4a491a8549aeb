import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** core/ is shared by the simulator and the lab: no I/O, no wall clock, no global randomness, no timers. */
const FORBIDDEN = [
  { pattern: /from\s+['"]node:/, what: 'a node:* import' },
  { pattern: /require\(['"]node:/, what: 'a node:* require' },
  { pattern: /Date\.now\(/, what: 'Date.now()' },
  { pattern: /new Date\(/, what: 'new Date()' },
  { pattern: /Math\.random\(/, what: 'Math.random()' },
  { pattern: /\bset(Timeout|Interval|Immediate)\(/, what: 'a timer' },
  { pattern: /performance\.now\(/, what: 'performance.now()' },
  { pattern: /process\./, what: 'process' },
  { pattern: /from\s+['"][./]*\.\.\/(sim|lab|cli|catalog|spec|advise)\//, what: 'an import from an outer layer' },
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

test('src/core stays pure', () => {
  const files = sourceFiles('src/core');
  assert.ok(files.length > 0);
  const problems = files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => FORBIDDEN.filter((rule) => rule.pattern.test(line)).map((rule) => `${file}:${index + 1}: ${rule.what}`)),
  );
  assert.deepEqual(problems, []);
});
