// The EDF schedule behind the weighted picker: cohorts (instances that started together at one
// weight share a heap node) must pick exactly what a plain per-instance EDF picks, through joins,
// leaves, weight changes and rebuilds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EdfSchedule } from '../../src/balance/edf-schedule.js';
import { createEntry, type PickerEntry } from '../../src/balance/picker-entry.js';
import { SlotTable } from '../../src/balance/slot-table.js';
import { WeightedPicker } from '../../src/balance/index.js';
import { inst, seeded, tally } from '../helpers/balance-fixtures.js';

/** The definition, one scan per pick: earliest deadline, then the lighter, then the smaller key. */
class ReferenceEdf {
  private now = 0;
  private readonly state = new Map<PickerEntry, { base: number; count: number; weight: number }>();
  private members: PickerEntry[] = [];

  rebuild(candidates: readonly PickerEntry[]): void {
    if (candidates.length === 0) this.now = 0;
    this.members = [...candidates];
    for (const entry of candidates) this.adopt(entry);
  }

  insert(entry: PickerEntry): void {
    this.adopt(entry);
    this.members.push(entry);
  }

  remove(entry: PickerEntry): void {
    this.members = this.members.filter((member) => member !== entry);
    if (this.members.length === 0) this.now = 0;
  }

  reweight(entry: PickerEntry): void {
    if (this.members.includes(entry)) this.restart(entry);
  }

  next(): PickerEntry {
    let best: PickerEntry | undefined;
    let bestDeadline = Infinity;
    for (const entry of this.members) {
      const deadline = this.deadline(entry);
      const wins =
        best === undefined ||
        deadline < bestDeadline ||
        (deadline === bestDeadline && (entry.weight < best.weight || (entry.weight === best.weight && entry.key < best.key)));
      if (wins) {
        best = entry;
        bestDeadline = deadline;
      }
    }
    const chosen = best as PickerEntry;
    this.now = bestDeadline;
    (this.state.get(chosen) as { count: number }).count += 1;
    return chosen;
  }

  private deadline(entry: PickerEntry): number {
    const s = this.state.get(entry) as { base: number; count: number; weight: number };
    return s.base + (s.count + 0.5) / s.weight;
  }

  private adopt(entry: PickerEntry): void {
    const s = this.state.get(entry);
    if (s !== undefined && s.weight === entry.weight && this.deadline(entry) >= this.now) return;
    this.restart(entry);
  }

  private restart(entry: PickerEntry): void {
    this.state.set(entry, { base: this.now, count: 0, weight: entry.weight });
  }
}

/** Drives both schedules through the same random operations; returns how many picks agreed. */
function compare(seed: number, steps: number): number {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const slots = new SlotTable();
  const schedule = new EdfSchedule();
  const reference = new ReferenceEdf();
  let members: PickerEntry[] = [];
  let benched: PickerEntry[] = [];
  let serial = 0;
  const fresh = (): PickerEntry => {
    serial += 1;
    return createEntry(inst(`k${String(serial).padStart(4, '0')}`, { weight: 1 + Math.floor(random() * 4) }), slots.allocate());
  };
  const sorted = (list: PickerEntry[]): PickerEntry[] => list.sort((a, b) => (a.key < b.key ? -1 : 1));
  members = sorted(Array.from({ length: 12 }, fresh));
  schedule.rebuild(members);
  reference.rebuild(members);
  let agreed = 0;
  for (let step = 0; step < steps; step++) {
    const r = random();
    if (r < 0.6 && members.length > 0) {
      const expected = reference.next().key;
      const got = schedule.next();
      assert.equal(members.find((entry) => entry.slot === got)?.key, expected, `seed ${seed}, step ${step}`);
      agreed += 1;
    } else if (r < 0.72) {
      // A newcomer, or an instance coming back (it keeps its deadline when that is not past).
      const entry = benched.length > 0 && random() < 0.5 ? pick(benched) : fresh();
      benched = benched.filter((other) => other !== entry);
      members = sorted([...members, entry]);
      schedule.insert(entry, members.indexOf(entry), members.map((m) => m.slot));
      reference.insert(entry);
    } else if (r < 0.84 && members.length > 0) {
      const entry = pick(members);
      members = members.filter((other) => other !== entry);
      schedule.remove(entry);
      reference.remove(entry);
      if (random() < 0.5) benched.push(entry);
      else slots.release(entry.slot); // gone for good: its slot goes to a later newcomer
    } else if (r < 0.95 && members.length > 0) {
      const entry = pick(members);
      entry.weight = 1 + Math.floor(random() * 4);
      schedule.reweight(entry);
      reference.reweight(entry);
    } else {
      if (random() < 0.5 && benched.length > 0) {
        const back = benched.pop() as PickerEntry;
        members = sorted([...members, back]);
      }
      schedule.rebuild(members);
      reference.rebuild(members);
    }
  }
  return agreed;
}

test('edf: cohorts pick exactly what a per-instance EDF picks, through joins, leaves, weight changes and rebuilds', (t) => {
  let picks = 0;
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) picks += compare(seed, 3_000);
  t.diagnostic(`${picks} picks compared`);
  assert.ok(picks > 8 * 1_500, `only ${picks} picks compared`);
});

test('edf: instances that arrived together share one heap node per weight; a later newcomer adds one', () => {
  const slots = new SlotTable();
  const entries = Array.from({ length: 1_000 }, (_, i) =>
    createEntry(inst(`n${String(i).padStart(4, '0')}`, { weight: 1 + (i % 4) }), slots.allocate()),
  );
  const schedule = new EdfSchedule();
  schedule.rebuild(entries);
  assert.equal(schedule.cohorts, 4, 'one cohort per distinct weight');
  for (let i = 0; i < 3_333; i++) schedule.next();
  assert.equal(schedule.cohorts, 4, 'picks do not split cohorts');
  const late = createEntry(inst('n9999', { weight: 2 }), slots.allocate());
  schedule.insert(late, entries.length, [...entries, late].map((e) => e.slot));
  assert.equal(schedule.cohorts, 5);
  schedule.rebuild([...entries, late]);
  assert.equal(schedule.cohorts, 5, 'a rebuild keeps the late one apart (its deadlines differ)');
});

test('weighted: 1,000 instances of weights 1-4 get their exact shares over one full cycle', () => {
  const picker = new WeightedPicker();
  const instances = Array.from({ length: 1_000 }, (_, i) => inst(`n${String(i).padStart(4, '0')}`, { weight: 1 + (i % 4) }));
  picker.update(instances);
  // Σweight = 2,500 picks is one cycle: each instance exactly `weight` times.
  const counts = tally(() => picker.pick(), 2_500);
  for (const instance of instances) assert.equal(counts.get(instance.id), instance.weight, instance.id);
});
