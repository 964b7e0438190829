// pick() allocates nothing, on every strategy and at every size: once compiled, the young
// generation must not grow while a picker picks. Code that has not been optimised yet (V8
// compiles on a background thread, later under load) may box numbers, so the check looks for the
// steady state: three windows in a row that stay flat. A window with a scavenge in it (growth
// below zero) proves nothing and breaks the run; a pick that allocated even one byte would grow
// every window past the bound, so it never gets three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { createPicker, PICKER_STRATEGIES } from '../../src/balance/index.js';
import { inst } from '../helpers/balance-fixtures.js';

function youngBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
}

test('pick() allocates nothing, on every strategy, with 100 or 20,000 instances', () => {
  const keys = Array.from({ length: 4096 }, (_, i) => `user-${i}`);
  for (const size of [100, 20_000]) {
    const instances = Array.from({ length: size }, (_, i) => inst(`n${String(i).padStart(6, '0')}`, { weight: 1 + (i % 4) }));
    for (const strategy of PICKER_STRATEGIES) {
      const picker = createPicker({ strategy });
      picker.update(instances);
      let sink = 0;
      const picks = (n: number): void => {
        for (let i = 0; i < n; i++) sink += picker.pick(keys[i & 4095]).weight;
      };
      picks(50_000); // warm up: compiled code, inline caches settled
      const growth: number[] = [];
      let flatInARow = 0;
      for (let window = 0; window < 40 && flatInARow < 3; window++) {
        const before = youngBytes();
        picks(100_000);
        const grew = youngBytes() - before;
        growth.push(grew);
        flatInARow = grew >= 0 && grew < 64 * 1024 ? flatInARow + 1 : 0;
      }
      assert.ok(sink > 0);
      assert.equal(flatInARow, 3, `${strategy} at ${size}: the young generation never stayed flat for 3 windows of 100,000 picks: ${growth.join(', ')} bytes`);
    }
  }
});
