// Outlier ejection, driven by an injected clock: no sleeps, no timing assumptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPicker, DEFAULT_OUTLIER_OPTIONS } from '../../src/balance/index.js';
import type { CreatePickerOptions, Picker } from '../../src/balance/index.js';
import type { Instance } from '../../src/codec/instance.js';
import { NoInstanceError } from '../../src/errors.js';
import { fakeClock, fleet, inst, type FakeClock } from '../helpers/balance-fixtures.js';

function setup(instances: Instance[], options: CreatePickerOptions = {}): { picker: Picker; clock: FakeClock } {
  const clock = fakeClock();
  const picker = createPicker({ strategy: 'round-robin', random: () => 0, now: clock.now, ...options });
  picker.update(instances);
  return { picker, clock };
}

function fail(picker: Picker, instance: Instance, times: number): void {
  for (let i = 0; i < times; i++) picker.reportFailure(instance);
}

const ejectedIds = (picker: Picker): string[] => picker.ejected().map((i) => i.id).sort();
const picks = (picker: Picker, n: number): string[] => Array.from({ length: n }, () => picker.pick().id);

test('outlier: defaults are 5 failures, 30 s base, 300 s max, 50 %', () => {
  assert.deepEqual({ ...DEFAULT_OUTLIER_OPTIONS }, {
    consecutiveFailures: 5,
    baseEjectionMs: 30_000,
    maxEjectionMs: 300_000,
    maxEjectionPercent: 50,
  });
});

test('outlier: the 5th consecutive failure ejects; an ejected instance is not picked', () => {
  const [a, b, c] = fleet(3) as [Instance, Instance, Instance];
  const { picker } = setup([a, b, c]);
  fail(picker, b, 4);
  assert.deepEqual(ejectedIds(picker), []);
  assert.deepEqual(picks(picker, 3), ['i00', 'i01', 'i02']);
  fail(picker, b, 1);
  assert.deepEqual(ejectedIds(picker), ['i01']);
  assert.equal(picker.size, 2);
  assert.deepEqual(picks(picker, 4), ['i00', 'i02', 'i00', 'i02']);
});

test('outlier: a success resets the consecutive-failure count', () => {
  const [a, b] = fleet(2) as [Instance, Instance];
  const { picker } = setup([a, b]);
  fail(picker, a, 4);
  picker.reportSuccess(a);
  fail(picker, a, 4);
  assert.deepEqual(ejectedIds(picker), []);
  fail(picker, a, 1);
  assert.deepEqual(ejectedIds(picker), ['i00']);
});

test('outlier: an ejected instance returns when its time is up, checked lazily on pick', () => {
  const [a, b] = fleet(2) as [Instance, Instance];
  const { picker, clock } = setup([a, b]);
  fail(picker, a, 5);
  clock.advance(29_999);
  assert.deepEqual(picks(picker, 2), ['i01', 'i01']);
  clock.advance(1);
  assert.deepEqual(new Set(picks(picker, 2)), new Set(['i00', 'i01']));
  assert.deepEqual(ejectedIds(picker), []);
});

test('outlier: each repeat ejection lasts base × n, capped at maxEjectionMs', () => {
  const [a, b] = fleet(2) as [Instance, Instance];
  const { picker, clock } = setup([a, b], { outlier: { baseEjectionMs: 10_000, maxEjectionMs: 35_000 } });
  // Ejection n lasts 10, 20, 30, then 35 (capped), 35 seconds.
  for (const expected of [10_000, 20_000, 30_000, 35_000, 35_000]) {
    fail(picker, a, 5);
    assert.deepEqual(ejectedIds(picker), ['i00'], `ejected for ${expected}`);
    clock.advance(expected - 1);
    assert.deepEqual(ejectedIds(picker), ['i00'], `still ejected at ${expected - 1}`);
    clock.advance(1);
    assert.deepEqual(ejectedIds(picker), [], `back at ${expected}`);
  }
});

test('outlier: a maxEjectionMs below baseEjectionMs still ejects for baseEjectionMs', () => {
  const [a, b] = fleet(2) as [Instance, Instance];
  const { picker, clock } = setup([a, b], { outlier: { baseEjectionMs: 60_000, maxEjectionMs: 1_000 } });
  fail(picker, a, 5);
  clock.advance(59_999);
  assert.deepEqual(ejectedIds(picker), ['i00']);
  clock.advance(1);
  assert.deepEqual(ejectedIds(picker), []);
});

