/**
 * Round robin over the pickable instances in key order.
 *
 * Two things matter more than the rotation itself:
 * - The first pick starts at a random offset. If every client started at the first instance,
 *   a fleet restarted together (a deploy) would send its first wave of calls to one instance.
 * - The rotation survives rebuilds. After update() or an ejection, the instance that would
 *   have come next still comes next when it is still there; when it is gone, the rotation
 *   continues at the same position, i.e. with the instance after it in key order. Restarting
 *   at 0 on each change would overload the first instance whenever the set churns.
 */
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
import { BasePicker } from './base-picker.js';

/**
 * Each pickable instance in turn, ignoring weights and load.
 *
 * ```ts
 * const picker = new RoundRobinPicker();
 * picker.update(instances);
 * picker.pick(); // a, b, c, a, b, … from a random starting point
 * ```
 */
export class RoundRobinPicker extends BasePicker {
  readonly strategy: PickerStrategy = 'round-robin';

  /** Index in the current candidates of the instance the next pick returns. */
  private next = 0;

  constructor(options?: PickerOptions) {
    super(options);
  }

  protected choose(candidates: readonly PickerEntry[]): PickerEntry {
    const index = this.next < candidates.length ? this.next : 0;
    this.next = index + 1 === candidates.length ? 0 : index + 1;
    return candidates[index] as PickerEntry;
  }

  protected override rebuilt(previous: readonly PickerEntry[], next: readonly PickerEntry[]): void {
    if (next.length === 0) {
      this.next = 0;
      return;
    }
    if (previous.length === 0) {
      // First instances seen (or back after all were unpickable): random start.
      this.next = this.randomIndex(next.length);
      return;
    }
    const upcoming = previous[this.next];
    const found = upcoming === undefined ? -1 : next.indexOf(upcoming);
    this.next = found >= 0 ? found : this.next % next.length;
  }
}
