import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeastLoadedPicker } from '../../src/balance/index.js';
import type { InstanceHandle } from '../../src/balance/index.js';
import { fleet, inst, seeded, tally } from '../helpers/balance-fixtures.js';

test('least-loaded: of two instances, always the one with fewer calls in flight', () => {
  const picker = new LeastLoadedPicker({ random: seeded(3) });
  picker.update([inst('a'), inst('b')]);
  const held = loadOnly(picker, 'a', 6);
  assert.ok(held.length >= 2, `a holds ${held.length} calls`);
  // a has calls in flight, b none: b wins every comparison.
  const counts = tally(() => picker.pick(), 200);
  assert.equal(counts.get('b'), 200);
});

test('least-loaded: the most loaded of three is never picked (two distinct choices)', () => {
  const picker = new LeastLoadedPicker({ random: seeded(9) });
  picker.update([inst('a'), inst('b'), inst('c')]);
  const busy = loadOnly(picker, 'a', 15);
  assert.ok(busy.length >= 3, `a holds ${busy.length} calls`);
  const counts = tally(() => picker.pick(), 3_000);
  assert.equal(counts.get('a'), undefined);
  assert.ok((counts.get('b') ?? 0) > 1_300 && (counts.get('c') ?? 0) > 1_300, JSON.stringify([...counts]));
  for (const handle of busy) handle.release();
  assert.ok((tally(() => picker.pick(), 3_000).get('a') ?? 0) > 800, 'released load counts again');
});

test('least-loaded: acquire spreads concurrent calls evenly', (t) => {
  const picker = new LeastLoadedPicker({ random: seeded(11) });
  picker.update(fleet(4));
  const handles = Array.from({ length: 40 }, () => picker.acquire());
  const perInstance = new Map<string, number>();
  for (const h of handles) perInstance.set(h.instance.id, (perInstance.get(h.instance.id) ?? 0) + 1);
  t.diagnostic(`40 concurrent calls over 4 instances: ${[...perInstance.values()].join(' ')}`);
  for (const count of perInstance.values()) assert.ok(count >= 8 && count <= 12, `count ${count}`);
});

test('least-loaded: equal load breaks ties randomly (both instances chosen)', () => {
  const picker = new LeastLoadedPicker({ random: seeded(5) });
  picker.update([inst('a'), inst('b')]);
  const counts = tally(() => picker.pick(), 2_000);
  assert.ok((counts.get('a') ?? 0) > 900 && (counts.get('b') ?? 0) > 900, JSON.stringify([...counts]));
});

test('least-loaded: run() counts the call in flight until it settles', async () => {
  const picker = new LeastLoadedPicker({ random: seeded(1) });
  picker.update([inst('a'), inst('b')]);
  let finish: () => void = () => {};
  let running = '';
  const call = picker.run(async (instance) => {
    running = instance.id;
    await new Promise<void>((resolve) => (finish = resolve));
    return instance.id;
  });
  const other = running === 'a' ? 'b' : 'a';
  assert.equal(picker.pick().id, other);
  finish();
  assert.equal(await call, running);
  const counts = tally(() => picker.pick(), 400);
  assert.ok((counts.get(running) ?? 0) > 150, 'after settling both are equal again');
});

/** Acquires `n` calls (they spread over the instances), then releases all but those on `id`. */
function loadOnly(picker: LeastLoadedPicker, id: string, n: number): InstanceHandle[] {
  const held: InstanceHandle[] = [];
  for (const handle of Array.from({ length: n }, () => picker.acquire())) {
    if (handle.instance.id === id) held.push(handle);
    else handle.release();
  }
  return held;
}