test('outlier: never more than maxEjectionPercent ejected; the next failure ejects once there is room', () => {
  const [a, b, c, d] = fleet(4) as [Instance, Instance, Instance, Instance];
  const { picker, clock } = setup([a, b, c, d]);
  fail(picker, a, 5);
  clock.advance(1_000);
  fail(picker, b, 5);
  fail(picker, c, 5);
  assert.deepEqual(ejectedIds(picker), ['i00', 'i01'], '50 % of 4 is 2');
  clock.advance(29_000); // a returns
  assert.deepEqual(ejectedIds(picker), ['i01']);
  fail(picker, c, 1); // c's count kept growing; one more failure and there is room now
  assert.deepEqual(ejectedIds(picker), ['i01', 'i02']);
  assert.deepEqual(new Set(picks(picker, 4)), new Set(['i00', 'i03']));
});

test('outlier: with the default 50 %, a lone instance is never ejected', () => {
  const { picker } = setup([inst('solo')]);
  fail(picker, inst('solo'), 50);
  assert.deepEqual(ejectedIds(picker), []);
  assert.equal(picker.pick().id, 'solo');
});

test('outlier: maxEjectionPercent 100 can eject all; the error names the wait', () => {
  const { picker, clock } = setup([inst('a'), inst('b')], { service: 'orders', outlier: { maxEjectionPercent: 100 } });
  fail(picker, inst('a'), 5);
  clock.advance(10_000);
  fail(picker, inst('b'), 5);
  assert.equal(picker.size, 0);
  assert.throws(
    () => picker.pick(),
    (error: unknown) =>
      error instanceof NoInstanceError &&
      error.details.reason === 'all-ejected' &&
      error.message ===
        'all 2 matching instance(s) of service "orders" are ejected after consecutive failures; the first returns in 20000 ms',
  );
});

test('outlier: an update that shrinks the set ends the soonest ejections to respect the cap', () => {
  const [a, b, c, d] = fleet(4) as [Instance, Instance, Instance, Instance];
  const { picker, clock } = setup([a, b, c, d]);
  fail(picker, a, 5);
  clock.advance(5_000);
  fail(picker, b, 5);
  picker.update([a, b]); // 50 % of 2 is 1: a (ending first) returns early
  assert.deepEqual(ejectedIds(picker), ['i01']);
  assert.deepEqual(picks(picker, 2), ['i00', 'i00']);
});

test('outlier: ejection state survives an update for instances still present', () => {
  const [a, b, c] = fleet(3) as [Instance, Instance, Instance];
  const { picker } = setup([a, b, c]);
  fail(picker, a, 5);
  fail(picker, b, 3);
  picker.update([inst('i00'), inst('i01'), inst('i02'), inst('i03')]);
  assert.deepEqual(ejectedIds(picker), ['i00']);
  fail(picker, b, 2); // 3 + 2: the failure count survived too
  assert.deepEqual(ejectedIds(picker), ['i00', 'i01']);
});

test('outlier: an instance removed and re-added starts with a clean record', () => {
  const [a, b] = fleet(2) as [Instance, Instance];
  const { picker, clock } = setup([a, b], { outlier: { baseEjectionMs: 10_000 } });
  fail(picker, a, 5);
  clock.advance(10_000);
  picker.update([b]);
  picker.update([a, b]);
  fail(picker, a, 5);
  clock.advance(10_000); // a first ejection again (10 s), not a second one (20 s)
  assert.deepEqual(ejectedIds(picker), []);
});

test('outlier: reports about an ejected instance are ignored until it returns', () => {
  const [a, b] = fleet(2) as [Instance, Instance];
  const { picker, clock } = setup([a, b]);
  fail(picker, a, 5);
  fail(picker, a, 20); // late results of calls started before the ejection
  clock.advance(30_000);
  assert.deepEqual(ejectedIds(picker), []);
  fail(picker, a, 4);
  assert.deepEqual(ejectedIds(picker), [], 'it needs a full new run of failures');
});

