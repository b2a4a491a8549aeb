/**
 * What the live-lab tests share: a lab started from a spec text in a scratch folder, a DynamoDB client
 * for a region's data node, and bounded waiting. Waits poll until a condition holds and fail after their
 * bound; the bound is never what a test asserts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLab, type Lab } from '../../src/lab/supervisor/lab.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import type { ResolvedSpec } from '../../src/spec/resolved-spec.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails the test with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, pollMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(pollMs);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

/** A client of `region`'s data node, with the lab's dummy credentials; one attempt per call by default. */
export function dataClient(lab: Lab, region: string, maxAttempts = 1): DynamoDBClient {
  const endpoint = lab.endpoints().find((candidate) => candidate.region === region);
  if (endpoint === undefined) throw new Error(`the lab runs no region ${region}`);
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.dataPort}`, region, maxAttempts, credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' } });
}

export interface SpecLab {
  readonly lab: Lab;
  readonly spec: ResolvedSpec;
  readonly directory: string;
  /** Stops every process and removes the scratch folder. */
  stop(): Promise<void>;
}

/** A lab of the spec written in `specText`, in a scratch folder named after `label`. */
export async function startSpecLab(label: string, specText: string, architecture = 'active-active'): Promise<SpecLab> {
  const directory = mkdtempSync(join(tmpdir(), `meridian-${label}-`));
  writeFileSync(join(directory, 'spec.yaml'), specText);
  const { spec } = await loadSpec(join(directory, 'spec.yaml'));
  const lab = await startLab(spec, chooseArchitecture(spec, architecture), { dataDir: join(directory, 'data'), log: () => {} });
  return {
    lab,
    spec,
    directory,
    stop: async () => {
      await lab.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
