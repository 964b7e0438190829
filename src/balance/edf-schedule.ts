/**
 * Earliest-deadline-first scheduling for weighted picks, as Envoy's weighted round robin does it:
 * every candidate has a virtual deadline, the earliest wins, and the winner's next deadline is
 * one period (1 / weight) later. A binary min-heap keeps picks O(log n) and allocation-free, where
 * nginx's smooth weighted round robin scans all n candidates on every pick.
 *
 * Deadlines are computed, not accumulated: `base + (count + OFFSET) / weight`, so instances that
 * started together compare exactly (equal rationals are equal doubles) and ties are broken the
 * same way on every client. OFFSET = 0.5 puts each instance's picks in the middle of its periods
 * (Sainte-Laguë rather than D'Hondt), which spreads a heavy instance's picks instead of front-loading
 * them.
 *
 * An instance that joins, changes weight or returns after an ejection starts at the current virtual
 * time, so it is neither starved nor handed a burst to "catch up" on picks it never had.
 */
import type { PickerEntry } from './picker-entry.js';

const OFFSET = 0.5;

/** EDF bookkeeping kept on each entry between rebuilds. */
export interface EdfState {
  /** Virtual time at which this entry (re)started. */
  edfBase: number;
  /** Picks since `edfBase`. */
  edfCount: number;
  /** The weight `edfBase`/`edfCount` were counted with; another weight restarts the entry. */
  edfWeight: number;
  /** The next deadline: `edfBase + (edfCount + OFFSET) / edfWeight`. */
  edfDeadline: number;
  /** Position in the key-ordered candidates: the tie-breaker. */
  edfOrder: number;
}

export class EdfSchedule {
  private heap: PickerEntry[] = [];
  /** Virtual time: the deadline of the last pick. Every deadline in the heap is at or after it. */
  private now = 0;

  /** Replaces the candidates (sorted by key); entries still present keep their deadlines. */
  rebuild(candidates: readonly PickerEntry[]): void {
    const heap = candidates.slice();
    for (let i = 0; i < heap.length; i++) {
      const entry = heap[i] as PickerEntry;
      if (entry.edfWeight !== entry.weight || entry.edfDeadline < this.now) {
        entry.edfBase = this.now;
        entry.edfCount = 0;
        entry.edfWeight = entry.weight;
        entry.edfDeadline = this.now + OFFSET / entry.weight;
      }
      entry.edfOrder = i;
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    this.heap = heap;
    if (heap.length === 0) this.now = 0;
  }

  /** The entry with the earliest deadline; moves its deadline one period on. Heap must not be empty. */
  next(): PickerEntry {
    const heap = this.heap;
    const top = heap[0] as PickerEntry;
    this.now = top.edfDeadline;
    top.edfCount += 1;
    top.edfDeadline = top.edfBase + (top.edfCount + OFFSET) / top.edfWeight;
    siftDown(heap, 0);
    return top;
  }
}

/**
 * Earlier deadline first; on a tie the lighter instance first (its next chance is the furthest
 * away, so serving it now keeps every instance closest to its share), then key order.
 */
function before(a: PickerEntry, b: PickerEntry): boolean {
  if (a.edfDeadline !== b.edfDeadline) return a.edfDeadline < b.edfDeadline;
  if (a.edfWeight !== b.edfWeight) return a.edfWeight < b.edfWeight;
  return a.edfOrder < b.edfOrder;
}

function siftDown(heap: PickerEntry[], start: number): void {
  const n = heap.length;
  const item = heap[start] as PickerEntry;
  let i = start;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    const right = child + 1;
    if (right < n && before(heap[right] as PickerEntry, heap[child] as PickerEntry)) child = right;
    const candidate = heap[child] as PickerEntry;
    if (!before(candidate, item)) break;
    heap[i] = candidate;
    i = child;
  }
  heap[i] = item;
}
