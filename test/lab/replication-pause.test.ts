/**
 * A replication-pause of one data class holds that class's replication out of the region, as the
 * simulator does and as AWS FIS pauses a global table replica, while the region's other classes keep
 * replicating; lifting it delivers what waited.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ResolvedFault } from '../../src/experiments/resolved-experiment.ts';
import { LabFaults } from '../../src/lab/chaos/lab-faults.ts';
import type { TrafficPlane } from '../../src/lab/supervisor/traffic-plane.ts';
import { dataClient, sleep, startSpecLab, waitFor } from './lab-support.ts';

const SPEC = `
name: pause-lab
regions:
  us-east-1: { role: primary }
  us-east-2: {}
populations:
  us: { countries: [US], requestsPerSecond: 10 }
data:
  profiles: { consistency: multi-writer, writesPerSecond: 1 }
  carts: { consistency: multi-writer, writesPerSecond: 1 }
routing: { policy: latency, healthCheck: { intervalSeconds: 10, failureThreshold: 3 }, ttlSeconds: 60 }
`;

test('pausing one class\'s replication holds only that class, and lifting it delivers what waited', async () => {
  const { lab, stop } = await startSpecLab('pause', SPEC);
  const clients = new Map(lab.endpoints().map((endpoint) => [endpoint.region, dataClient(lab, endpoint.region, 3)]));
  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'item' } });
  const has = async (region: string, table: string, pk: string) => (await clients.get(region)!.send(new GetItemCommand({ TableName: table, Key: key(pk) }))).Item !== undefined;
  const faults = new LabFaults(lab, { apps: new Map(), places: [] } as unknown as TrafficPlane);
  const pause: ResolvedFault = { index: 0, startMs: 0, endMs: 60_000, note: undefined, action: 'replication-pause', region: 'us-east-1', dataClass: 'profiles' };
  try {
    const description = await faults.apply(pause);
    assert.equal(description, 'replication of profiles from us-east-1 paused');
    // The paused class is written first, the other one after: without the pause, the first would arrive first.
    await clients.get('us-east-1')!.send(new PutItemCommand({ TableName: 'profiles', Item: { ...key('alice'), value: { S: 'v1' } } }));
    await clients.get('us-east-1')!.send(new PutItemCommand({ TableName: 'carts', Item: { ...key('cart-1'), value: { S: 'v1' } } }));
    await waitFor('cart-1 in us-east-2', () => has('us-east-2', 'carts', 'cart-1'), 10_000);
    await sleep(500);
    assert.equal(await has('us-east-2', 'profiles', 'alice'), false, 'the paused class stayed in us-east-1');
    // The other direction is not paused: us-east-2's profiles still reach us-east-1.
    await clients.get('us-east-2')!.send(new PutItemCommand({ TableName: 'profiles', Item: { ...key('bob'), value: { S: 'v1' } } }));
    await waitFor('bob in us-east-1', () => has('us-east-1', 'profiles', 'bob'), 10_000);
    await faults.revert(0);
    await waitFor('alice in us-east-2 after the pause', () => has('us-east-2', 'profiles', 'alice'), 10_000);
  } finally {
    await faults.revertAll();
    for (const client of clients.values()) client.destroy();
    await stop();
  }
});
