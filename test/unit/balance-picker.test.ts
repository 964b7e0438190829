// Behaviour every strategy shares: status, zone preference, filters, errors, the factory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPicker,
  HashPicker,
  LeastLoadedPicker,
  PICKER_STRATEGIES,
  RandomPicker,
  RoundRobinPicker,
  WeightedPicker,
} from '../../src/balance/index.js';
import type { NoInstanceReason, Picker, PickerOptions } from '../../src/balance/index.js';
import { InvalidConfigError, NoInstanceError } from '../../src/errors.js';
import { fleet, inst, seeded } from '../helpers/balance-fixtures.js';

/** Distinct ids over many picks (with a varying key, so hash covers the set too). */
function pickedIds(picker: Picker, times = 400): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i < times; i++) ids.add(picker.pick(`key-${i}`).id);
  return ids;
}

function every(options: PickerOptions = {}): Picker[] {
  return PICKER_STRATEGIES.map((strategy) => createPicker({ ...options, strategy, random: seeded(17) }));
}

function assertNoInstance(picker: Picker, reason: NoInstanceReason, message: RegExp): void {
  assert.throws(
    () => picker.pick('k'),
    (error: unknown) =>
      error instanceof NoInstanceError &&
      error.code === 'ERR_NO_INSTANCE' &&
      error.details.reason === reason &&
      message.test(error.message),
  );
}

test('factory: each strategy name builds its class; options form and default work', () => {
  const classes = [RandomPicker, RoundRobinPicker, WeightedPicker, LeastLoadedPicker, HashPicker];
  PICKER_STRATEGIES.forEach((strategy, i) => {
    const picker = createPicker(strategy);
    assert.ok(picker instanceof (classes[i] as typeof RandomPicker), strategy);
    assert.equal(picker.strategy, strategy);
    assert.equal(createPicker({ strategy, preferZone: 'z' }).strategy, strategy);
  });
  assert.equal(createPicker().strategy, 'round-robin');
  assert.equal(createPicker({ preferZone: 'z' }).strategy, 'round-robin');
});

test('factory: an unknown strategy or an invalid option is an InvalidConfigError', () => {
  assert.throws(() => createPicker('fastest' as 'random'), InvalidConfigError);
  assert.throws(() => createPicker({ outlier: { consecutiveFailures: 0 } }), InvalidConfigError);
  assert.throws(() => createPicker({ outlier: { maxEjectionPercent: 101 } }), InvalidConfigError);
  assert.throws(() => createPicker({ outlier: { baseEjectionMs: -1 } }), InvalidConfigError);
  assert.throws(() => createPicker({ outlier: { maxEjectionMs: Number.NaN } }), InvalidConfigError);
  assert.throws(() => createPicker({ filter: { tags: 'blue' as unknown as string[] } }), InvalidConfigError);
  assert.throws(() => createPicker({ random: 0.5 as unknown as () => number }), InvalidConfigError);
  assert.doesNotThrow(() => createPicker({ outlier: { consecutiveFailures: Infinity, maxEjectionPercent: 0 } }));
});

test('status: draining and leaving instances are never picked, by any strategy', () => {
  for (const picker of every()) {
    picker.update([inst('a'), inst('b', { status: 'draining' }), inst('c', { status: 'leaving' }), inst('d')]);
    assert.deepEqual([...pickedIds(picker)].sort(), ['a', 'd'], picker.strategy);
    assert.equal(picker.size, 2);
  }
});

test('zone: only same-zone instances are picked while any is pickable', () => {
  for (const picker of every({ preferZone: 'z1' })) {
    picker.update([inst('a', { zone: 'z1' }), inst('b', { zone: 'z2' }), inst('c', { zone: 'z1' }), inst('d')]);
    assert.deepEqual([...pickedIds(picker)].sort(), ['a', 'c'], picker.strategy);
    assert.equal(picker.size, 2);
  }
});

test('zone: falls back to every zone when no same-zone instance is pickable', () => {
  for (const picker of every({ preferZone: 'z1' })) {
    picker.update([inst('a', { zone: 'z1', status: 'draining' }), inst('b', { zone: 'z2' }), inst('d')]);
    assert.deepEqual([...pickedIds(picker)].sort(), ['b', 'd'], picker.strategy);
    picker.update([inst('b', { zone: 'z2' }), inst('d')]);
    assert.deepEqual([...pickedIds(picker)].sort(), ['b', 'd'], picker.strategy);
  }
});

test('filter: tags are all required', () => {
  const picker = createPicker({ filter: { tags: ['grpc', 'v2'] } });
  picker.update([inst('a', { tags: ['grpc'] }), inst('b', { tags: ['v2', 'grpc', 'x'] }), inst('c', { tags: ['v2'] })]);
  assert.deepEqual([...pickedIds(picker)], ['b']);
});

