/**
 * A consistent-hash ring (Karger et al., as Envoy's ring_hash and ketama do it) for the hash
 * picker: every instance owns `round(weight × perWeight)` points on a 32-bit circle, and a key
 * goes to the owner of the first point at or after the key's hash.
 *
 * Minimal disruption: an instance that leaves takes only its own points away, so only the keys it
 * held move (each to the next point's owner); one that joins takes only the keys its points now
 * cover, about weight/Σweight of them.
 *
 * Size: 1,024 points per unit of weight while the total weight is at most 1,024 (a key share
 * within a few per cent of weight/Σweight), then 2^20 / Σweight (at least 4): the ring never
 * passes about a million points (8 MB) until the total weight passes 262,144, where 4 points per
 * weight take over (a 100,000-instance service of weight 2.5 on average: a million points). It is
 * a function of the total weight alone, so every client with the same instances builds the same
 * ring whatever order they came in. When the count steps down by one (the total weight crossing
 * 2^20/1024, 2^20/1023, …) each instance drops only its highest-numbered point, and about
 * 1/perWeight of the keys move once.
 *
 * Cost: a change lists exactly the points it removes and adds (ring-points.ts applies them in place
 * with a few memmoves), so adding, removing or re-weighing one instance costs its own points, not
 * a re-listing of every instance's; only a step of the points per weight touches every instance,
 * one point each.
 */
import type { PickerEntry } from './picker-entry.js';
import { fmix32 } from './key-hash.js';
import { packPoint, RingPoints } from './ring-points.js';
import { grownFloat64, grownInt32 } from './slot-table.js';

const RING_BUDGET = 2 ** 20;
const MAX_PER_WEIGHT = 1024;
const MIN_PER_WEIGHT = 4;

/** The i-th point of an instance whose key hashes to `nodeHash`. */
function pointHash(nodeHash: number, i: number): number {
  return fmix32(fmix32(Math.imul(i + 1, 0x9e3779b1) ^ nodeHash) + nodeHash);
}

function pointsFor(weight: number, perWeight: number): number {
  return Math.max(1, Math.round(weight * perWeight));
}

function perWeightFor(totalWeight: number): number {
  return Math.max(MIN_PER_WEIGHT, Math.min(MAX_PER_WEIGHT, Math.floor(RING_BUDGET / Math.max(1, totalWeight))));
}

/** Packed points (`hash × 2^21 + slot`) to take out of and put into the ring. */
interface PointChanges {
  readonly dropped: number[];
  readonly fresh: number[];
}

/** Points `from` (inclusive) to `to` (exclusive) of `entry`, packed, onto `list`. */
function listPoints(list: number[], entry: PickerEntry, from: number, to: number): void {
  for (let i = from; i < to; i++) list.push(packPoint(pointHash(entry.hash, i), entry.slot));
}

export class HashRing {
  private readonly points = new RingPoints();
  /** Entry whose points are on the ring, per slot. */
  private readonly placed: (PickerEntry | undefined)[] = [];
  /** The weight each placed entry's points were counted with, per slot. */
  private placedWeight = new Float64Array(16);
  /** Marks of the last full rebuild that saw each slot among the candidates. */
  private seenIn = new Int32Array(16);
  private generation = 0;
  private totalWeight = 0;
  private perWeight = 0;
  private readonly added: PickerEntry[] = [];
  private readonly removed: PickerEntry[] = [];
  private readonly reweighted: PickerEntry[] = [];

  get size(): number {
    return this.points.size;
  }

  /** Points per unit of weight right now. */
  get pointsPerWeight(): number {
    return this.perWeight;
  }

  /** Queues a change; commit() applies the queue. */
  add(entry: PickerEntry): void {
    this.added.push(entry);
  }

  remove(entry: PickerEntry): void {
    this.removed.push(entry);
  }

  reweight(entry: PickerEntry): void {
    this.reweighted.push(entry);
  }

