/**
 * Consistent hashing on the caller's key, for affinity (a user's calls go to the instance
 * holding their cache or session) with minimal reshuffling when the set changes.
 *
 * Weighted rendezvous (highest-random-weight) hashing rather than a ring with virtual nodes:
 * - Minimal disruption is exact, not statistical: removing an instance moves only the keys it
 *   held (each to its second choice); adding one moves only the keys the newcomer now wins,
 *   weight/Σweight of them in expectation. A ring achieves this only as well as its virtual
 *   nodes are spread.
 * - Weights are exact in expectation with the logarithmic method (see key-hash.ts); a ring
 *   needs a virtual-node count proportional to weight, i.e. big tables rebuilt on each update.
 * - Nothing to precompute beyond one hash per instance, so rebuilds are free and every client
 *   agrees given the same set. The cost is O(n) score computations per pick, cheap for the
 *   tens to hundreds of instances of one service; past a few thousand a ring would be faster.
 *
 * The key is required: pick() without one throws HashKeyRequiredError. Candidates are the
 * same as for other strategies (up, filtered, not ejected, zone-preferred), so an ejected
 * instance's keys go to their second choice and come back when it returns.
 */
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
import { BasePicker } from './base-picker.js';
import { hashKey, rendezvousScore } from './key-hash.js';

/**
 * Same key, same instance, for as long as that instance is pickable.
 *
 * ```ts
 * const picker = new HashPicker();
 * picker.update(instances);
 * const shard = picker.pick(userId); // stable per userId
 * ```
 */
export class HashPicker extends BasePicker {
  readonly strategy: PickerStrategy = 'hash';
  protected override readonly keyRequired = true;

  constructor(options?: PickerOptions) {
    super(options);
  }

  protected choose(candidates: readonly PickerEntry[], key: string | Uint8Array | undefined): PickerEntry {
    // pickEntry has checked that the key is present.
    const keyHash = hashKey(key ?? '');
    let best = candidates[0] as PickerEntry;
    let bestScore = -1;
    for (const entry of candidates) {
      const score = rendezvousScore(keyHash, entry.hash, entry.weight);
      // Strictly greater: a (vanishingly rare) tie goes to the first in key order on every client.
      if (score > bestScore) {
        best = entry;
        bestScore = score;
      }
    }
    return best;
  }
}