test('filter: version as an exact string or as a test (given undefined when absent)', () => {
  const exact = createPicker({ filter: { version: '1.2.0' } });
  exact.update([inst('a', { version: '1.2.0' }), inst('b', { version: '1.3.0' }), inst('c')]);
  assert.deepEqual([...pickedIds(exact)], ['a']);

  const seen: Array<string | undefined> = [];
  const tested = createPicker({
    filter: { version: (v) => (seen.push(v), v === undefined || v.startsWith('1.3')) },
  });
  tested.update([inst('a', { version: '1.2.0' }), inst('b', { version: '1.3.0' }), inst('c')]);
  assert.deepEqual([...pickedIds(tested)].sort(), ['b', 'c']);
  assert.ok(seen.includes(undefined));
});

test('filter: predicate combines with tags and version; all are applied in update(), not per pick', () => {
  let calls = 0;
  const picker = createPicker({
    filter: { tags: ['t'], version: '2', predicate: (i) => (calls++, i.id !== 'b') },
  });
  picker.update([inst('a', { tags: ['t'], version: '2' }), inst('b', { tags: ['t'], version: '2' }), inst('c', { tags: ['t'] })]);
  const afterUpdate = calls;
  assert.deepEqual([...pickedIds(picker)], ['a']);
  assert.equal(calls, afterUpdate, 'picks do not re-run the filter');
});

test('filter: a throwing predicate fails update() and leaves the previous snapshot in place', () => {
  let explode = false;
  const picker = createPicker({
    strategy: 'random',
    filter: {
      predicate: () => {
        if (explode) throw new Error('boom');
        return true;
      },
    },
  });
  picker.update([inst('a')]);
  explode = true;
  assert.throws(() => picker.update([inst('b')]), /boom/);
  assert.equal(picker.pick().id, 'a');
});

test('errors: NoInstanceError says which service and why', () => {
  const named = createPicker({ service: 'orders' });
  assertNoInstance(named, 'none-registered', /^no instance of service "orders" is registered$/);

  const picker = createPicker({ filter: { tags: ['gpu'] } });
  assertNoInstance(picker, 'none-registered', /service "\(unknown\)"/);
  picker.update([inst('a', { status: 'draining' }), inst('b', { status: 'leaving' })]);
  assertNoInstance(picker, 'all-draining', /^all 2 instance\(s\) of service "orders" are draining or leaving$/);
  picker.update([inst('a'), inst('b', { status: 'draining' })]);
  assertNoInstance(picker, 'all-filtered', /^none of the 1 up instance\(s\) of service "orders" matches the picker filter$/);
  picker.update([]);
  assertNoInstance(picker, 'none-registered', /service "orders" is registered/);
});

test('errors: size is 0 exactly when pick() throws', () => {
  const picker = createPicker('random');
  assert.equal(picker.size, 0);
  assert.throws(() => picker.pick(), NoInstanceError);
  picker.update(fleet(3));
  assert.equal(picker.size, 3);
  assert.doesNotThrow(() => picker.pick());
});

test('update: duplicate keys count once, the last record wins', () => {
  const picker = createPicker('round-robin');
  picker.update([inst('a', { status: 'draining' }), inst('b'), inst('a')]);
  assert.equal(picker.size, 2);
  assert.deepEqual([...pickedIds(picker)].sort(), ['a', 'b']);
});

test('acquire: release is idempotent and release(ok) reports the outcome', () => {
  const picker = createPicker({ strategy: 'least-loaded', outlier: { consecutiveFailures: 2, maxEjectionPercent: 100 } });
  picker.update([inst('a')]);
  const one = picker.acquire();
  one.release(false);
  one.release(false); // ignored: a second failure here would eject a
  assert.equal(picker.ejected().length, 0);
  picker.acquire().release(); // no outcome
  assert.equal(picker.ejected().length, 0);
  picker.acquire().release(false);
  assert.deepEqual(picker.ejected().map((i) => i.id), ['a']);
});

test('run: resolves with fn result; a rejection is rethrown unchanged and counts as a failure', async () => {
  const picker = createPicker({ strategy: 'round-robin', outlier: { consecutiveFailures: 2, maxEjectionPercent: 100 } });
  picker.update([inst('a')]);
  assert.equal(await picker.run(async (i) => i.address), inst('a').address);
  const boom = new Error('boom');
  await assert.rejects(picker.run(async () => Promise.reject(boom)), (e: unknown) => e === boom);
  assert.equal(picker.ejected().length, 0);
  await assert.rejects(picker.run(async () => Promise.reject(boom)));
  assert.deepEqual(picker.ejected().map((i) => i.id), ['a']);
});

test('reportFailure/reportSuccess ignore instances the picker does not hold', () => {
  const picker = createPicker({ outlier: { consecutiveFailures: 1 } });
  picker.update(fleet(2));
  picker.reportFailure(inst('stranger'));
  picker.reportSuccess(inst('stranger'));
  assert.equal(picker.ejected().length, 0);
  assert.equal(picker.size, 2);
});
