// The hash ring's point arrays: changes applied in place (memmoves) and the prefix table must
// match a plain sorted list, through growth, shrinking and repeated points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packPoint, RingPoints } from '../../src/balance/ring-points.js';
import { seeded } from '../helpers/balance-fixtures.js';

const SLOTS = 2 ** 21;

function check(points: RingPoints, reference: readonly number[], random: () => number, label: string): void {
  assert.equal(points.size, reference.length, `${label}: size`);
  reference.forEach((packed, i) => {
    assert.equal(packPoint(points.hashAt(i), points.ownerAt(i)), packed, `${label}: point ${i}`);
  });
  if (reference.length === 0) return;
  for (let probe = 0; probe < 200; probe++) {
    const hash = Math.floor(random() * 2 ** 32);
    let expected = reference.findIndex((packed) => Math.floor(packed / SLOTS) >= hash);
    if (expected < 0) expected = 0;
    assert.equal(points.successor(hash), expected, `${label}: successor of ${hash}`);
  }
}

test('ring points: random drops and inserts match a sorted list, and successor() matches a scan', () => {
  const random = seeded(99);
  const points = new RingPoints();
  let reference: number[] = [];
  // Grow past several prefix sizes, then shrink back, with repeated points and unknown drops.
  for (const [round, adds, drops] of [[0, 3000, 0], [1, 40, 25], [2, 1, 1], [3, 5000, 100], [4, 0, 6000], [5, 7, 1900], [6, 0, 50]] as const) {
    const fresh = Array.from({ length: adds }, () => packPoint(Math.floor(random() * 2 ** 32), Math.floor(random() * 64)));
    if (adds > 1) fresh.push(fresh[0] as number); // the same point twice
    const dropped: number[] = [];
    const pool = [...reference];
    for (let i = 0; i < Math.min(drops, pool.length); i++) dropped.push(...pool.splice(Math.floor(random() * pool.length), 1));
    dropped.push(packPoint(123, 7)); // not on the ring: ignored
    points.apply(dropped, fresh);
    const remaining = [...reference];
    for (const point of dropped) {
      const at = remaining.indexOf(point);
      if (at >= 0) remaining.splice(at, 1);
    }
    reference = [...remaining, ...fresh].sort((a, b) => a - b);
    check(points, reference, random, `round ${round}`);
  }
});
