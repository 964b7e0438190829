/**
 * Consistent hashing on the caller's key, for affinity (a user's calls go to the instance
 * holding their cache or session) with minimal reshuffling when the set changes.
 *
 * A ring hash (hash-ring.ts), as Envoy's ring_hash balancer: a pick is a prefix-table read and a
 * binary search over a few neighbouring points, so it costs the same for 10 instances or 100,000,
 * where rendezvous hashing would score every instance on every pick. Removing an instance moves
 * only the keys it held; adding one moves only the keys its points now cover, about
 * weight/Σweight of them; weights are honoured by giving heavier instances more points.
 *
 * The key is required: pick() without one throws HashKeyRequiredError. Candidates are the
 * same as for other strategies (up, filtered, not ejected, zone-preferred), so an ejected
 * instance's keys go to the next instance on the ring and come back when it returns.
 */
import type { Instance } from '../codec/instance.js';
import type { PickerOptions, PickerStrategy } from './picker.js';
import type { PickerEntry } from './picker-entry.js';
import { BasePicker } from './base-picker.js';
import { HashRing } from './hash-ring.js';
import { hashKeyBits } from './key-hash.js';

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
  private readonly ring = new HashRing();

  constructor(options?: PickerOptions) {
    super(options);
  }

  override pick(key?: string | Uint8Array): Instance {
    // This class's own copy of the fast path, so that its reads of `this` stay monomorphic.
    const candidates = this.candidates;
    return candidates.fast ? candidates.instanceAt(this.choose(key)) : super.pick(key);
  }

  protected override get choosesSlot(): boolean {
    return true;
  }

  protected choose(key: string | Uint8Array | undefined): number {
    if (typeof key !== 'string' && !(key instanceof Uint8Array)) throw this.keyRequiredError();
    return this.ring.lookup(hashKeyBits(key));
  }

  protected override inserted(entry: PickerEntry): void {
    this.ring.add(entry);
  }

  protected override removed(entry: PickerEntry): void {
    this.ring.remove(entry);
  }

  protected override reweighted(entry: PickerEntry): void {
    this.ring.reweight(entry);
  }

  protected override committed(): void {
    this.ring.commit(this.candidates.entries);
  }

  protected override rebuilt(_previous: readonly PickerEntry[], next: readonly PickerEntry[]): void {
    this.ring.rebuild(next);
  }
}
