import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinPicker } from '../../src/balance/index.js';
import { inst, seeded } from '../helpers/balance-fixtures.js';

const ids = (picker: RoundRobinPicker, n: number): string[] => Array.from({ length: n }, () => picker.pick().id);

test('round-robin: rotates exactly through the instances in key order', () => {
  const picker = new RoundRobinPicker({ random: () => 0 });
  picker.update([inst('c'), inst('a'), inst('b')]);
  assert.deepEqual(ids(picker, 7), ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
});

test('round-robin: starts at a random offset', () => {
  const picker = new RoundRobinPicker({ random: () => 0.5 });
  picker.update([inst('a'), inst('b'), inst('c'), inst('d')]);
  assert.deepEqual(ids(picker, 5), ['c', 'd', 'a', 'b', 'c']);
});

test('round-robin: many clients spread their first pick instead of all hitting one instance', () => {
  const random = seeded(1);
  const first = new Map<string, number>();
  for (let client = 0; client < 400; client++) {
    const picker = new RoundRobinPicker({ random });
    picker.update([inst('a'), inst('b'), inst('c'), inst('d')]);
    const id = picker.pick().id;
    first.set(id, (first.get(id) ?? 0) + 1);
  }
  assert.equal(first.size, 4);
  for (const [id, count] of first) assert.ok(count > 60 && count < 140, `${id} first for ${count} of 400 clients`);
});

test('round-robin: rotation survives an update that adds an instance', () => {
  const picker = new RoundRobinPicker({ random: () => 0 });
  picker.update([inst('a'), inst('b'), inst('d')]);
  assert.deepEqual(ids(picker, 2), ['a', 'b']);
  picker.update([inst('a'), inst('b'), inst('c'), inst('d')]);
  // d was next and still is; the newcomer c takes its turn in the following cycle.
  assert.deepEqual(ids(picker, 5), ['d', 'a', 'b', 'c', 'd']);
});

test('round-robin: rotation survives an update that removes an instance already visited', () => {
  const picker = new RoundRobinPicker({ random: () => 0 });
  picker.update([inst('a'), inst('b'), inst('c'), inst('d')]);
  assert.deepEqual(ids(picker, 2), ['a', 'b']);
  picker.update([inst('b'), inst('c'), inst('d')]);
  assert.deepEqual(ids(picker, 4), ['c', 'd', 'b', 'c']);
});

test('round-robin: when the next instance is removed, the one after it comes next', () => {
  const picker = new RoundRobinPicker({ random: () => 0 });
  picker.update([inst('a'), inst('b'), inst('c'), inst('d')]);
  assert.deepEqual(ids(picker, 1), ['a']);
  picker.update([inst('a'), inst('c'), inst('d')]);
  assert.deepEqual(ids(picker, 4), ['c', 'd', 'a', 'c']);
});

test('round-robin: an unchanged update (same keys, new objects) does not move the rotation', () => {
  const picker = new RoundRobinPicker({ random: () => 0 });
  picker.update([inst('a'), inst('b'), inst('c')]);
  assert.deepEqual(ids(picker, 2), ['a', 'b']);
  picker.update([inst('a'), inst('b'), inst('c')]);
  assert.deepEqual(ids(picker, 2), ['c', 'a']);
});

test('round-robin: a draining instance leaves the rotation and rejoins it in place', () => {
  const picker = new RoundRobinPicker({ random: () => 0 });
  picker.update([inst('a'), inst('b'), inst('c')]);
  picker.update([inst('a'), inst('b', { status: 'draining' }), inst('c')]);
  assert.deepEqual(ids(picker, 3), ['a', 'c', 'a']);
  picker.update([inst('a'), inst('b'), inst('c')]);
  assert.deepEqual(ids(picker, 3), ['c', 'a', 'b']);
});
