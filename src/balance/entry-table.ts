/**
 * Every instance a picker knows (pickable or not) as an entry kept across updates, by key and by
 * slot, with the running counts that the panic threshold, the zone fallback and NoInstanceError
 * read. apply() takes a diff (instance-diff.ts) and touches only the entries that changed, so
 * these counts cost O(changes) per update instead of a pass over the service.
 */
import type { Instance } from '../codec/instance.js';
import type { InstanceDiff } from './instance-diff.js';
import { createEntry, type PickerEntry, weightOf } from './picker-entry.js';
import { SlotTable } from './slot-table.js';

/** What one apply() changed. */
export interface AppliedChanges {
  /** Entries whose instance, filter answer or presence changed (the candidates may move). */
  readonly touched: PickerEntry[];
  /** Entries whose weight changed. */
  readonly reweighted: PickerEntry[];
  /** Entries created for new keys. */
  readonly added: PickerEntry[];
  /** Entries of keys that are gone: out of every count, their slots still held until release(). */
  readonly gone: PickerEntry[];
}

export class EntryTable {
  readonly byKey = new Map<string, PickerEntry>();
  /** The entry and the instance of each slot (undefined: free). */
  readonly slotEntries: (PickerEntry | undefined)[] = [];
  readonly slotInstances: (Instance | undefined)[] = [];
  /** Instances with status `up`. */
  upCount = 0;
  /** `up` and matching: the base of ejection percentages and of the panic threshold's numerator. */
  eligibleCount = 0;
  /** Matching and not leaving (up or draining): the panic threshold's base. */
  protectableCount = 0;
  /** Of those, in the preferred zone. */
  localEligible = 0;
  localProtectable = 0;
  /** Every entry sorted by key, and the instance objects last given for them, in the same order. */
  private sortedEntries: PickerEntry[] = [];
  private seenInstances: Instance[] = [];
  private readonly slots = new SlotTable();

  constructor(private readonly zone: string | undefined) {}

  /** What the next diff compares against. */
  get seen(): readonly Instance[] {
    return this.seenInstances;
  }

  get sorted(): readonly PickerEntry[] {
    return this.sortedEntries;
  }

  /** Slots handed out so far: the length every per-slot array must reach. */
  get capacity(): number {
    return this.slots.capacity;
  }

  /**
   * Applies `diff` (against `seen`); `matching[k]` is the filter's answer for the instance at
   * `positions[k]` of the new list, which must cover every changed position.
   */
  apply(diff: InstanceDiff, positions: readonly number[], matching: readonly boolean[]): AppliedChanges {
    const changes: AppliedChanges = { touched: [], reweighted: [], added: [], gone: [] };
    const next = diff.sorted;
    const previous = this.sortedEntries;
    for (const j of diff.removed) {
      const entry = previous[j] as PickerEntry;
      this.set(entry, entry.instance, false, false, changes);
      changes.gone.push(entry);
    }
    const previousIndex = diff.previousIndex;
    if (previousIndex === undefined) {
      // Same keys in the same places: patch the instances that changed, copy nothing.
      for (const i of diff.changed) this.seenInstances[i] = next[i] as Instance;
    } else {
      const sorted: PickerEntry[] = [];
      for (let i = 0; i < next.length; i++) {
        const at = previousIndex[i] as number;
        sorted.push(at >= 0 ? (previous[at] as PickerEntry) : this.add(next[i] as Instance, changes));
      }
      this.sortedEntries = sorted;
      // Our own copy: the caller may change its array after the update.
      this.seenInstances = diff.copied ? (next as Instance[]) : next.slice();
    }
    const sorted = this.sortedEntries;
    positions.forEach((i, k) => this.set(sorted[i] as PickerEntry, next[i] as Instance, matching[k] === true, true, changes));
    return changes;
  }

  /** Frees the slots of entries that are gone, once nothing refers to them by slot any more. */
  release(gone: readonly PickerEntry[]): void {
    for (const entry of gone) {
      this.byKey.delete(entry.key);
      this.slotEntries[entry.slot] = undefined;
      this.slotInstances[entry.slot] = undefined;
      this.slots.release(entry.slot);
    }
  }

  private add(instance: Instance, changes: AppliedChanges): PickerEntry {
    const entry = createEntry(instance, this.slots.allocate());
    this.slotEntries[entry.slot] = entry;
    this.slotInstances[entry.slot] = instance;
    this.byKey.set(entry.key, entry);
    changes.added.push(entry);
    return entry;
  }

  /**
   * Gives `entry` its new instance and filter answer, keeping the running counts; `present` false
   * takes the entry out of every count (it is leaving the picker). A new entry starts with every
   * flag false, so it adds itself to the counts here.
   */
  private set(entry: PickerEntry, instance: Instance, matches: boolean, present: boolean, changes: AppliedChanges): void {
    const up = present && instance.status === 'up';
    const eligible = matches && up;
    const protectable = present && matches;
    const local = this.zone !== undefined && instance.zone === this.zone;
    this.upCount += (up ? 1 : 0) - (entry.up ? 1 : 0);
    this.eligibleCount += (eligible ? 1 : 0) - (entry.eligible ? 1 : 0);
    this.protectableCount += (protectable ? 1 : 0) - (entry.protectable ? 1 : 0);
    this.localEligible += (eligible && local ? 1 : 0) - (entry.eligible && entry.local ? 1 : 0);
    this.localProtectable += (protectable && local ? 1 : 0) - (entry.protectable && entry.local ? 1 : 0);
    const weight = weightOf(instance);
    if (weight !== entry.weight) changes.reweighted.push(entry);
    entry.instance = instance;
    entry.weight = weight;
    entry.up = up;
    entry.eligible = eligible;
    entry.protectable = protectable;
    entry.local = local;
    if (present) this.slotInstances[entry.slot] = instance;
    changes.touched.push(entry);
  }
}
