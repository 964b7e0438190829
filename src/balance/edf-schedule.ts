/**
 * Earliest-deadline-first scheduling for weighted picks, as Envoy's weighted round robin does it:
 * every candidate has a virtual deadline, the earliest wins, and the winner's next deadline is
 * one period (1 / weight) later. A min-heap (edf-heap.ts) keeps picks O(log n) and allocation-free,
 * where nginx's smooth weighted round robin scans all n candidates on every pick.
 *
 * Deadlines are computed, not accumulated: `base + (count + OFFSET) / weight`, so instances that
 * started together compare exactly (equal rationals are equal doubles) and ties are broken the
 * same way on every client: the lighter instance first, then key order (`rank`). OFFSET = 0.5 puts
 * each instance's picks in the middle of its periods (Sainte-Laguë rather than D'Hondt), which
 * spreads a heavy instance's picks instead of front-loading them.
 *
 * An instance that joins, changes weight or returns after an ejection starts at the current virtual
 * time, so it is neither starved nor handed a burst to "catch up" on picks it never had.
 *
 * Cohorts: instances that started at the same virtual time with the same weight have the same
 * deadlines and, on those ties, are picked in key order, so together they behave as one round
 * robin. They share one heap node (a cohort: base, weight, `k`, and a pointer into its members in
 * key order; members before the pointer have been picked k + 1 times, the rest k), and a pick
 * costs O(log cohorts) instead of O(log instances): a service whose instances arrived together
 * (one catalog sync) has one cohort per distinct weight, so picking among 100,000 instances sifts
 * a heap of a handful of nodes. The sequence of picks is exactly the per-instance EDF's (a test
 * checks it against a plain scan). An instance that joins later, alone, is a cohort of one, which
 * costs what a per-instance heap node costs.
 */
import type { PickerEntry } from './picker-entry.js';
import { EdfHeap } from './edf-heap.js';
import { grownFloat64, grownInt32, SlotTable } from './slot-table.js';

const OFFSET = 0.5;

export class EdfSchedule {
  private readonly heap = new EdfHeap();
  /**
   * Virtual time: the deadline of the last pick. Every deadline in the heap is at or after it.
   * Kept in a typed array: a double in an object field is a boxed number, and depending on how
   * V8 settled the field's representation a pick could allocate a new box on every store (seen
   * intermittently: ~20 bytes a pick).
   */
  private readonly clock = new Float64Array(1);

  private get now(): number {
    return this.clock[0] as number;
  }

  private set now(time: number) {
    this.clock[0] = time;
  }
  /** Per slot: the entry the numbers below belong to (a reused slot inherits nothing). */
  private readonly owners: (PickerEntry | undefined)[] = [];
  /** Per slot, while outside a cohort: virtual start time, picks since, and the weight they count with. */
  private base = new Float64Array(16);
  private count = new Float64Array(16);
  private weight = new Float64Array(16);
  /** Per slot: the tie-breaker, in key order (fractional, see rankBetween). */
  private rank = new Float64Array(16);
  /** Per slot: its cohort, or -1. */
  private cohortOf = new Int32Array(16).fill(-1);
  private readonly cohortIds = new SlotTable();
  /** Per cohort: start time, weight, picks of the members at or after the pointer, pointer, its member, size. */
  private cohortBase = new Float64Array(16);
  private cohortWeight = new Float64Array(16);
  private cohortK = new Float64Array(16);
  private cohortPointer = new Int32Array(16);
  private cohortCurrent = new Int32Array(16);
  private cohortSize = new Int32Array(16);
  /** Per cohort: member slots in key order. */
  private readonly members: number[][] = [];
  /** Weight -> the cohort started at `now` for that weight, which newcomers may still join. */
  private readonly fresh = new Map<number, number>();

  /** Heap nodes, i.e. cohorts: what the cost of a pick depends on. */
  get cohorts(): number {
    return this.heap.size;
  }

  /** Replaces the candidates (sorted by key); entries still present keep their deadlines. */
  rebuild(candidates: readonly PickerEntry[]): void {
    for (let c = 0; c < this.members.length; c++) if ((this.cohortSize[c] as number) > 0) this.dissolve(c);
    this.heap.clear();
    this.fresh.clear();
    if (candidates.length === 0) {
      this.now = 0;
      return;
    }
    const groups = new Map<number, Map<number, number[]>>();
    candidates.forEach((entry, i) => {
      const slot = entry.slot;
      this.grow(slot + 1);
      this.rank[slot] = i;
      this.adopt(entry);
      const base = this.base[slot] as number;
      let byWeight = groups.get(base);
      if (byWeight === undefined) groups.set(base, (byWeight = new Map()));
      const group = byWeight.get(entry.weight);
      if (group === undefined) byWeight.set(entry.weight, [slot]);
      else group.push(slot);
    });
    for (const byWeight of groups.values()) for (const slots of byWeight.values()) this.formCohorts(slots);
    this.heap.heapify();
  }

