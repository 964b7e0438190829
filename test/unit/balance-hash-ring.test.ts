// The hash ring at service sizes where it is bounded: its size, keys moved when one of 1,000
// leaves, and that a ring changed one instance at a time equals one built at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashPicker } from '../../src/balance/index.js';
import { HashRing } from '../../src/balance/hash-ring.js';
import { createEntry } from '../../src/balance/picker-entry.js';
import type { Instance } from '../../src/codec/instance.js';
import { inst, seeded } from '../helpers/balance-fixtures.js';

const many = (n: number, weight = (_: number) => 1): Instance[] =>
  Array.from({ length: n }, (_, i) => inst(`n${String(i).padStart(6, '0')}`, { weight: weight(i) }));

test('hash ring: 1,024 points per weight for small services, about a million once the total weight passes 1,024', () => {
  for (const [n, perWeight] of [[100, 1024], [1_000, 1024], [2_000, 524], [20_000, 52]] as const) {
    const ring = new HashRing();
    ring.rebuild(many(n).map((instance, slot) => createEntry(instance, slot)));
    assert.equal(ring.pointsPerWeight, perWeight, `${n} instances`);
    assert.equal(ring.size, n * perWeight, `${n} instances`);
    assert.ok(ring.size <= 2 ** 20 + n, `${n} instances: ${ring.size} points`);
  }
});

test('hash: removing 1 of 1,000 instances moves only its keys, about 1/1,000 of them', (t) => {
  const keys = Array.from({ length: 50_000 }, (_, i) => `session-${i}`);
  const instances = many(1_000);
  const picker = new HashPicker();
  picker.update(instances);
  const before = keys.map((key) => picker.pick(key).id);
  const victim = instances[417] as Instance;
  picker.update(instances.filter((i) => i !== victim));
  const moved = keys.filter((key, k) => picker.pick(key).id !== before[k]);
  t.diagnostic(`removing 1 of 1000 moved ${moved.length} of ${keys.length} keys (ideal ${keys.length / 1_000})`);
  assert.ok(moved.every((key) => before[keys.indexOf(key)] === victim.id), 'only keys of the removed instance move');
  assert.equal(moved.length, before.filter((id) => id === victim.id).length, 'and all of them');
  assert.ok(moved.length >= 25 && moved.length <= 100, `moved ${moved.length}, ideal 50`);
});

test('hash: a picker changed one instance at a time agrees on every key with one built at once', () => {
  const random = seeded(5);
  const keys = Array.from({ length: 3_000 }, (_, i) => `user-${i}`);
  // Total weight around 1,500: every weight change steps the points per weight (1,048,576 / W).
  let instances = many(1_000, (i) => 1 + (i % 2));
  const picker = new HashPicker();
  picker.update(instances);
  let serial = 0;
  for (let change = 0; change < 24; change++) {
    const at = Math.floor(random() * instances.length);
    const r = random();
    const target = instances[at] as Instance;
    if (r < 0.3) instances = instances.filter((_, i) => i !== at);
    else if (r < 0.55) instances = [...instances, inst(`x${String(serial++).padStart(3, '0')}`, { weight: 1 + Math.floor(random() * 3) })];
    else if (r < 0.8) instances = instances.map((i) => (i === target ? { ...i, weight: 1 + Math.floor(random() * 4) } : i));
    else instances = instances.map((i) => (i === target ? { ...i, status: i.status === 'up' ? 'draining' : 'up' } : i));
    instances.sort((a, b) => (a.key < b.key ? -1 : 1));
    picker.update(instances);
    if (change % 8 !== 7) continue;
    const fresh = new HashPicker();
    fresh.update([...instances].reverse());
    assert.equal(picker.size, fresh.size, `after change ${change}`);
    for (const key of keys) assert.equal(picker.pick(key).id, fresh.pick(key).id, `${key} after change ${change}`);
  }
});
