/**
 * Overlapping experiment faults on the same WAN link compose and are lifted one by one, and a fault under
 * way outlives the restart of the region behind the link (the link is re-created on its port, toxics kept),
 * while one lifted during the re-creation stays lifted.
 * Runs on real links of a WanMesh, without region processes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Architecture } from '../../src/advise/architecture.ts';
import type { ResolvedFault } from '../../src/experiments/resolved-experiment.ts';
import { LabFaults } from '../../src/lab/chaos/lab-faults.ts';
import type { Lab } from '../../src/lab/supervisor/lab.ts';
import type { RegionProcess } from '../../src/lab/supervisor/region-process.ts';
import type { TrafficPlane } from '../../src/lab/supervisor/traffic-plane.ts';
import { WanMesh } from '../../src/lab/supervisor/wan-mesh.ts';
import { linkName } from '../../src/lab/wan/link-registry.ts';

const EAST = 'us-east-1';
const WEST = 'eu-west-1';

/** Region processes as the mesh sees them: their current ports, which a restart changes. */
function fakeRegion(replicationPort: number, dataPort: number): { current: { replicationPort: number; dataPort: number } } {
  return { current: { replicationPort, dataPort } };
}

describe('experiment faults on shared links', async () => {
  const regions = new Map<string, ReturnType<typeof fakeRegion>>([
    [EAST, fakeRegion(40001, 40002)],
    [WEST, fakeRegion(40003, 40004)],
  ]);
  const wan = new WanMesh(regions as unknown as ReadonlyMap<string, RegionProcess>);
  after(() => wan.close());
  await wan.connectInto(EAST);
  await wan.connectInto(WEST);
  const architecture = { primary: EAST, servingRegions: [EAST, WEST], standbyRegions: [] } as unknown as Architecture;
  const lab = { wan, regions, architecture } as unknown as Lab;
  const faults = new LabFaults(lab, { apps: new Map(), places: [] } as unknown as TrafficPlane);
  const link = () => wan.registry.get(linkName(EAST, WEST));
  const base = { startMs: 0, endMs: 60_000, note: undefined };
  const latency: ResolvedFault = { ...base, index: 0, action: 'link-latency', between: [EAST, WEST], addMs: 120, jitterMs: 10 };
  const partition: ResolvedFault = { ...base, index: 1, action: 'partition', between: [EAST, WEST], isolate: undefined, oneWay: false };

  it('two faults on one link stack: the added latency and the partition both hold', async () => {
    await faults.apply(latency);
    await faults.apply(partition);
    for (const direction of ['upstream', 'downstream'] as const) {
      assert.equal(link().faults[direction].extraLatencyMs, 120);
      assert.equal(link().faults[direction].extraJitterMs, 10);
      assert.equal(link().faults[direction].partition, 'drop');
    }
  });

  it('the region behind the link restarts on new ports: the link keeps its port and both faults', async () => {
    const port = link().address.port;
    regions.set(WEST, fakeRegion(40013, 40014));
    await wan.connectInto(WEST);
    assert.equal(link().address.port, port);
    assert.equal(link().faults.upstream.extraLatencyMs, 120);
    assert.equal(link().faults.upstream.partition, 'drop');
  });

  it('a fault lifted while the link is being re-created stays lifted', async () => {
    const lifted: ResolvedFault = { ...partition, index: 2 };
    await faults.apply(lifted);
    regions.set(WEST, fakeRegion(40023, 40024));
    const reconnecting = wan.connectInto(WEST);
    await faults.revert(2);
    await reconnecting;
    assert.deepEqual(wan.registry.toxics(linkName(EAST, WEST)).map((toxic) => toxic.name).sort(), ['experiment-fault-0', 'experiment-fault-1']);
    assert.equal(link().faults.upstream.extraLatencyMs, 120);
  });

  it('lifting the partition leaves the latency; lifting the latency leaves a clean link', async () => {
    await faults.revert(1);
    assert.equal(link().faults.downstream.partition, 'none');
    assert.equal(link().faults.downstream.extraLatencyMs, 120);
    await faults.revert(0);
    assert.equal(link().faults.downstream.extraLatencyMs, 0);
    assert.deepEqual(wan.registry.toxics(linkName(EAST, WEST)), []);
    assert.deepEqual(await faults.revertAll(), []);
  });
});