  /** Adds `entry`, which sits at `index` of the key-ordered candidate slots `slots`. */
  insert(entry: PickerEntry, index: number, slots: readonly number[]): void {
    this.grow(entry.slot + 1);
    this.rankBetween(entry.slot, index, slots);
    this.adopt(entry);
    this.place(entry.slot);
  }

  /** Takes `entry` out; its numbers stay with its slot, should it come back. */
  remove(entry: PickerEntry, resetWhenEmpty = true): void {
    const slot = entry.slot;
    const c = this.owners[slot] === entry ? (this.cohortOf[slot] as number) : -1;
    if (c < 0) return;
    const list = this.members[c] as number[];
    const at = this.memberIndex(list, slot);
    const pointer = this.cohortPointer[c] as number;
    const k = this.cohortK[c] as number;
    this.base[slot] = this.cohortBase[c] as number;
    this.weight[slot] = this.cohortWeight[c] as number;
    this.count[slot] = at < pointer ? k + 1 : k;
    this.cohortOf[slot] = -1;
    list.splice(at, 1);
    this.cohortSize[c] = list.length;
    if (list.length === 0) {
      this.heap.remove(c);
      this.release(c);
      if (this.heap.size === 0 && resetWhenEmpty) {
        this.now = 0;
        this.fresh.clear();
      }
      return;
    }
    let next = at < pointer ? pointer - 1 : pointer;
    if (next === list.length) {
      // The member removed was the last one still at k picks: all the rest are at k + 1.
      next = 0;
      this.cohortK[c] = k + 1;
    }
    this.cohortPointer[c] = next;
    this.cohortCurrent[c] = list[next] as number;
    this.heap.update(c, this.deadline(c), this.cohortWeight[c] as number, this.rank[list[next] as number] as number);
  }

  /** `entry` changed weight: it starts over at the current virtual time. */
  reweight(entry: PickerEntry): void {
    if (this.owners[entry.slot] !== entry || this.cohortOf[entry.slot] === -1) return;
    this.remove(entry, false);
    this.restart(entry);
    this.place(entry.slot);
  }

  /** The slot with the earliest deadline; moves its deadline one period on. Heap must not be empty. */
  next(): number {
    // Numbers stay in this frame or in typed arrays: see EdfHeap.raw.
    const top = this.heap.raw;
    const c = top[3] as number;
    this.clock[0] = top[0] as number;
    const slot = this.cohortCurrent[c] as number;
    const size = this.cohortSize[c] as number;
    let pointer = (this.cohortPointer[c] as number) + 1;
    if (pointer === size) {
      pointer = 0;
      this.cohortK[c] = (this.cohortK[c] as number) + 1;
    }
    this.cohortPointer[c] = pointer;
    let upcoming = slot;
    if (size !== 1) {
      upcoming = (this.members[c] as number[])[pointer] as number;
      this.cohortCurrent[c] = upcoming;
    }
    top[0] = (this.cohortBase[c] as number) + ((this.cohortK[c] as number) + OFFSET) / (this.cohortWeight[c] as number);
    top[2] = this.rank[upcoming] as number;
    this.heap.siftTop();
    return slot;
  }

  /** Keeps `entry`'s numbers when they are its own, at its weight and not in the past; else restarts it. */
  private adopt(entry: PickerEntry): void {
    const slot = entry.slot;
    const kept =
      this.owners[slot] === entry &&
      this.weight[slot] === entry.weight &&
      (this.base[slot] as number) + ((this.count[slot] as number) + OFFSET) / entry.weight >= this.now;
    if (!kept) this.restart(entry);
  }

  private restart(entry: PickerEntry): void {
    const slot = entry.slot;
    this.owners[slot] = entry;
    this.base[slot] = this.now;
    this.count[slot] = 0;
    this.weight[slot] = entry.weight;
  }

  /** Puts a slot that is in no cohort into one: the fresh cohort of its weight when it starts now, else its own. */
  private place(slot: number): void {
    const base = this.base[slot] as number;
    const weight = this.weight[slot] as number;
    const count = this.count[slot] as number;
    if (count === 0 && base === this.now) {
      const c = this.fresh.get(weight);
      if (c !== undefined && this.isFresh(c, weight)) {
        this.join(c, slot);
        return;
      }
      this.fresh.set(weight, this.create(base, 0, weight, [slot], 0, true));
      return;
    }
    this.create(base, count, weight, [slot], 0, true);
  }

  /** Started at `now` and not picked since: every member is at 0 picks, so any newcomer fits. */
  private isFresh(c: number, weight: number): boolean {
    return (
      (this.cohortSize[c] as number) > 0 &&
      this.cohortBase[c] === this.now &&
      this.cohortWeight[c] === weight &&
      this.cohortK[c] === 0 &&
      this.cohortPointer[c] === 0
    );
  }

  /** Adds a slot to a fresh cohort at its key-order place. */
  private join(c: number, slot: number): void {
    const list = this.members[c] as number[];
    const at = this.memberIndex(list, slot);
    list.splice(at, 0, slot);
    this.cohortSize[c] = list.length;
    this.cohortOf[slot] = c;
    if (at === 0) {
      this.cohortCurrent[c] = slot;
      this.heap.update(c, this.deadline(c), this.cohortWeight[c] as number, this.rank[slot] as number);
    }
  }

