/**
 * Weighted picks by earliest deadline first (edf-schedule.ts), as Envoy balances weighted hosts:
 * each instance's share is exactly weight / Σweight over every Σweight picks when no instance
 * joins or leaves, a heavy instance's picks are spread through the cycle rather than bunched, and
 * a pick costs O(log n) with no allocation, so a 100,000-instance service picks as fast as a
 * small one within a few comparisons per level of the heap.
 *
 * Schedule state lives on the per-instance entries, so it survives update() and ejections for
 * instances that stay; a newcomer (or an instance back from ejection) starts at the current
 * virtual time.
 */
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

  protected choose(): PickerEntry {
    return this.schedule.next();
  }

  protected override rebuilt(_previous: readonly PickerEntry[], next: readonly PickerEntry[]): void {
    this.schedule.rebuild(next);
  }
}
