/**
 * Smooth weighted round robin, as nginx's upstream module does it: on every pick each
 * candidate's running weight grows by its weight, the largest wins, and the winner's running
 * weight drops by the sum of weights. With weights 5, 1, 1 the order is a a b a c a a rather
 * than a a a a a b c: the share of each instance is exact over every Σweight picks, and the
 * picks of a heavy instance are spread out instead of bunched.
 *
 * Running weights live on the per-instance entries, so they survive update() and ejections
 * for instances that stay; a newcomer starts at 0, as in nginx. The running weights left by a
 * removed instance are not redistributed: they shift which instance a cycle starts on, not the
 * shares, and the offset is bounded by the weights involved. O(n) per pick over the candidates, no allocation; n is the size of
 * one service, so that is a few dozen comparisons.
 */
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
import { BasePicker } from './base-picker.js';

/**
 * Picks in proportion to `instance.weight`, evenly spread.
 *
 * ```ts
 * const picker = new WeightedPicker();
 * picker.update(instances); // weights 3 and 1
 * picker.pick(); // a, a, b, a, a, a, b, a, …: 75% / 25%
 * ```
 */
export class WeightedPicker extends BasePicker {
  readonly strategy: PickerStrategy = 'weighted';

  constructor(options?: PickerOptions) {
    super(options);
  }

  protected choose(candidates: readonly PickerEntry[]): PickerEntry {
    let total = 0;
    let best = candidates[0] as PickerEntry;
    for (const entry of candidates) {
      entry.current += entry.weight;
      total += entry.weight;
      // Strictly greater: ties go to the first in key order, the same on every client.
      if (entry.current > best.current) best = entry;
    }
    best.current -= total;
    return best;
  }
}
