/**
 * Weighted picks by earliest deadline first (edf-schedule.ts), as Envoy balances weighted hosts:
 * each instance's share is exactly weight / Σweight over every Σweight picks when no instance
 * joins or leaves, a heavy instance's picks are spread through the cycle rather than bunched, and
 * a pick allocates nothing and costs O(log cohorts) (instances that started together at one
 * weight share a heap node), so a 100,000-instance service that arrived in one catalog sync picks
 * as fast as a small one; at worst (every instance arrived alone) O(log n).
 *
 * Schedule state is kept per instance (by slot), so it survives update() and ejections for
 * instances that stay; a newcomer (or an instance back from ejection) starts at the current
 * virtual time. An update that adds, removes or re-weighs a few instances moves only their heap
 * nodes.
 */
import type { Instance } from '../codec/instance.js';
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
import { BasePicker } from './base-picker.js';
import { EdfSchedule } from './edf-schedule.js';

/**
 * Picks in proportion to `instance.weight`, evenly spread.
 *
 * ```ts
 * const picker = new WeightedPicker();
 * picker.update(instances); // weights 3 and 1
 * picker.pick(); // a, b, a, a, a, b, a, a, …: 75% / 25%
 * ```
 */
export class WeightedPicker extends BasePicker {
  readonly strategy: PickerStrategy = 'weighted';
  private readonly schedule = new EdfSchedule();

  constructor(options?: PickerOptions) {
    super(options);
  }

  override pick(key?: string | Uint8Array): Instance {
    // This class's own copy of the fast path, so that its reads of `this` stay monomorphic.
    const candidates = this.candidates;
    return candidates.fast ? candidates.instanceAt(this.choose()) : super.pick(key);
  }

  protected override get choosesSlot(): boolean {
    return true;
  }

  protected choose(): number {
    return this.schedule.next();
  }

  protected override inserted(entry: PickerEntry, index: number): void {
    this.schedule.insert(entry, index, this.candidates.slots);
  }

  protected override removed(entry: PickerEntry): void {
    this.schedule.remove(entry);
  }

  protected override reweighted(entry: PickerEntry): void {
    this.schedule.reweight(entry);
  }

  protected override rebuilt(_previous: readonly PickerEntry[], next: readonly PickerEntry[]): void {
    this.schedule.rebuild(next);
  }
}
