// The protection (panic) threshold: with too few pickable instances, pick among all non-leaving ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { createPicker, PICKER_STRATEGIES, type PanicInfo } from '../../src/balance/index.js';
import type { Instance } from '../../src/codec/instance.js';
import { InvalidConfigError } from '../../src/errors.js';
import { fakeClock, fleet, inst } from '../helpers/balance-fixtures.js';

const ids = (list: readonly Instance[]): string[] => list.map((i) => i.id).sort();

function pickedSet(pick: () => Instance, n: number): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(pick().id);
  return [...seen].sort();
}

test('panic: below the threshold every strategy picks among up, draining and ejected instances, never leaving ones', () => {
  for (const strategy of PICKER_STRATEGIES) {
    const events: PanicInfo[] = [];
    const clock = fakeClock();
    const picker = createPicker({ strategy, panicThreshold: 0.5, now: clock.now, onPanic: (info) => events.push(info), outlier: { consecutiveFailures: 1, maxEjectionPercent: 100 } });
    const [a, b, c, d, e] = [inst('a'), inst('b', { status: 'draining' }), inst('c', { status: 'draining' }), inst('d'), inst('e', { status: 'leaving' })];
    picker.update([a, b, c, d, e].filter((x): x is Instance => x !== undefined));
    // 2 of 4 non-leaving are up: 50 % is not below 0.5, no panic yet.
    assert.equal(events.length, 0, strategy);
    assert.deepEqual(pickedSet(() => picker.pick('k' + Math.random()), 400), ['a', 'd'], strategy);
    picker.reportFailure(d as Instance); // ejected: 1 of 4 pickable, 25 % < 50 %
    assert.equal(events.length, 1, strategy);
    assert.deepEqual(events[0], { service: 'orders', panic: true, pickable: 1, total: 4, threshold: 0.5 });
    assert.deepEqual(pickedSet(() => picker.pick('k' + Math.random()), 400), ['a', 'b', 'c', 'd'], strategy);
    clock.advance(60_000); // d returns: out of panic
    assert.equal(picker.size, 2, strategy);
    assert.equal(events.length, 2, strategy);
    assert.equal(events[1]?.panic, false, strategy);
    assert.deepEqual(ids(picker.ejected()), [], strategy);
  }
});

test('panic: off by default; a lone up instance among many draining ones takes every call', () => {
  const picker = createPicker({ strategy: 'round-robin' });
  picker.update([inst('a'), ...fleet(9, { status: 'draining' })]);
  assert.deepEqual(pickedSet(() => picker.pick(), 50), ['a']);
});

test('panic: published on rollcall:picker:panic; a throwing onPanic does not break picking', () => {
  const got: PanicInfo[] = [];
  const onMessage = (m: unknown): void => void got.push(m as PanicInfo);
  diagnostics.subscribe('rollcall:picker:panic', onMessage);
  try {
    const picker = createPicker({
      strategy: 'random',
      panicThreshold: 0.9,
      onPanic: () => {
        throw new Error('listener bug');
      },
    });
    picker.update([inst('a'), inst('b', { status: 'draining' })]);
    assert.deepEqual(pickedSet(() => picker.pick(), 200), ['a', 'b']);
  } finally {
    diagnostics.unsubscribe('rollcall:picker:panic', onMessage);
  }
  assert.equal(got.length, 1);
  assert.equal(got[0]?.panic, true);
});

test('panic: the threshold must be a fraction from 0 to 1', () => {
  for (const bad of [-0.1, 1.5, Number.NaN]) {
    assert.throws(() => createPicker({ panicThreshold: bad }), InvalidConfigError);
  }
});
