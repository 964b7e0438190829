import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeightedPicker } from '../../src/balance/index.js';
import type { Instance } from '../../src/codec/instance.js';
import { inst, tally } from '../helpers/balance-fixtures.js';

const WEIGHTS: Record<string, number> = { a: 5, b: 3, c: 1, d: 1 };
const TOTAL = 10;
const weighted = (): Instance[] => Object.entries(WEIGHTS).map(([id, weight]) => inst(id, { weight }));

/** Largest excess of any instance's count over ceil(share × window), over the given windows. */
function worstExcess(sequence: readonly string[], starts: Iterable<number>, maxWindow: number): number {
  let worst = -Infinity;
  for (const start of starts) {
    const counts = new Map<string, number>();
    for (let window = 1; window <= maxWindow && start + window <= sequence.length; window++) {
      const id = sequence[start + window - 1] ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const [other, weight] of Object.entries(WEIGHTS)) {
        const excess = (counts.get(other) ?? 0) - Math.ceil((weight / TOTAL) * window);
        if (excess > worst) worst = excess;
      }
    }
  }
  return worst;
}

test('weighted: over 100k picks each share is within 1% of weight / total weight', (t) => {
  const picker = new WeightedPicker();
  picker.update(weighted());
  const counts = tally(() => picker.pick(), 100_000);
  const shares: string[] = [];
  for (const [id, weight] of Object.entries(WEIGHTS)) {
    const share = (counts.get(id) ?? 0) / 100_000;
    shares.push(`${id}=${(share * 100).toFixed(2)}%`);
    assert.ok(Math.abs(share - weight / TOTAL) < 0.01, `${id}: share ${share}, expected ${weight / TOTAL}`);
  }
  t.diagnostic(`shares ${shares.join(' ')} (weights 5/3/1/1)`);
});

test('weighted: one cycle of weights 5,1,1 is a a b c a a a (earliest deadline first, the lighter first on a tie)', () => {
  const picker = new WeightedPicker();
  picker.update([inst('a', { weight: 5 }), inst('b'), inst('c')]);
  // Deadlines a: .1 .3 .5 .7 .9, b and c: .5; the cycle then repeats exactly.
  assert.deepEqual(
    Array.from({ length: 14 }, () => picker.pick().id),
    ['a', 'a', 'b', 'c', 'a', 'a', 'a', 'a', 'a', 'b', 'c', 'a', 'a', 'a'],
  );
});

test('weighted: an instance back from ejection starts at the current time, with no burst to catch up', () => {
  let now = 0;
  const picker = new WeightedPicker({ now: () => now, outlier: { consecutiveFailures: 1, baseEjectionMs: 1000, maxEjectionPercent: 50 } });
  const [a, b] = [inst('a'), inst('b')];
  picker.update([a, b]);
  picker.reportFailure(b);
  for (let i = 0; i < 100; i++) assert.equal(picker.pick().id, 'a');
  now = 1000;
  const next = Array.from({ length: 6 }, () => picker.pick().id);
  assert.equal(next.filter((id) => id === 'b').length, 3, next.join(' '));
});

test('weighted: from a cycle start, no instance exceeds ceil(share × window) in any window', () => {
  const picker = new WeightedPicker();
  picker.update(weighted());
  const sequence = Array.from({ length: 5 * TOTAL }, () => picker.pick().id);
  const cycleStarts = [0, 10, 20, 30, 40];
  assert.equal(worstExcess(sequence, cycleStarts, 2 * TOTAL), 0);
});

test('weighted: in any sliding window an instance is at most one pick over its share', () => {
  const picker = new WeightedPicker();
  picker.update(weighted());
  const sequence = Array.from({ length: 10 * TOTAL }, () => picker.pick().id);
  const everyStart = Array.from({ length: sequence.length }, (_, i) => i);
  // Plain (non-smooth) weighted round robin, a a a a a b b b c d, would be 3 over here.
  assert.ok(worstExcess(sequence, everyStart, 2 * TOTAL) <= 1);
});

test('weighted: shares stay exact after an update removes and adds instances', () => {
  const picker = new WeightedPicker();
  picker.update(weighted());
  for (let i = 0; i < 3; i++) picker.pick();
  picker.update([inst('a', { weight: 5 }), inst('b', { weight: 3 }), inst('e', { weight: 2 })]);
  // Running weights left over from the old set shift where a cycle starts, not the shares.
  const counts = tally(() => picker.pick(), 1_000);
  assert.ok(Math.abs((counts.get('a') ?? 0) - 500) <= 2, `a ${counts.get('a')}`);
  assert.ok(Math.abs((counts.get('b') ?? 0) - 300) <= 2, `b ${counts.get('b')}`);
  assert.ok(Math.abs((counts.get('e') ?? 0) - 200) <= 2, `e ${counts.get('e')}`);
  assert.equal(counts.get('c'), undefined);
});

test('weighted: a newcomer is neither starved nor given a burst', () => {
  const picker = new WeightedPicker();
  picker.update([inst('a'), inst('b')]);
  for (let i = 0; i < 101; i++) picker.pick();
  picker.update([inst('a'), inst('b'), inst('c')]);
  const next = Array.from({ length: 6 }, () => picker.pick().id);
  assert.equal(next.filter((id) => id === 'c').length, 2, next.join(' '));
});

test('weighted: a non-positive weight on a hand-built instance counts as 1', () => {
  const picker = new WeightedPicker();
  picker.update([inst('a', { weight: 0 }), inst('b', { weight: 1 })]);
  const counts = tally(() => picker.pick(), 100);
  assert.equal(counts.get('a'), 50);
});
