import type { FinalState } from './load-report.ts';
import type { LoadTargets } from './load-targets.ts';

/** Pages read per table at most (1 MB each): far above the load's key space. */
const PAGES_MAX = 1000;

async function dynamo(endpoint: string, target: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`${target} at ${endpoint}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Every item of a class's table in one region: key number → value (the write id). */
async function readTable(endpoint: string, table: string): Promise<Map<number, string | undefined>> {
  const values = new Map<number, string | undefined>();
  let start: unknown;
  for (let page = 0; page < PAGES_MAX; page += 1) {
    const answer = await dynamo(endpoint, 'Scan', { TableName: table, ...(start === undefined ? {} : { ExclusiveStartKey: start }) });
    for (const item of (answer.Items ?? []) as Record<string, { S?: string }>[]) {
      const key = /^k(\d+)$/.exec(item.pk?.S ?? '')?.[1];
      if (key !== undefined) values.set(Number(key), item.value?.S);
    }
    start = answer.LastEvaluatedKey;
    if (start === undefined) break;
  }
  return values;
}

/**
 * The state every replica ended in, once replication has had `quiesceMs` to deliver what was in flight,
 * and the conflicts each region's engines counted. A region that does not answer is left out.
 */
export async function readFinalState(targets: LoadTargets, quiesceMs: number): Promise<FinalState> {
  await new Promise((resolve) => setTimeout(resolve, quiesceMs));
  const finalValues: Record<string, Record<string, Map<number, string | undefined>>> = {};
  for (const [table, regions] of Object.entries(targets.tables)) {
    finalValues[table] = {};
    for (const region of regions) {
      const endpoint = targets.dataEndpoints[region];
      if (endpoint === undefined) continue;
      try {
        finalValues[table]![region] = await readTable(endpoint, table);
      } catch {
        // A region down at the end holds nothing anyone can read: it does not count as a survivor.
      }
    }
  }
  const conflicts: Record<string, { resolved: number; rejected: number }> = {};
  for (const endpoint of Object.values(targets.replication)) {
    try {
      const metrics = (await (await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(5000) })).json()) as { tables?: Record<string, { stats?: { conflictsResolved?: number; conflicts?: number } }> };
      for (const [table, figures] of Object.entries(metrics.tables ?? {})) {
        const sum = (conflicts[table] ??= { resolved: 0, rejected: 0 });
        sum.resolved += figures.stats?.conflictsResolved ?? 0;
        sum.rejected += figures.stats?.conflicts ?? 0;
      }
    } catch {
      // As above: a region that is down reports nothing.
    }
  }
  return { finalValues, conflicts };
}
