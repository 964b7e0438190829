/**
 * Least loaded by the power of two choices: draw two distinct candidates at random and take
 * the one with fewer calls in flight. Checking every candidate for the global minimum sounds
 * better but is worse: every client that sees the same counts sends its next burst to the
 * same instance (herding). Two random choices get almost all of the benefit (Mitzenmacher,
 * "The Power of Two Choices in Randomized Load Balancing") and stay O(1) per pick.
 *
 * In-flight counts come from acquire()/run() on this picker, so they reflect this client's
 * calls only; plain pick() calls are not counted and make this strategy uniform random.
 */
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
import { BasePicker } from './base-picker.js';

/**
 * Prefers the instance with fewer calls in flight (counted by `acquire()` and `run()`).
 *
 * ```ts
 * const picker = new LeastLoadedPicker();
 * picker.update(instances);
 * const body = await picker.run((instance) => fetchFrom(instance.address));
 * ```
 */
export class LeastLoadedPicker extends BasePicker {
  readonly strategy: PickerStrategy = 'least-loaded';

  constructor(options?: PickerOptions) {
    super(options);
  }

  protected choose(candidates: readonly PickerEntry[]): PickerEntry {
    const n = candidates.length;
    const i = this.randomIndex(n);
    const first = candidates[i] as PickerEntry;
    if (n === 1) return first;
    // A second index drawn uniformly from the n - 1 others, so the two are always distinct.
    let j = this.randomIndex(n - 1);
    if (j === i) j = n - 1;
    const second = candidates[j] as PickerEntry;
    // On a tie, `first` is already a uniformly random one of the two: no extra draw needed.
    return second.inflight < first.inflight ? second : first;
  }
}
