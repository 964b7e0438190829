/**
 * Least loaded by the power of two choices: draw two distinct candidates at random and take
 * the one with fewer calls in flight. Checking every candidate for the global minimum sounds
 * better but is worse: every client that sees the same counts sends its next burst to the
 * same instance (herding). Two random choices get almost all of the benefit (Mitzenmacher,
 * "The Power of Two Choices in Randomized Load Balancing") and stay O(1) per pick.
 *
 * In-flight counts come from acquire()/run() on this picker, so they reflect this client's
 * calls only; plain pick() calls are not counted and make this strategy uniform random. They are
 * kept in one array indexed by slot, so a pick reads two numbers from it rather than two
 * per-instance records scattered over the heap.
 */
import type { Instance } from '../codec/instance.js';
import type { PickerOptions, PickerStrategy } from './picker.js';
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

  override pick(key?: string | Uint8Array): Instance {
    // This class's own copy of the fast path, so that its reads of `this` stay monomorphic.
    const candidates = this.candidates;
    return candidates.fast ? candidates.instanceAt(this.choose()) : super.pick(key);
  }

  protected choose(): number {
    const n = this.candidates.length;
    const i = this.randomIndex(n);
    if (n === 1) return i;
    // A second index drawn uniformly from the n - 1 others, so the two are always distinct.
    let j = this.randomIndex(n - 1);
    if (j === i) j = n - 1;
    // Loads are read by slot from one dense array, not from two records scattered on the heap.
    const slots = this.candidates.slots;
    const inflight = this.inflight;
    // On a tie, `i` is already a uniformly random one of the two: no extra draw needed.
    return (inflight[slots[j] as number] as number) < (inflight[slots[i] as number] as number) ? j : i;
  }
}
