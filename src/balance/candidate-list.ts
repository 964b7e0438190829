/**
 * The instances pick() may return right now, sorted by key, as three parallel arrays: the
 * entries (for acquire and the strategies' state), their instances and their slots. pick() of
 * random or round robin reads one element of `instances` and nothing else, so its cost does not
 * grow with the service: a pointer to a per-instance record would be a cache miss per pick once
 * the records outgrow the CPU cache (the profile at 100,000 instances showed exactly that).
 *
 * A change of one instance is a binary search and a splice (a memmove), not a rebuild.
 */
import type { Instance } from '../codec/instance.js';
import { channel } from '../diagnostics/channels.js';
import type { PickerEntry } from './picker-entry.js';

const pickChannel = channel('rollcall:picker:pick');

export class CandidateList {
  entries: PickerEntry[] = [];
  instances: Instance[] = [];
  slots: number[] = [];
  /** Not empty, no deferred update waiting and no ejection to end (the picker keeps it up to date). */
  ready = false;

  constructor(
    /** True when the strategy's choose() returns slots (see BasePicker.choosesSlot). */
    private readonly slotChosen: boolean,
    /** The instance of each slot (the picker's array, updated in place). */
    private readonly bySlot: readonly (Instance | undefined)[],
  ) {}

  /**
   * pick() may go straight to the strategy: ready, and nobody listening for picks. Each strategy
   * class has its own copy of that fast path (see RandomPicker.pick): a pick path shared by the
   * five picker classes (five hidden classes) reads `this` megamorphically once a process uses
   * them all, which measured several times slower than the same code on one class.
   */
  get fast(): boolean {
    return this.ready && !pickChannel.hasSubscribers;
  }

  /** The instance a strategy's choice (an index here, or a slot) stands for. */
  instanceAt(chosen: number): Instance {
    return (this.slotChosen ? this.bySlot[chosen] : this.instances[chosen]) as Instance;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Index of the first entry whose key is not below `key`. */
  lowerBound(key: string): number {
    const entries = this.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid] as PickerEntry).key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of `entry`, -1 when it is not a candidate. */
  indexOf(entry: PickerEntry): number {
    const index = this.lowerBound(entry.key);
    return this.entries[index] === entry ? index : -1;
  }

  /** Inserts `entry` at its key's place and returns that index. */
  insert(entry: PickerEntry): number {
    const index = this.lowerBound(entry.key);
    this.entries.splice(index, 0, entry);
    this.instances.splice(index, 0, entry.instance);
    this.slots.splice(index, 0, entry.slot);
    entry.candidate = true;
    return index;
  }

  removeAt(index: number): PickerEntry {
    const [entry] = this.entries.splice(index, 1) as [PickerEntry];
    this.instances.splice(index, 1);
    this.slots.splice(index, 1);
    entry.candidate = false;
    return entry;
  }

  /** Replaces every candidate with `entries` (already sorted by key). */
  replace(entries: PickerEntry[]): void {
    for (const entry of this.entries) entry.candidate = false;
    const instances: Instance[] = [];
    const slots: number[] = [];
    for (const entry of entries) {
      entry.candidate = true;
      instances.push(entry.instance);
      slots.push(entry.slot);
    }
    this.entries = entries;
    this.instances = instances;
    this.slots = slots;
  }
}
