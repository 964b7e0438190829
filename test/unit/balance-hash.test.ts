import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashPicker } from '../../src/balance/index.js';
import type { Instance } from '../../src/codec/instance.js';
import { HashKeyRequiredError } from '../../src/errors.js';
import { fleet, inst } from '../helpers/balance-fixtures.js';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function assign(picker: HashPicker): Map<string, string> {
  return new Map(KEYS.map((key) => [key, picker.pick(key).id]));
}

function perInstance(assignment: Map<string, string>): number[] {
  const counts = new Map<string, number>();
  for (const id of assignment.values()) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.values()];
}

test('hash: the same key picks the same instance, on every picker given the same set', () => {
  const one = new HashPicker();
  const two = new HashPicker();
  one.update(fleet(10));
  two.update(fleet(10).reverse());
  for (const key of KEYS.slice(0, 500)) {
    const first = one.pick(key).id;
    assert.equal(one.pick(key).id, first);
    assert.equal(two.pick(key).id, first, 'input order does not matter');
  }
});

test('hash: 10k keys spread evenly over 10 instances', (t) => {
  const picker = new HashPicker();
  picker.update(fleet(10));
  const counts = perInstance(assign(picker));
  t.diagnostic(`keys per instance: ${counts.join(' ')}`);
  assert.equal(counts.length, 10);
  for (const count of counts) assert.ok(count > 850 && count < 1150, `count ${count}`);
});

test('hash: removing one of 10 instances moves only its keys, about 1/10 of them', (t) => {
  const picker = new HashPicker();
  const instances = fleet(10);
  picker.update(instances);
  const before = assign(picker);
  picker.update(instances.filter((i) => i.id !== 'i03'));
  const after = assign(picker);
  const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
  t.diagnostic(`removing 1 of 10 moved ${moved.length} of 10000 keys (ideal 1000)`);
  assert.ok(moved.every((key) => before.get(key) === 'i03'), 'only keys of the removed instance move');
  assert.equal(moved.length, KEYS.filter((key) => before.get(key) === 'i03').length, 'and all of them');
  assert.ok(moved.length > 850 && moved.length < 1150, `moved ${moved.length}`);
});

test('hash: adding an 11th instance moves about 1/11 of the keys, all to the newcomer', (t) => {
  const picker = new HashPicker();
  const instances = fleet(10);
  picker.update(instances);
  const before = assign(picker);
  picker.update([...instances, inst('new')]);
  const after = assign(picker);
  const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
  t.diagnostic(`adding an 11th moved ${moved.length} of 10000 keys (ideal 909)`);
  assert.ok(moved.every((key) => after.get(key) === 'new'), 'keys only move to the newcomer');
  assert.ok(moved.length > 770 && moved.length < 1050, `moved ${moved.length}`);
});

test('hash: weight-aware, a weight-3 instance gets about 3 times the keys of a weight-1', (t) => {
  const picker = new HashPicker();
  const instances: Instance[] = [inst('heavy', { weight: 3 }), ...fleet(7)];
  picker.update(instances);
  const heavy = [...assign(picker).values()].filter((id) => id === 'heavy').length;
  t.diagnostic(`weight 3 of total 10 got ${heavy} of 10000 keys (ideal 3000)`);
  assert.ok(heavy > 2800 && heavy < 3200, `heavy ${heavy}`);
});

test('hash: a string key and its UTF-8 bytes pick the same instance', () => {
  const picker = new HashPicker();
  picker.update(fleet(10));
  const encoder = new TextEncoder();
  for (const key of ['plain', 'zürich', '東京', 'emoji-🚀', 'lone-\ud800']) {
    assert.equal(picker.pick(encoder.encode(key)).id, picker.pick(key).id, key);
  }
});

test('hash: an ejected instance hands its keys to the next instances on the ring and gets them back', () => {
  let now = 0;
  const picker = new HashPicker({ now: () => now, outlier: { consecutiveFailures: 1 } });
  const instances = fleet(10);
  picker.update(instances);
  const before = assign(picker);
  const victim = instances[4] as Instance;
  picker.reportFailure(victim);
  assert.deepEqual(picker.ejected().map((i) => i.id), [victim.id]);
  const during = assign(picker);
  assert.ok(KEYS.every((key) => before.get(key) === during.get(key) || before.get(key) === victim.id));
  now += 30_000;
  assert.deepEqual(assign(picker), before);
});

test('hash: pick without a key is a HashKeyRequiredError, even with no instances', () => {
  const picker = new HashPicker({ service: 'orders' });
  assert.throws(() => picker.pick(), HashKeyRequiredError);
  picker.update(fleet(3));
  assert.throws(
    () => picker.pick(),
    (error: unknown) =>
      error instanceof HashKeyRequiredError &&
      error.code === 'ERR_HASH_KEY_REQUIRED' &&
      /hash picker for service "orders" needs a key/.test(error.message),
  );
  assert.throws(() => picker.acquire(), HashKeyRequiredError);
  assert.equal(picker.acquire('k').instance.id, picker.pick('k').id);
});

test('hash: at 2,048 -> 2,049 instances (points per weight step down) few keys move, and pickers built in any order agree', (t) => {
  const many = (n: number): Instance[] => Array.from({ length: n }, (_, i) => inst(`n${String(i).padStart(5, '0')}`));
  const grown = new HashPicker();
  grown.update(many(2048));
  const before = assign(grown);
  grown.update(many(2049));
  const after = assign(grown);
  const moved = KEYS.filter((key) => before.get(key) !== after.get(key)).length;
  t.diagnostic(`2048 -> 2049 instances moved ${moved} of 10000 keys (newcomer's share ~5, one point dropped per instance ~10)`);
  assert.ok(moved < 50, `moved ${moved}`);
  // A picker that saw the 2,049 at once answers exactly like the one that grew into them.
  const fresh = new HashPicker();
  fresh.update([...many(2049)].reverse());
  assert.deepEqual(assign(fresh), after);
});

test('hash: a changed weight moves only keys to or from that instance', () => {
  const picker = new HashPicker();
  const instances = fleet(10);
  picker.update(instances);
  const before = assign(picker);
  picker.update(instances.map((i) => (i.id === 'i02' ? { ...i, weight: 3 } : i)));
  const after = assign(picker);
  const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
  assert.ok(moved.length > 0);
  assert.ok(moved.every((key) => after.get(key) === 'i02'), 'a heavier instance only gains keys');
});
