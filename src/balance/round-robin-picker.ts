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
import type { Instance } from '../codec/instance.js';
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

  override pick(key?: string | Uint8Array): Instance {
    // This class's own copy of the fast path, so that its reads of `this` stay monomorphic.
    const candidates = this.candidates;
    return candidates.fast ? candidates.instanceAt(this.choose()) : super.pick(key);
  }

  protected choose(): number {
    const n = this.candidates.length;
    const index = this.next < n ? this.next : 0;
    this.next = index + 1 === n ? 0 : index + 1;
    return index;
  }

  protected override inserted(_entry: PickerEntry, index: number): void {
    // The upcoming instance moved one place on: it still comes next; the newcomer waits its turn.
    if (index <= this.next) this.next += 1;
  }

  protected override removed(_entry: PickerEntry, index: number): void {
    // Before the upcoming one: it moved one place back. The upcoming one itself: the one after it
    // now sits at its index and comes next.
    if (index < this.next) this.next -= 1;
    if (this.next >= this.candidates.length) this.next = 0;
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
    // The upcoming instance where it is now, or (gone) the one after it in key order.
    const upcoming = previous[this.next < previous.length ? this.next : 0] as PickerEntry;
    const index = this.candidates.lowerBound(upcoming.key);
    this.next = index < next.length ? index : 0;
  }
}
