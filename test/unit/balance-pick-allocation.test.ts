// pick() allocates nothing, on every strategy and at every size: the young generation must not
// grow while a picker picks. (A scavenge in the window could hide growth, so every one of several
// windows must stay flat; a pick that allocated would fill them.)
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
      for (let window = 0; window < 3; window++) {
        const before = youngBytes();
        picks(100_000);
        growth.push(youngBytes() - before);
      }
      assert.ok(sink > 0);
      assert.ok(growth.every((bytes) => bytes < 64 * 1024), `${strategy} at ${size}: young generation grew ${growth.join(', ')} bytes over 100,000 picks`);
    }
  }
});
