/**
 * Uniform random choice. Stateless, so it needs no coordination between clients and has no
 * rotation to keep: the simplest strategy that spreads a large fleet of clients evenly. Over
 * few picks it is lumpier than round robin; over many it is as even.
 */
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
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

  protected choose(candidates: readonly PickerEntry[]): PickerEntry {
    // randomIndex keeps the index in range, so the lookup always hits.
    return candidates[this.randomIndex(candidates.length)] as PickerEntry;
  }
}
