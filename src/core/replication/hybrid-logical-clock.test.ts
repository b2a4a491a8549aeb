import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareHlc, createHlc, formatHlc, now, receive, type HlcTimestamp } from './hybrid-logical-clock.ts';
import { HlcDriftError } from './replication-errors.ts';
import { mulberry32 } from './testing/adversarial-network.ts';

describe('hybrid logical clock', () => {
  test('follows physical time when it moves forward', () => {
    const clock = createHlc('eu-west-1');
    assert.deepEqual(now(clock, 1000), { wallMs: 1000, logical: 0, nodeId: 'eu-west-1' });
    assert.deepEqual(now(clock, 1005), { wallMs: 1005, logical: 0, nodeId: 'eu-west-1' });
  });

  test('counts logically when physical time stands still or goes back', () => {
    const clock = createHlc('a');
    now(clock, 1000);
    assert.deepEqual(now(clock, 1000), { wallMs: 1000, logical: 1, nodeId: 'a' });
    assert.deepEqual(now(clock, 990), { wallMs: 1000, logical: 2, nodeId: 'a' });
  });

  test('receive jumps past a remote timestamp from a clock that runs ahead', () => {
    const clock = createHlc('a');
    now(clock, 1000);
    const remote: HlcTimestamp = { wallMs: 1200, logical: 7, nodeId: 'b' };
    const received = receive(clock, remote, 1001);
    assert.deepEqual(received, { wallMs: 1200, logical: 8, nodeId: 'a' });
    assert.equal(compareHlc(received, remote), 1);
    assert.deepEqual(now(clock, 1002), { wallMs: 1200, logical: 9, nodeId: 'a' });
  });

  test('receive with equal wall times takes the larger counter plus one', () => {
    const clock = createHlc('a');
    now(clock, 1000);
    now(clock, 1000);
    assert.deepEqual(receive(clock, { wallMs: 1000, logical: 5, nodeId: 'b' }, 900), { wallMs: 1000, logical: 6, nodeId: 'a' });
    assert.deepEqual(receive(clock, { wallMs: 1000, logical: 2, nodeId: 'b' }, 900), { wallMs: 1000, logical: 7, nodeId: 'a' });
  });

  test('receive of an old timestamp follows physical time', () => {
    const clock = createHlc('a');
    assert.deepEqual(receive(clock, { wallMs: 10, logical: 3, nodeId: 'b' }, 50), { wallMs: 50, logical: 0, nodeId: 'a' });
  });

  test('the logical counter is bounded: past the bound the clock borrows a millisecond', () => {
    const clock = createHlc('a', { logicalMax: 3 });
    const stamps = [1, 2, 3, 4, 5].map(() => now(clock, 1000));
    assert.deepEqual(stamps.map(formatHlc), ['1000.0@a', '1000.1@a', '1000.2@a', '1000.3@a', '1001.0@a']);
    assert.deepEqual(receive(clock, { wallMs: 1001, logical: 3, nodeId: 'b' }, 1000), { wallMs: 1002, logical: 0, nodeId: 'a' });
  });

  test('a remote clock too far ahead is refused and leaves the clock as it was', () => {
    const clock = createHlc('a', { driftMsMax: 100 });
    now(clock, 1000);
    assert.throws(() => receive(clock, { wallMs: 1200, logical: 0, nodeId: 'b' }, 1000), (error: unknown) => {
      assert.ok(error instanceof HlcDriftError);
      assert.equal(error.code, 'HLC_DRIFT');
      return true;
    });
    assert.deepEqual({ wallMs: clock.wallMs, logical: clock.logical }, { wallMs: 1000, logical: 0 });
    assert.equal(receive(clock, { wallMs: 1100, logical: 0, nodeId: 'b' }, 1000).wallMs, 1100);
  });

  test('compareHlc is a total order: wall time, then counter, then node id', () => {
    const stamps: HlcTimestamp[] = [
      { wallMs: 2, logical: 0, nodeId: 'a' },
      { wallMs: 1, logical: 5, nodeId: 'b' },
      { wallMs: 1, logical: 5, nodeId: 'a' },
      { wallMs: 1, logical: 0, nodeId: 'z' },
    ];
    assert.deepEqual([...stamps].sort(compareHlc).map(formatHlc), ['1.0@z', '1.5@a', '1.5@b', '2.0@a']);
    assert.equal(compareHlc(stamps[0]!, { ...stamps[0]! }), 0);
  });

  test('property: causality and monotonicity under random skew and message exchange (200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = mulberry32(seed);
      const nodes = ['a', 'b', 'c'].map((id) => ({ clock: createHlc(id, { logicalMax: 1 + random.nextInt(4) }), skewMs: random.nextInt(200) - 100, last: undefined as HlcTimestamp | undefined }));
      let physicalMs = 1000;
      const inFlight: HlcTimestamp[] = [];
      for (let step = 0; step < 300; step += 1) {
        physicalMs += random.nextInt(3);
        const node = nodes[random.nextInt(nodes.length)]!;
        const local = physicalMs + node.skewMs;
        let stamp: HlcTimestamp;
        if (inFlight.length > 0 && random.chance(0.4)) {
          const message = inFlight.splice(random.nextInt(inFlight.length), 1)[0]!;
          stamp = receive(node.clock, message, local);
          assert.equal(compareHlc(stamp, message), 1, `seed ${seed}: a receive must come after the send`);
        } else {
          stamp = now(node.clock, local);
          inFlight.push(stamp);
        }
        if (node.last !== undefined) assert.equal(compareHlc(stamp, node.last), 1, `seed ${seed}: a node's clock must only move forward`);
        assert.ok(stamp.wallMs >= local, `seed ${seed}: never behind physical time`);
        node.last = stamp;
      }
    }
  });
});