  /**
   * Cohorts for slots sharing a start time and weight, in key order. Their pick counts must read
   * k + 1, …, k + 1, k, …, k (the pointer between the two runs) for one cohort to replay them
   * exactly; otherwise (rare: members that left and came back at different times) each is its own.
   */
  private formCohorts(slots: number[]): void {
    const first = this.count[slots[0] as number] as number;
    let split = 0;
    while (split < slots.length && this.count[slots[split] as number] === first) split++;
    let rest = split;
    const k = split < slots.length ? (this.count[slots[split] as number] as number) : first;
    while (rest < slots.length && this.count[slots[rest] as number] === k) rest++;
    const base = this.base[slots[0] as number] as number;
    const weight = this.weight[slots[0] as number] as number;
    if (rest === slots.length && (split === slots.length || k === first - 1)) {
      const pointer = split === slots.length ? 0 : split;
      const c = this.create(base, k, weight, slots, pointer, false);
      if (k === 0 && base === this.now) this.fresh.set(weight, c);
      return;
    }
    for (const slot of slots) this.create(base, this.count[slot] as number, weight, [slot], 0, false);
  }

  /** A new cohort and its heap node (pushed in place, or appended for a heapify later). */
  private create(base: number, k: number, weight: number, list: number[], pointer: number, push: boolean): number {
    const c = this.cohortIds.allocate();
    this.growCohorts(c + 1);
    this.cohortBase[c] = base;
    this.cohortWeight[c] = weight;
    this.cohortK[c] = k;
    this.cohortPointer[c] = pointer;
    this.cohortSize[c] = list.length;
    const current = list[pointer] as number;
    this.cohortCurrent[c] = current;
    this.members[c] = list;
    for (const slot of list) this.cohortOf[slot] = c;
    const deadline = this.deadline(c);
    const rank = this.rank[current] as number;
    if (push) this.heap.push(deadline, weight, rank, c);
    else this.heap.append(deadline, weight, rank, c);
    return c;
  }

  /** Hands every member its own numbers back and frees the cohort (its heap node is the caller's). */
  private dissolve(c: number): void {
    const list = this.members[c] as number[];
    const pointer = this.cohortPointer[c] as number;
    const k = this.cohortK[c] as number;
    list.forEach((slot, at) => {
      this.base[slot] = this.cohortBase[c] as number;
      this.weight[slot] = this.cohortWeight[c] as number;
      this.count[slot] = at < pointer ? k + 1 : k;
      this.cohortOf[slot] = -1;
    });
    this.cohortSize[c] = 0;
    this.release(c);
  }

  private release(c: number): void {
    this.members[c] = [];
    this.cohortIds.release(c);
    if (this.fresh.get(this.cohortWeight[c] as number) === c) this.fresh.delete(this.cohortWeight[c] as number);
  }

  private deadline(c: number): number {
    return (this.cohortBase[c] as number) + ((this.cohortK[c] as number) + OFFSET) / (this.cohortWeight[c] as number);
  }

  /** Index of `slot` in a key-ordered member list, or where it would go. */
  private memberIndex(list: readonly number[], slot: number): number {
    const rank = this.rank[slot] as number;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.rank[list[mid] as number] as number) < rank) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * A rank between its key-order neighbours', so nobody else is renumbered; when the midpoints run
   * out of precision, every candidate is renumbered once (order kept, so no heap moves).
   */
  private rankBetween(slot: number, index: number, slots: readonly number[]): void {
    const below = index > 0 ? (this.rank[slots[index - 1] as number] as number) : undefined;
    const above = index + 1 < slots.length ? (this.rank[slots[index + 1] as number] as number) : undefined;
    const rank = below === undefined ? (above === undefined ? 0 : above - 1) : above === undefined ? below + 1 : (below + above) / 2;
    if ((below === undefined || below < rank) && (above === undefined || rank < above)) {
      this.rank[slot] = rank;
      return;
    }
    slots.forEach((s, i) => (this.rank[s] = i));
    this.heap.rerank((c) => this.rank[this.cohortCurrent[c] as number] as number);
  }

  private grow(slots: number): void {
    if (this.base.length >= slots) return;
    this.base = grownFloat64(this.base, slots);
    this.count = grownFloat64(this.count, slots);
    this.weight = grownFloat64(this.weight, slots);
    this.rank = grownFloat64(this.rank, slots);
    this.cohortOf = grownInt32(this.cohortOf, slots, -1);
  }

  private growCohorts(cohorts: number): void {
    if (this.cohortBase.length >= cohorts) return;
    this.cohortBase = grownFloat64(this.cohortBase, cohorts);
    this.cohortWeight = grownFloat64(this.cohortWeight, cohorts);
    this.cohortK = grownFloat64(this.cohortK, cohorts);
    this.cohortPointer = grownInt32(this.cohortPointer, cohorts);
    this.cohortCurrent = grownInt32(this.cohortCurrent, cohorts);
    this.cohortSize = grownInt32(this.cohortSize, cohorts);
  }
}
