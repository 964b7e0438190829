/**
 * The min-heap under the EDF schedule (edf-schedule.ts): nodes ordered by deadline, then weight
 * (lighter first), then rank (key order), each carrying an integer id.
 *
 * Layout: one Float64Array of (deadline, weight, rank, id) quadruples, so sifting compares numbers
 * that sit next to each other (a node's two children share a cache line) instead of following a
 * pointer per comparison to an object somewhere on the heap; with 100,000 instances that pointer
 * chase was a cache miss per level. Positions per id, needed only to change or remove one node,
 * are recomputed lazily then rather than kept up to date on every pick.
 */
import { grownInt32 } from './slot-table.js';

/** Numbers per node: deadline, weight, rank, id. */
const NODE = 4;

export class EdfHeap {
  private nodes = new Float64Array(NODE * 16);
  private count = 0;
  /** Per id: node index, or -1; valid only while `positionsValid`. */
  private position = new Int32Array(16);
  private positionsValid = false;

  get size(): number {
    return this.count;
  }

  /**
   * The nodes themselves (deadline, weight, rank, id per node; the earliest first), for a pick to
   * read the top node and rewrite its key in place, then siftTop(). A pick passes no number through
   * a call: a double handed to a call V8 does not inline is boxed, one allocation each. Fetch it
   * anew for every pick: the array is replaced when the heap grows.
   */
  get raw(): Float64Array {
    return this.nodes;
  }

  clear(): void {
    this.count = 0;
    this.positionsValid = false;
  }

  /** Adds a node without ordering it: call heapify() after a batch of these. */
  append(deadline: number, weight: number, rank: number, id: number): void {
    this.reserve(this.count + 1);
    this.write(this.count++, deadline, weight, rank, id);
    this.positionsValid = false;
  }

  heapify(): void {
    for (let i = (this.count >> 1) - 1; i >= 0; i--) this.siftDown(i, false);
    this.positionsValid = false;
  }

  push(deadline: number, weight: number, rank: number, id: number): void {
    this.ensurePositions();
    this.reserve(this.count + 1);
    const at = this.count++;
    this.write(at, deadline, weight, rank, id);
    this.position = grownInt32(this.position, id + 1, -1);
    this.position[id] = at;
    this.siftUp(at);
  }

  /** Gives node `id` a new key and moves it to its place. */
  update(id: number, deadline: number, weight: number, rank: number): void {
    const at = this.find(id);
    if (at < 0) return;
    this.write(at, deadline, weight, rank, id);
    this.resift(at, id);
  }

  remove(id: number): void {
    const at = this.find(id);
    if (at < 0) return;
    this.position[id] = -1;
    const last = --this.count;
    if (at === last) return;
    const o = NODE * last;
    const nodes = this.nodes;
    const moved = nodes[o + 3] as number;
    this.write(at, nodes[o] as number, nodes[o + 1] as number, nodes[o + 2] as number, moved);
    this.position[moved] = at;
    this.resift(at, moved);
  }

  /** The top node got a later key (a pick, through `raw`): sifts it down; positions become stale. */
  siftTop(): void {
    this.siftDown(0, false);
    this.positionsValid = false;
  }

  /** Sets every node's rank to `rankOf(id)`; the order is unchanged as long as ranks keep their order. */
  rerank(rankOf: (id: number) => number): void {
    for (let at = 0; at < this.count; at++) this.nodes[NODE * at + 2] = rankOf(this.nodes[NODE * at + 3] as number);
  }

  private find(id: number): number {
    this.ensurePositions();
    const at = id < this.position.length ? (this.position[id] as number) : -1;
    return at >= 0 && at < this.count && this.nodes[NODE * at + 3] === id ? at : -1;
  }

  private ensurePositions(): void {
    if (this.positionsValid) return;
    this.position.fill(-1);
    for (let at = 0; at < this.count; at++) {
      const id = this.nodes[NODE * at + 3] as number;
      this.position = grownInt32(this.position, id + 1, -1);
      this.position[id] = at;
    }
    this.positionsValid = true;
  }

  private reserve(nodes: number): void {
    if (this.nodes.length >= NODE * nodes) return;
    const grown = new Float64Array(Math.max(NODE * nodes, this.nodes.length * 2));
    grown.set(this.nodes);
    this.nodes = grown;
  }

  private write(at: number, deadline: number, weight: number, rank: number, id: number): void {
    const o = NODE * at;
    this.nodes[o] = deadline;
    this.nodes[o + 1] = weight;
    this.nodes[o + 2] = rank;
    this.nodes[o + 3] = id;
  }

  /** The node at `at` (with `id`) changed: up, or else down, to its place. */
  private resift(at: number, id: number): void {
    this.siftUp(at);
    if (this.position[id] === at) this.siftDown(at, true);
  }

  /** With `track`, positions are kept up to date; a pick skips that and marks them stale instead. */
  private siftDown(start: number, track: boolean): void {
    const nodes = this.nodes;
    const n = this.count;
    const o = NODE * start;
    const deadline = nodes[o] as number;
    const weight = nodes[o + 1] as number;
    const rank = nodes[o + 2] as number;
    const id = nodes[o + 3] as number;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = NODE * child;
      const r = c + NODE;
      if (child + 1 < n && before(nodes[r] as number, nodes[r + 1] as number, nodes[r + 2] as number, nodes[c] as number, nodes[c + 1] as number, nodes[c + 2] as number)) {
        child += 1;
        c = r;
      }
      if (!before(nodes[c] as number, nodes[c + 1] as number, nodes[c + 2] as number, deadline, weight, rank)) break;
      const to = NODE * i;
      nodes[to] = nodes[c] as number;
      nodes[to + 1] = nodes[c + 1] as number;
      nodes[to + 2] = nodes[c + 2] as number;
      nodes[to + 3] = nodes[c + 3] as number;
      if (track) this.position[nodes[c + 3] as number] = i;
      i = child;
    }
    this.write(i, deadline, weight, rank, id);
    if (track) this.position[id] = i;
  }

  /** Moves the node at `start` up to its place, keeping positions up to date. */
  private siftUp(start: number): void {
    const nodes = this.nodes;
    const o = NODE * start;
    const deadline = nodes[o] as number;
    const weight = nodes[o + 1] as number;
    const rank = nodes[o + 2] as number;
    const id = nodes[o + 3] as number;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = NODE * parent;
      if (!before(deadline, weight, rank, nodes[p] as number, nodes[p + 1] as number, nodes[p + 2] as number)) break;
      this.write(i, nodes[p] as number, nodes[p + 1] as number, nodes[p + 2] as number, nodes[p + 3] as number);
      this.position[nodes[p + 3] as number] = i;
      i = parent;
    }
    this.write(i, deadline, weight, rank, id);
    this.position[id] = i;
  }
}

/**
 * Earlier deadline first; on a tie the lighter instance first (its next chance is the furthest
 * away, so serving it now keeps every instance closest to its share), then key order.
 */
function before(deadline: number, weight: number, rank: number, otherDeadline: number, otherWeight: number, otherRank: number): boolean {
  if (deadline !== otherDeadline) return deadline < otherDeadline;
  if (weight !== otherWeight) return weight < otherWeight;
  return rank < otherRank;
}
