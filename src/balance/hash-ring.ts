/**
 * A consistent-hash ring (Karger et al., as Envoy's ring_hash and ketama do it) for the hash
 * picker: every instance owns `round(weight × perWeight)` points on a 32-bit circle, and a key
 * goes to the owner of the first point at or after the key's hash. A pick is one binary search
 * (O(log points)), allocation-free, whatever the size of the service.
 *
 * Minimal disruption: an instance that leaves takes only its own points away, so only the keys it
 * held move (each to the next point's owner); one that joins takes only the keys its points now
 * cover, about weight/Σweight of them. Points are kept in one sorted Float64Array of
 * `hash × 2^21 + slot`, so an update that adds or removes a few instances merges them into the
 * existing ring in O(points) instead of re-sorting it.
 *
 * Size: 1,024 points per unit of weight while the total weight is at most 2,048 (a key share
 * within a few per cent of weight/Σweight), then 2^21 / Σweight (at least 4), so the ring never
 * passes about two million points (16 MB). When that count steps down by one (the total weight
 * crossing 2^21/1024, 2^21/1023, …) each instance drops only its highest-numbered point, and
 * about 1/perWeight of the keys move once.
 */
import type { PickerEntry } from './picker-entry.js';
import { fmix32 } from './key-hash.js';

const SLOT_BITS = 21;
const SLOTS = 2 ** SLOT_BITS;
const RING_BUDGET = 2 ** 21;
const MAX_PER_WEIGHT = 1024;
const MIN_PER_WEIGHT = 4;

/** Ring bookkeeping kept on each entry. */
export interface RingState {
  /** Slot in the ring's slot table, -1 while the entry has no points. */
  ringSlot: number;
  /** How many points the entry has on the ring. */
  ringPoints: number;
  /** The last rebuild that saw the entry among the candidates. */
  ringSeen: number;
}

/** The i-th point of an instance whose key hashes to `nodeHash`. */
function pointHash(nodeHash: number, i: number): number {
  return fmix32(fmix32(Math.imul(i + 1, 0x9e3779b1) ^ nodeHash) + nodeHash);
}

function pointsFor(weight: number, perWeight: number): number {
  return Math.max(1, Math.round(weight * perWeight));
}

export class HashRing {
  private points: Float64Array = new Float64Array(0);
  private readonly slots: (PickerEntry | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private perWeight = 0;
  private generation = 0;

  get size(): number {
    return this.points.length;
  }

  /**
   * Makes the ring hold exactly `candidates`, moving as few points as it can: instances that left
   * lose their points, newcomers get theirs, and an instance whose point count changed (its weight,
   * or the ring's points per weight) gains or drops only its highest-numbered points.
   */
  rebuild(candidates: readonly PickerEntry[]): void {
    let totalWeight = 0;
    for (const entry of candidates) totalWeight += entry.weight;
    const perWeight = Math.max(MIN_PER_WEIGHT, Math.min(MAX_PER_WEIGHT, Math.floor(RING_BUDGET / Math.max(1, totalWeight))));
    this.perWeight = perWeight;
    const generation = ++this.generation;
    const dropped = new Set<number>();
    const grown: { entry: PickerEntry; from: number }[] = [];
    for (const entry of candidates) {
      entry.ringSeen = generation;
      const wanted = pointsFor(entry.weight, perWeight);
      const placed = entry.ringSlot >= 0 && this.slots[entry.ringSlot] === entry;
      if (!placed) {
        entry.ringSlot = this.allocateSlot(entry);
        entry.ringPoints = 0;
      }
      for (let i = wanted; i < entry.ringPoints; i++) dropped.add(pointHash(entry.hash, i) * SLOTS + entry.ringSlot);
      if (wanted > entry.ringPoints) grown.push({ entry, from: entry.ringPoints });
      entry.ringPoints = wanted;
    }
    let gone: Uint8Array | undefined;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const entry = this.slots[slot];
      if (entry === undefined || entry.ringSeen === generation) continue;
      gone ??= new Uint8Array(this.slots.length);
      gone[slot] = 1;
      this.release(slot);
    }
    if (gone !== undefined || dropped.size > 0) this.points = this.without(gone, dropped);
    if (grown.length > 0) this.points = merge(this.points, this.freshPoints(grown));
  }

  /** The owner of the first point at or after `keyHash`, wrapping around. Ring must not be empty. */
  lookup(keyHash: number): PickerEntry {
    const points = this.points;
    const target = keyHash * SLOTS;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((points[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    const index = lo === points.length ? 0 : lo;
    const point = points[index] as number;
    let owner = this.slots[point % SLOTS] as PickerEntry;
    // Two instances' points on the same 32-bit hash (rare): the smaller key wins on every client,
    // whatever slots they were given.
    const hash = Math.floor(point / SLOTS);
    for (let i = index + 1; i < points.length && Math.floor((points[i] as number) / SLOTS) === hash; i++) {
      const other = this.slots[(points[i] as number) % SLOTS] as PickerEntry;
      if (other.key < owner.key) owner = other;
    }
    return owner;
  }

  private allocateSlot(entry: PickerEntry): number {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    if (slot >= SLOTS) throw new RangeError(`a hash ring holds at most ${SLOTS} instances`);
    this.slots[slot] = entry;
    return slot;
  }

  private release(slot: number): void {
    const entry = this.slots[slot];
    if (entry !== undefined && entry.ringSlot === slot) {
      entry.ringSlot = -1;
      entry.ringPoints = 0;
    }
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private without(gone: Uint8Array | undefined, dropped: ReadonlySet<number>): Float64Array {
    const out = new Float64Array(this.points.length);
    let n = 0;
    for (const point of this.points) {
      if (gone !== undefined && gone[point % SLOTS] === 1) continue;
      if (dropped.size > 0 && dropped.has(point)) continue;
      out[n++] = point;
    }
    return out.subarray(0, n);
  }

  /** The sorted new points of entries that gained some, from their `from`-th point on. */
  private freshPoints(grown: readonly { entry: PickerEntry; from: number }[]): Float64Array {
    let count = 0;
    for (const { entry, from } of grown) count += entry.ringPoints - from;
    const fresh = new Float64Array(count);
    let n = 0;
    for (const { entry, from } of grown) {
      for (let i = from; i < entry.ringPoints; i++) fresh[n++] = pointHash(entry.hash, i) * SLOTS + entry.ringSlot;
    }
    return fresh.sort();
  }
}
function merge(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}
