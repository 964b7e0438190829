/**
 * What changed between the instance list a picker last saw and a new one, so that update() costs
 * O(changes) in its real work instead of rebuilding every entry: the catalog hands over its whole
 * copy-on-write list on every change, sorted by key, in which an unchanged instance is the very
 * same object as last time.
 *
 * The walk compares objects by identity first and only reads the keys around a difference, so an
 * update of 100,000 instances with one changed is one pass of pointer compares (no Map of 100,000
 * string keys built per update, which was most of the cost before) and allocates nothing of size
 * n unless keys came or went. A list that is not sorted by key, or that repeats a key, is sorted
 * (last one wins) and then walked the same way.
 */
import type { Instance } from '../codec/instance.js';

export interface InstanceDiff {
  /** The new set, sorted by key, one instance per key: `given` itself when it already was. */
  readonly sorted: readonly Instance[];
  /** True when `sorted` is a new array (given was not sorted), false when it is `given`. */
  readonly copied: boolean;
  /**
   * For each position of `sorted`, the position of the same key in the previous list, or -1;
   * undefined when the keys are exactly the previous ones (same positions).
   */
  readonly previousIndex: Int32Array | undefined;
  /** Positions in `sorted` whose instance object is not the one seen there before (new keys included). */
  readonly changed: number[];
  /** Positions in the previous list whose key is gone. */
  readonly removed: number[];
}

/** `previous` must be sorted by key without repeats (the `sorted` of an earlier diff). */
export function diffInstances(previous: readonly Instance[], given: readonly Instance[]): InstanceDiff {
  return walk(previous, given, false) ?? (walk(previous, sortUnique(given), true) as InstanceDiff);
}

/** Undefined when `given` is not strictly increasing by key. */
function walk(previous: readonly Instance[], given: readonly Instance[], copied: boolean): InstanceDiff | undefined {
  const n = given.length;
  const m = previous.length;
  let previousIndex: Int32Array | undefined;
  const changed: number[] = [];
  const removed: number[] = [];
  let j = 0;
  let i = 0;
  // True while given[i - 1] was matched by identity to previous[j - 1]: then the two are in order.
  let inRun = false;
  while (i < n) {
    const instance = given[i] as Instance;
    if (j < m && instance === previous[j]) {
      if (!inRun && i > 0 && !((given[i - 1] as Instance).key < instance.key)) return undefined;
      // A run of unchanged instances: pointer compares only.
      let a = i + 1;
      let b = j + 1;
      while (a < n && b < m && given[a] === previous[b]) {
        a++;
        b++;
      }
      if (previousIndex !== undefined) for (let x = i; x < a; x++) previousIndex[x] = j + x - i;
      i = a;
      j = b;
      inRun = true;
      continue;
    }
    const key = instance.key;
    if (i > 0 && !((given[i - 1] as Instance).key < key)) return undefined;
    while (j < m && (previous[j] as Instance).key < key) removed.push(j++);
    const same = j < m && (previous[j] as Instance).key === key;
    if (previousIndex === undefined && (!same || i !== j)) previousIndex = identity(n);
    if (same) {
      if (previous[j] !== instance) changed.push(i);
      if (previousIndex !== undefined) previousIndex[i] = j;
      j++;
    } else {
      changed.push(i);
      (previousIndex as Int32Array)[i] = -1;
    }
    inRun = false;
    i++;
  }
  while (j < m) removed.push(j++);
  if (previousIndex === undefined && n !== m) previousIndex = identity(n);
  return { sorted: given, copied, previousIndex, changed, removed };
}

/** Every position where it was: the start of a previousIndex once the keys are found to differ. */
function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let x = 0; x < n; x++) out[x] = x;
  return out;
}

/** Sorted by key; for a repeated key, the last instance given. */
function sortUnique(given: readonly Instance[]): Instance[] {
  const byKey = new Map<string, Instance>();
  for (const instance of given) byKey.set(instance.key, instance);
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
