import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '../../src/lab/server-process.ts';
import { BatchGetItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

// A data node in its own process, killed with SIGKILL right after its writes were acknowledged, then
// started again on the same SQLite file: every acknowledged write must be there (WAL with
// synchronous = NORMAL: a commit is in the log file before the answer leaves).

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE_MAIN = join(REPO_ROOT, 'src/lab/data/data-node-main.ts');
const ACKNOWLEDGED_PUTS = 400;
const WRITERS = 8;

/** A data node in its own process on `dbPath`. */
function startNodeProcess(dbPath: string): Promise<ServerProcess> {
  return startServerProcess(NODE_MAIN, ['--db', dbPath], REPO_ROOT);
}

function clientFor(url: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

test('every acknowledged write survives kill -9 of the data node process', { timeout: 120_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'meridian-dynamodb-durability-'));
  const dbPath = join(scratch, 'node.db');
  let running: ServerProcess | undefined;
  try {
    running = await startNodeProcess(dbPath);
    const writer = clientFor(running.url);
    await writer.send(
      new CreateTableCommand({ TableName: 'ledger', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    const acknowledged: string[] = [];
    let acknowledgedIncrements = 0;
    let attemptedIncrements = 0;
    let next = 0;
    const victim = running;
    // Writers keep going until the kill: the last requests are in flight when the process dies.
    const writeLoop = async (): Promise<void> => {
      while (victim.child.exitCode === null && victim.child.signalCode === null && next < ACKNOWLEDGED_PUTS * 2) {
        const id = `item-${next++}`;
        try {
          await writer.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: id }, amount: { N: String(next) } } }));
          acknowledged.push(id);
          attemptedIncrements++;
          await writer.send(new UpdateItemCommand({ TableName: 'ledger', Key: { pk: { S: 'counter' } }, UpdateExpression: 'ADD hits :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
          acknowledgedIncrements++;
        } catch {
          return; // The node is gone: whatever was not acknowledged may or may not be there.
        }
        if (acknowledged.length >= ACKNOWLEDGED_PUTS && !victim.child.killed) victim.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writeLoop));
    assert.equal(await victim.exited, 'SIGKILL');
    writer.destroy();
    assert.ok(acknowledged.length >= ACKNOWLEDGED_PUTS);

    running = await startNodeProcess(dbPath);
    const reader = clientFor(running.url);
    try {
      const found = new Set<string>();
      for (let start = 0; start < acknowledged.length; start += 100) {
        const keys = acknowledged.slice(start, start + 100).map((id) => ({ pk: { S: id } }));
        const answer = await reader.send(new BatchGetItemCommand({ RequestItems: { ledger: { Keys: keys, ConsistentRead: true } } }));
        for (const item of answer.Responses?.ledger ?? []) found.add(item.pk!.S!);
      }
      const lost = acknowledged.filter((id) => !found.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged puts lost`);
      const counter = await reader.send(new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: 'counter' } }, ConsistentRead: true }));
      const hits = Number(counter.Item?.hits?.N ?? 0);
      assert.ok(hits >= acknowledgedIncrements && hits <= attemptedIncrements, `counter ${hits}, acknowledged ${acknowledgedIncrements}, attempted ${attemptedIncrements}`);
    } finally {
      reader.destroy();
    }
    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0, 'a restarted node closes cleanly on SIGTERM');
  } finally {
    if (running !== undefined && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
});
