// update() applies only what changed (instance-diff.ts, the candidate list's splices, the running
// counts): after any sequence of updates a picker must hold exactly what a fresh picker given the
// final list holds, and a pure filter must be asked only about instances it has not seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPicker, PICKER_STRATEGIES, type CreatePickerOptions, type Picker } from '../../src/balance/index.js';
import { diffInstances } from '../../src/balance/instance-diff.js';
import type { Instance, InstanceStatus } from '../../src/codec/instance.js';
import { inst, seeded } from '../helpers/balance-fixtures.js';

const STATUSES: readonly InstanceStatus[] = ['up', 'up', 'up', 'draining', 'leaving'];

/** One random change to `list` (kept sorted by key): a join, a leave, or a new version of one instance. */
function change(list: Instance[], random: () => number, serial: number): Instance[] {
  const r = random();
  const at = Math.floor(random() * list.length);
  const target = list[at];
  let next: Instance[];
  if (r < 0.25 || target === undefined) {
    next = [...list, inst(`j${String(serial).padStart(4, '0')}`, { weight: 1 + Math.floor(random() * 3), zone: random() < 0.5 ? 'z1' : 'z2', tags: random() < 0.7 ? ['t'] : [] })];
  } else if (r < 0.45) {
    next = list.filter((_, i) => i !== at);
  } else {
    const version: Instance = {
      ...target,
      status: STATUSES[Math.floor(random() * STATUSES.length)] as InstanceStatus,
      weight: random() < 0.3 ? 1 + Math.floor(random() * 3) : target.weight,
      zone: random() < 0.2 ? (target.zone === 'z1' ? 'z2' : 'z1') : target.zone,
      tags: random() < 0.2 ? (target.tags.length > 0 ? [] : ['t']) : target.tags,
    };
    next = list.map((instance, i) => (i === at ? version : instance));
  }
  return next.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** What pick() chooses among: every candidate once over `size` round-robin picks. */
function candidateIds(picker: Picker): string[] {
  return Array.from({ length: picker.size }, () => picker.pick('k').id).sort();
}

for (const [label, options] of [
  ['plain', {}],
  ['preferZone', { preferZone: 'z1' }],
  ['panic threshold', { panicThreshold: 0.6 }],
  ['tags filter', { filter: { tags: ['t'] } }],
] as [string, CreatePickerOptions][]) {
  test(`update: after random changes every strategy holds what a fresh picker holds (${label})`, () => {
    const random = seeded(label.length * 31);
    let list = Array.from({ length: 40 }, (_, i) => inst(`i${String(i).padStart(3, '0')}`, { zone: i % 3 === 0 ? 'z1' : 'z2', tags: i % 4 === 0 ? [] : ['t'], weight: 1 + (i % 3) }));
    const pickers = PICKER_STRATEGIES.map((strategy) => createPicker({ ...options, strategy, random }));
    for (const picker of pickers) picker.update(list);
    let given: Instance[] = list;
    for (let step = 0; step < 300; step++) {
      // Several changes per update now and then (a catalog batch), one at a time otherwise.
      const changes = random() < 0.2 ? 1 + Math.floor(random() * 5) : 1;
      for (let c = 0; c < changes; c++) list = change(list, random, step * 10 + c);
      // Now and then the same instances as new objects (a relist), or handed over unsorted.
      const copies = random() < 0.05;
      given = copies ? list.map((i) => ({ ...i })) : random() < 0.05 ? [...list].reverse() : list;
      if (copies) list = [...given].sort((a, b) => (a.key < b.key ? -1 : 1));
      for (const picker of pickers) picker.update(given);
      if (step % 10 !== 9) continue;
      const fresh = createPicker({ ...options, strategy: 'round-robin' });
      fresh.update(list);
      const expected = fresh.size === 0 ? [] : candidateIds(fresh);
      for (const picker of pickers) {
        assert.equal(picker.size, expected.length, `${picker.strategy} size at step ${step}`);
        if (picker.strategy === 'round-robin') assert.deepEqual(candidateIds(picker), expected, `step ${step}`);
        if (expected.length === 0) continue;
        const seen = new Set<string>();
        const latest = new Map(given.map((i) => [i.id, i]));
        for (let i = 0; i < 60 * expected.length; i++) {
          const picked = picker.pick(`key-${i}`);
          assert.equal(picked, latest.get(picked.id), `${picker.strategy} returns the latest version of ${picked.id}`);
          seen.add(picked.id);
        }
        for (const id of seen) assert.ok(expected.includes(id), `${picker.strategy} picked ${id}, not a candidate, at step ${step}`);
        if (picker.strategy !== 'hash') assert.equal(seen.size, expected.length, `${picker.strategy} reaches every candidate at step ${step}`);
      }
      const hash = pickers.find((p) => p.strategy === 'hash') as Picker;
      const freshHash = createPicker({ ...options, strategy: 'hash' });
      freshHash.update(list);
      for (let i = 0; i < 300; i++) assert.equal(hash.pick(`user-${i}`).id, freshHash.pick(`user-${i}`).id, `hash key user-${i} at step ${step}`);
    }
  });
}

/** Tags whose `includes` counts its calls: how often a tags filter looked at an instance. */
class CountingTags extends Array<string> {
  static calls = 0;
  override includes(tag: string): boolean {
    CountingTags.calls += 1;
    return super.includes(tag);
  }
}

test('update: a pure filter is asked only about new or changed instances, a function filter about all of them', () => {
  const tagged = (i: number, weight = 1): Instance => ({ ...inst(`n${String(i).padStart(5, '0')}`, { weight }), tags: CountingTags.from(['t']) });
  const list = Array.from({ length: 10_000 }, (_, i) => tagged(i));
  const picker = createPicker({ strategy: 'round-robin', filter: { tags: ['t'] } });
  picker.update(list);
  CountingTags.calls = 0;
  const next = [...list];
  next[1234] = tagged(1234, 2);
  next.push(tagged(10_000));
  picker.update(next);
  assert.equal(CountingTags.calls, 2, 'one changed instance and one newcomer');
  assert.equal(picker.size, 10_001);

  let asked = 0;
  const withFunction = createPicker({ strategy: 'round-robin', filter: { predicate: () => (asked++, true) } });
  withFunction.update(list);
  asked = 0;
  withFunction.update(next);
  assert.equal(asked, 10_001, 'documented: once per instance per update()');
});

test('diff: walks identity runs, reports changed, new and removed positions, and sorts an unsorted list', () => {
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => inst(id)) as [Instance, Instance, Instance, Instance];
  const b2 = { ...b, weight: 3 };
  const same = diffInstances([a, b, c], [a, b2, c]);
  assert.equal(same.previousIndex, undefined, 'same keys in place: no index built');
  assert.deepEqual(same.changed, [1]);
  assert.deepEqual(same.removed, []);
  const moved = diffInstances([a, b, c], [a, c, d]);
  assert.deepEqual([...(moved.previousIndex ?? [])], [0, 2, -1]);
  assert.deepEqual(moved.changed, [2]);
  assert.deepEqual(moved.removed, [1]);
  const unsorted = diffInstances([a, b, c], [c, b2, a, { ...b2, status: 'draining' }]);
  assert.equal(unsorted.copied, true);
  assert.deepEqual(unsorted.sorted.map((i) => `${i.id}:${i.status}`), ['a:up', 'b:draining', 'c:up'], 'sorted, the last of a repeated key wins');
  assert.deepEqual(unsorted.changed, [1]);
});