test('outlier: preferZone falls back to other zones while every same-zone instance is ejected', () => {
  const a = inst('a', { zone: 'z1' });
  const b = inst('b', { zone: 'z2' });
  const c = inst('c', { zone: 'z2' });
  const { picker, clock } = setup([a, b, c], { preferZone: 'z1' });
  assert.deepEqual(picks(picker, 2), ['a', 'a']);
  fail(picker, a, 5);
  assert.deepEqual(picks(picker, 2), ['b', 'c']);
  clock.advance(30_000);
  assert.deepEqual(picks(picker, 2), ['a', 'a']);
});

test('outlier: consecutiveFailures Infinity or maxEjectionPercent 0 disable ejection', () => {
  for (const outlier of [{ consecutiveFailures: Infinity }, { maxEjectionPercent: 0 }]) {
    const { picker } = setup(fleet(4), { outlier });
    fail(picker, inst('i00'), 1_000);
    assert.deepEqual(ejectedIds(picker), [], JSON.stringify(outlier));
  }
});

test('outlier: acquire/release counts toward ejection on every strategy', () => {
  for (const strategy of ['random', 'round-robin', 'weighted', 'least-loaded', 'hash'] as const) {
    const { picker } = setup(fleet(2), { strategy, outlier: { consecutiveFailures: 2 } });
    const victim = picker.acquire('k').instance;
    picker.reportFailure(victim);
    picker.reportFailure(victim);
    assert.deepEqual(ejectedIds(picker), [victim.id], strategy);
    for (let i = 0; i < 20; i++) assert.notEqual(picker.pick(`k${i}`).id, victim.id, strategy);
  }
});

test('outlier: the ejection multiplier decays by one per base ejection time spent healthy', () => {
  const [a, b, c, d] = fleet(4) as [Instance, Instance, Instance, Instance];
  const { picker, clock } = setup([a, b, c, d], { outlier: { baseEjectionMs: 1000, maxEjectionMs: 10_000 } });
  const ejectedFor = (): number => {
    fail(picker, a, 5);
    const start = clock.now();
    while (ejectedIds(picker).includes('i00')) clock.advance(100);
    return clock.now() - start;
  };
  assert.equal(ejectedFor(), 1000);
  assert.equal(ejectedFor(), 2000);
  assert.equal(ejectedFor(), 3000); // flapping: benched longer each time
  clock.advance(2000); // two base periods healthy: multiplier 3 -> 1
  assert.equal(ejectedFor(), 2000);
  clock.advance(60_000); // long healthy: back to a first ejection
  assert.equal(ejectedFor(), 1000);
});

test('outlier: ejections and returns are published on rollcall:picker:ejection, picks on rollcall:picker:pick', async () => {
  const diagnostics = await import('node:diagnostics_channel');
  const [a, b, c] = fleet(3) as [Instance, Instance, Instance];
  const { picker, clock } = setup([a, b, c], { outlier: { baseEjectionMs: 1000 } });
  const ejections: { instance: Instance; ejected: boolean; durationMs?: number; service: string }[] = [];
  const pickedIds: string[] = [];
  const onEjection = (m: unknown): void => void ejections.push(m as (typeof ejections)[number]);
  const onPick = (m: unknown): void => void pickedIds.push((m as { instance: Instance }).instance.id);
  diagnostics.subscribe('rollcall:picker:ejection', onEjection);
  diagnostics.subscribe('rollcall:picker:pick', onPick);
  try {
    fail(picker, b, 5);
    clock.advance(1000);
    assert.deepEqual(picks(picker, 2), ['i00', 'i01']);
  } finally {
    diagnostics.unsubscribe('rollcall:picker:ejection', onEjection);
    diagnostics.unsubscribe('rollcall:picker:pick', onPick);
  }
  assert.deepEqual(ejections.map((e) => [e.instance.id, e.ejected, e.durationMs, e.service]), [
    ['i01', true, 1000, 'orders'],
    ['i01', false, undefined, 'orders'],
  ]);
  assert.deepEqual(pickedIds, ['i00', 'i01']);
  picker.pick();
  assert.equal(pickedIds.length, 2, 'nothing is published once unsubscribed');
});