  /**
   * Applies the queued changes; `candidates` is the full list after them. Only the changed
   * instances' points move, unless the points per weight step (then every instance gains or
   * drops its highest-numbered points, through rebuild()).
   */
  commit(candidates: readonly PickerEntry[]): void {
    let total = this.totalWeight;
    for (const entry of this.removed) if (this.placed[entry.slot] === entry) total -= this.placedWeight[entry.slot] as number;
    for (const entry of this.added) {
      const other = this.placed[entry.slot];
      if (other === entry) continue;
      total += entry.weight - (other === undefined ? 0 : (this.placedWeight[entry.slot] as number));
    }
    for (const entry of this.reweighted) {
      if (this.placed[entry.slot] === entry) total += entry.weight - (this.placedWeight[entry.slot] as number);
    }
    if (perWeightFor(total) !== this.perWeight) {
      this.rebuild(candidates);
      return;
    }
    const changes: PointChanges = { dropped: [], fresh: [] };
    for (const entry of this.removed) if (this.placed[entry.slot] === entry) this.unplace(entry, changes);
    for (const entry of this.added) {
      const other = this.placed[entry.slot];
      if (other === entry) continue;
      if (other !== undefined) this.unplace(other, changes);
      this.place(entry, changes);
    }
    for (const entry of this.reweighted) if (this.placed[entry.slot] === entry) this.place(entry, changes);
    this.clearQueue();
    this.totalWeight = total;
    this.points.apply(changes.dropped, changes.fresh);
  }

  /**
   * Makes the ring hold exactly `candidates`, moving as few points as it can: instances that left
   * lose their points, newcomers get theirs, and an instance whose point count changed (its weight,
   * or the ring's points per weight) gains or drops only its highest-numbered points.
   */
  rebuild(candidates: readonly PickerEntry[]): void {
    this.clearQueue();
    let total = 0;
    for (const entry of candidates) total += entry.weight;
    this.totalWeight = total;
    this.perWeight = perWeightFor(total);
    const generation = ++this.generation;
    const changes: PointChanges = { dropped: [], fresh: [] };
    for (const entry of candidates) {
      this.seenIn = grownInt32(this.seenIn, entry.slot + 1);
      this.seenIn[entry.slot] = generation;
      const other = this.placed[entry.slot];
      if (other !== undefined && other !== entry) this.unplace(other, changes);
      this.place(entry, changes);
    }
    for (let slot = 0; slot < this.placed.length; slot++) {
      const entry = this.placed[slot];
      if (entry !== undefined && this.seenIn[slot] !== generation) this.unplace(entry, changes);
    }
    this.points.apply(changes.dropped, changes.fresh);
  }

  /**
   * Slot of the owner of the first point at or after the key's hash (hashKeyBits: signed, see
   * there), wrapping around. Ring must not be empty.
   */
  lookup(keyBits: number): number {
    const points = this.points;
    const index = points.successor(keyBits);
    const slot = points.ownerAt(index);
    return points.sharesHashWithNext(index) ? this.smallestKeyAt(index, slot) : slot;
  }

  /**
   * Two instances' points on the same 32-bit hash (rare): the smaller key wins on every client,
   * whatever slots they were given.
   */
  private smallestKeyAt(index: number, slot: number): number {
    const points = this.points;
    let best = slot;
    for (let i = index; points.sharesHashWithNext(i); i++) {
      const other = points.ownerAt(i + 1);
      if ((this.placed[other] as PickerEntry).key < (this.placed[best] as PickerEntry).key) best = other;
    }
    return best;
  }

  /** Gives `entry` its number of points for its weight, noting the points it gains or drops. */
  private place(entry: PickerEntry, changes: PointChanges): void {
    const slot = entry.slot;
    if (this.placed[slot] !== entry) {
      this.placed[slot] = entry;
      entry.ringPoints = 0;
    }
    const wanted = pointsFor(entry.weight, this.perWeight);
    if (wanted < entry.ringPoints) listPoints(changes.dropped, entry, wanted, entry.ringPoints);
    else listPoints(changes.fresh, entry, entry.ringPoints, wanted);
    entry.ringPoints = wanted;
    this.placedWeight = grownFloat64(this.placedWeight, slot + 1);
    this.placedWeight[slot] = entry.weight;
  }

  private unplace(entry: PickerEntry, changes: PointChanges): void {
    listPoints(changes.dropped, entry, 0, entry.ringPoints);
    entry.ringPoints = 0;
    this.placed[entry.slot] = undefined;
  }

  private clearQueue(): void {
    this.added.length = 0;
    this.removed.length = 0;
    this.reweighted.length = 0;
  }
}
