import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomPicker } from '../../src/balance/index.js';
import { chiSquare, fleet, inst, seeded, tally } from '../helpers/balance-fixtures.js';

// Critical value of chi-square with 4 degrees of freedom at p = 0.001.
const CHI2_DF4_P001 = 18.47;

test('random: 50k picks over 5 instances are uniform (chi-square below the p=0.001 bound)', (t) => {
  const picker = new RandomPicker({ random: seeded(42) });
  picker.update(fleet(5));
  const counts = tally(() => picker.pick(), 50_000);
  const observed = ['i00', 'i01', 'i02', 'i03', 'i04'].map((id) => counts.get(id) ?? 0);
  const chi2 = chiSquare(observed, [10_000, 10_000, 10_000, 10_000, 10_000]);
  t.diagnostic(`counts ${observed.join(' ')}, chi2 ${chi2.toFixed(2)}`);
  assert.equal(counts.size, 5, 'every instance is picked');
  assert.ok(chi2 < CHI2_DF4_P001, `chi2 ${chi2} >= ${CHI2_DF4_P001}`);
});

test('random: the bound catches a skewed picker (sanity check of the test itself)', () => {
  // A picker that favours the first instance: the same statistic must reject it.
  const skewed = [12_000, 9_500, 9_500, 9_500, 9_500];
  assert.ok(chiSquare(skewed, [10_000, 10_000, 10_000, 10_000, 10_000]) > CHI2_DF4_P001);
});

test('random: ignores weights (uniform, not weighted)', () => {
  const picker = new RandomPicker({ random: seeded(7) });
  picker.update([inst('a', { weight: 9 }), inst('b', { weight: 1 })]);
  const counts = tally(() => picker.pick(), 20_000);
  const shareA = (counts.get('a') ?? 0) / 20_000;
  assert.ok(shareA > 0.48 && shareA < 0.52, `share of a ${shareA}`);
});

test('random: a random source returning the edges stays in range', () => {
  const values = [0, 0.999999999, 1];
  let i = 0;
  const picker = new RandomPicker({ random: () => values[i++ % values.length] ?? 0 });
  picker.update(fleet(3));
  assert.deepEqual(
    [picker.pick().id, picker.pick().id, picker.pick().id],
    ['i00', 'i02', 'i02'],
  );
});
