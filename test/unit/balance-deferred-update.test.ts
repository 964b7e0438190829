// BasePicker.deferUpdate (what a catalog uses): the rebuild waits for the picker's next use when
// nothing can observe it earlier, and is applied at once otherwise. Plus the hash ring's key
// movement pinned at a larger N than balance-hash.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPicker, HashPicker, RoundRobinPicker } from '../../src/balance/index.js';
import type { BasePicker } from '../../src/balance/base-picker.js';
import { fleet, inst } from '../helpers/balance-fixtures.js';

/** Counts how often the picker really rebuilds (update() runs). */
function counted(picker: BasePicker): { picker: BasePicker; updates: () => number } {
  let updates = 0;
  const update = picker.update.bind(picker);
  picker.update = (instances) => {
    updates += 1;
    update(instances);
  };
  return { picker, updates: () => updates };
}

test('deferUpdate: many deferred updates cost one rebuild, at the next pick, with the last set', () => {
  const { picker, updates } = counted(new RoundRobinPicker());
  picker.update(fleet(3));
  assert.equal(updates(), 1);
  for (let n = 4; n <= 10; n++) assert.equal(picker.deferUpdate(fleet(n)), true, 'deferred');
  assert.equal(updates(), 1, 'nothing rebuilt before the picker is used');
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) seen.add(picker.pick().id);
  assert.equal(updates(), 2, 'one rebuild for seven deferred updates');
  assert.equal(seen.size, 10, 'the last set is the one picked from');
});

test('deferUpdate: size, ejected() and reports see the deferred set', () => {
  const picker = createPicker({ strategy: 'random', outlier: { consecutiveFailures: 1, maxEjectionPercent: 100 } }) as BasePicker;
  picker.update(fleet(2));
  picker.deferUpdate(fleet(5));
  assert.equal(picker.size, 5);
  picker.deferUpdate([inst('only')]);
  picker.reportFailure(inst('only'));
  assert.deepEqual(picker.ejected().map((i) => i.id), ['only'], 'the report reached the deferred set');
});

test('deferUpdate: applied at once with a filter function (it may throw) or an onPanic callback that can fire', () => {
  const withFilter = counted(createPicker({ strategy: 'round-robin', filter: { predicate: (i) => i.id !== 'i00' } }) as BasePicker);
  assert.equal(withFilter.picker.deferUpdate(fleet(3)), false);
  assert.equal(withFilter.updates(), 1);
  const withPanic = counted(createPicker({ strategy: 'round-robin', panicThreshold: 0.5, onPanic: () => undefined }) as BasePicker);
  assert.equal(withPanic.picker.deferUpdate(fleet(3)), false);
  assert.equal(withPanic.updates(), 1);
  const panicOff = counted(createPicker({ strategy: 'round-robin', onPanic: () => undefined }) as BasePicker);
  assert.equal(panicOff.picker.deferUpdate(fleet(3)), true, 'panicThreshold 0 (the default) never panics: deferred');
  const tagsOnly = counted(createPicker({ strategy: 'round-robin', filter: { tags: ['grpc'] } }) as BasePicker);
  assert.equal(tagsOnly.picker.deferUpdate(fleet(3)), true, 'a tags filter cannot throw: deferred');
});

test('deferUpdate: a direct update() replaces a pending deferred one', () => {
  const picker = new RoundRobinPicker();
  picker.deferUpdate(fleet(5));
  picker.update([inst('direct')]);
  assert.equal(picker.size, 1);
  assert.equal(picker.pick().id, 'direct');
});

test('hash: removing one of 100 instances moves only its keys, about 1/100 of them', (t) => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `session-${i}`);
  const instances = Array.from({ length: 100 }, (_, i) => inst(`n${String(i).padStart(3, '0')}`));
  const picker = new HashPicker();
  picker.update(instances);
  const before = keys.map((key) => picker.pick(key).id);
  picker.update(instances.filter((i) => i.id !== 'n042'));
  const moved = keys.filter((key, k) => picker.pick(key).id !== before[k]);
  t.diagnostic(`removing 1 of 100 moved ${moved.length} of ${keys.length} keys (ideal ${keys.length / 100})`);
  assert.ok(moved.every((key) => before[keys.indexOf(key)] === 'n042'), 'only keys of the removed instance move');
  assert.ok(moved.length > 100 && moved.length < 300, `moved ${moved.length}, ideal 200`);
});
