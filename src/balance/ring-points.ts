/**
 * The points of a consistent-hash ring: (32-bit hash, owner slot) pairs sorted by hash, then slot,
 * in two typed arrays with spare capacity, and a prefix table for lookups.
 *
 * Changes are applied in place: the dropped points are found by binary search and the rest
 * compacted over them, then the fresh points are opened up from the back, each run of untouched
 * points moved once with copyWithin (a memmove). A change of one instance among a million points
 * costs a couple of memmoves and a walk of the prefix table, not a loop over every point in
 * JavaScript nor a new array.
 *
 * Lookups: `prefix[b]` is the index of the first point whose hash's top bits are at least b, with
 * about four points per bucket, so finding a key's successor is one table read and a binary search
 * over a handful of neighbouring points (a cache line or two) however big the ring is.
 */

const SLOTS = 2 ** 21;

/** A point packed into one double: `hash × 2^21 + slot`, which sorts as (hash, slot). */
export function packPoint(hash: number, slot: number): number {
  return hash * SLOTS + slot;
}

export class RingPoints {
  private hashes = new Uint32Array(16);
  private owners = new Int32Array(16);
  private count = 0;
  private prefix = new Uint32Array(3);
  private bits = 1;

  get size(): number {
    return this.count;
  }

  hashAt(index: number): number {
    return this.hashes[index] as number;
  }

  /** The point after `index` is on the same hash (two instances' points collide: rare). */
  sharesHashWithNext(index: number): boolean {
    return index + 1 < this.count && this.hashes[index + 1] === this.hashes[index];
  }

  ownerAt(index: number): number {
    return this.owners[index] as number;
  }

  /**
   * Index of the first point at or after a hash, wrapping to 0 past the last. The hash comes as
   * its signed bits (see hashKeyBits). Ring must not be empty.
   */
  successor(bits: number): number {
    const hashes = this.hashes;
    const hash = bits >>> 0;
    const bucket = hash >>> (32 - this.bits);
    let lo = this.prefix[bucket] as number;
    let hi = this.prefix[bucket + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((hashes[mid] as number) < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.count ? 0 : lo;
  }

  /** Takes out the `dropped` points and puts in the `fresh` ones (both packed, any order). */
  apply(dropped: readonly number[], fresh: readonly number[]): void {
    if (dropped.length === 0 && fresh.length === 0) return;
    const drop = this.positionsOf(Float64Array.from(dropped).sort());
    const add = Float64Array.from(fresh).sort();
    // Where each fresh point goes, in the array as it will be once the dropped ones are out.
    const at = new Int32Array(add.length);
    let below = 0;
    for (let t = 0; t < add.length; t++) {
      const index = this.lowerBound(add[t] as number);
      while (below < drop.length && (drop[below] as number) < index) below++;
      at[t] = index - below;
    }
    const delta = new Int32Array((1 << this.bits) + 1);
    this.compact(drop, delta);
    this.open(add, at, delta);
    const wanted = bitsFor(this.count);
    if (Math.abs(wanted - this.bits) > 1) this.reindex(wanted);
    else this.shiftPrefixes(delta);
  }

  /** Indices (ascending) of the listed points that are on the ring; a point listed twice, twice. */
  private positionsOf(points: Float64Array): Int32Array {
    const out = new Int32Array(points.length);
    let n = 0;
    let previous = -1;
    for (const point of points) {
      let at = this.lowerBound(point);
      if (at <= previous) at = previous + 1;
      if (at >= this.count || packPoint(this.hashes[at] as number, this.owners[at] as number) !== point) continue;
      out[n++] = at;
      previous = at;
    }
    return out.subarray(0, n);
  }

  /** Removes the points at `drop` (ascending indices), moving each run between them once. */
  private compact(drop: Int32Array, delta: Int32Array): void {
    if (drop.length === 0) return;
    const hashes = this.hashes;
    const owners = this.owners;
    let write = drop[0] as number;
    for (let t = 0; t < drop.length; t++) {
      const at = drop[t] as number;
      const bucket = (hashes[at] as number) >>> (32 - this.bits);
      delta[bucket + 1] = (delta[bucket + 1] as number) - 1;
      const next = t + 1 < drop.length ? (drop[t + 1] as number) : this.count;
      hashes.copyWithin(write, at + 1, next);
      owners.copyWithin(write, at + 1, next);
      write += next - at - 1;
    }
    this.count = write;
  }

  /** Inserts `points` (ascending) at indices `at`, moving each run between them once, from the back. */
  private open(points: Float64Array, at: Int32Array, delta: Int32Array): void {
    if (points.length === 0) return;
    this.reserve(this.count + points.length);
    const hashes = this.hashes;
    const owners = this.owners;
    let end = this.count;
    for (let t = points.length - 1; t >= 0; t--) {
      const from = at[t] as number;
      hashes.copyWithin(from + t + 1, from, end);
      owners.copyWithin(from + t + 1, from, end);
      const point = points[t] as number;
      const hash = Math.floor(point / SLOTS);
      hashes[from + t] = hash;
      owners[from + t] = point - hash * SLOTS;
      const bucket = hash >>> (32 - this.bits);
      delta[bucket + 1] = (delta[bucket + 1] as number) + 1;
      end = from;
    }
    this.count += points.length;
  }

  /** Index of the first point not below `point` (packed). */
  private lowerBound(point: number): number {
    const hashes = this.hashes;
    const owners = this.owners;
    const hash = Math.floor(point / SLOTS);
    const bucket = hash >>> (32 - this.bits);
    let lo = this.prefix[bucket] as number;
    let hi = this.prefix[bucket + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (packPoint(hashes[mid] as number, owners[mid] as number) < point) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private reserve(length: number): void {
    if (this.hashes.length >= length) return;
    const capacity = Math.max(length, Math.ceil(this.hashes.length * 1.25));
    const hashes = new Uint32Array(capacity);
    const owners = new Int32Array(capacity);
    hashes.set(this.hashes.subarray(0, this.count));
    owners.set(this.owners.subarray(0, this.count));
    this.hashes = hashes;
    this.owners = owners;
  }

  /** Moves every prefix by the points taken out or put in below it (`delta` per bucket + 1). */
  private shiftPrefixes(delta: Int32Array): void {
    const prefix = this.prefix;
    let sum = 0;
    for (let b = 0; b < prefix.length; b++) {
      sum += delta[b] as number;
      if (sum !== 0) prefix[b] = (prefix[b] as number) + sum;
    }
    prefix[prefix.length - 1] = this.count;
  }

  private reindex(bits: number): void {
    if (this.hashes.length > 4 * Math.max(16, this.count)) {
      this.hashes = this.hashes.slice(0, Math.max(16, this.count));
      this.owners = this.owners.slice(0, Math.max(16, this.count));
    }
    const hashes = this.hashes;
    const buckets = 1 << bits;
    const shift = 32 - bits;
    const prefix = new Uint32Array(buckets + 1);
    let i = 0;
    for (let bucket = 0; bucket < buckets; bucket++) {
      while (i < this.count && (hashes[i] as number) >>> shift < bucket) i++;
      prefix[bucket] = i;
    }
    prefix[buckets] = this.count;
    this.prefix = prefix;
    this.bits = bits;
  }
}

/** About four points per prefix bucket. */
function bitsFor(points: number): number {
  return Math.max(1, Math.min(20, Math.ceil(Math.log2(Math.max(2, points))) - 2));
}
