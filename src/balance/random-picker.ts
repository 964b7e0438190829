/**
 * Uniform random choice. Stateless, so it needs no coordination between clients and has no
 * rotation to keep: the simplest strategy that spreads a large fleet of clients evenly. Over
 * few picks it is lumpier than round robin; over many it is as even.
 */
import type { Instance } from '../codec/instance.js';
import type { PickerOptions, PickerStrategy } from './picker.js';
import { BasePicker } from './base-picker.js';

/**
 * Picks each pickable instance with equal probability, ignoring weights and load.
 *
 * ```ts
 * const picker = new RandomPicker({ preferZone: 'eu-west-1a' });
 * picker.update(instances);
 * const target = picker.pick().address;
 * ```
 */
export class RandomPicker extends BasePicker {
  readonly strategy: PickerStrategy = 'random';

  constructor(options?: PickerOptions) {
    super(options);
  }

  override pick(key?: string | Uint8Array): Instance {
    // This class's own copy of the fast path, so that its reads of `this` stay monomorphic.
    const candidates = this.candidates;
    return candidates.fast ? candidates.instanceAt(this.choose()) : super.pick(key);
  }

  protected choose(): number {
    return this.randomIndex(this.candidates.length);
  }
}
