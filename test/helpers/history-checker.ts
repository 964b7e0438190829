/**
 * A history check in the spirit of etcd's robustness suite: given etcd's own revision history of
 * a prefix (every put and delete, in revision order) and the changes one Catalog emitted (with the
 * revision it attached to each), prove every emitted change is explained by that history.
 *
 * - nothing invented: a change caused by the watch matches an etcd event on that key at exactly
 *   its revision (a put with the same instance for added/updated/recovered; a delete, or a put of
 *   an invalid value, for removed); the changes of a listing (initial/resync: consecutive changes
 *   with that cause, each carrying its key's revision) match etcd's state at the listing's
 *   revision, the highest among them;
 * - nothing missing: whenever the catalog moves on from revision R, its view (built only from the
 *   changes it emitted) equals etcd's valid instances at R, and a watch change at R' also means
 *   nothing visible happened between R and R'; at the end it equals etcd's final state;
 * - in order: revisions never go down;
 * - removal reasons: a delete whose previous value had status `leaving` is `deregistered`, any
 *   other delete `expired` (a lease expiry included), a put of an invalid value `invalid`.
 *
 * Pure: no etcd here (see ./history-recorder.ts for reading the history), so a unit test can feed
 * it a doctored record and see it fail.
 */

/** One etcd event under the prefix, decoded: `instance` is undefined for a delete or an invalid value. */
export interface HistoryEvent {
  readonly revision: number;
  readonly type: 'put' | 'delete';
  readonly key: string;
  readonly instance?: InstanceState;
}

/** The parts of an instance the check compares. */
export interface InstanceState {
  readonly address: string;
  readonly status: string;
  readonly weight: number;
}

/** One change a catalog emitted, as recorded by recordCatalog(). */
export interface EmittedChange {
  readonly type: 'added' | 'updated' | 'removed' | 'recovered';
  readonly key: string;
  readonly revision: number;
  readonly cause: 'initial' | 'watch' | 'resync' | 'cache';
  readonly reason?: string;
  /** The instance after the change (undefined for removed). */
  readonly instance?: InstanceState;
}

function same(a: InstanceState | undefined, b: InstanceState | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.status === b.status && a.weight === b.weight;
}

function show(state: InstanceState | undefined): string {
  return state === undefined ? 'absent' : `${state.address} ${state.status} w${state.weight}`;
}

/** Per key, its events in revision order: the state at any revision is a binary search away. */
class Timeline {
  private readonly byKey = new Map<string, HistoryEvent[]>();
  readonly lastRevision: number;

  constructor(history: readonly HistoryEvent[]) {
    let last = 0;
    for (const event of history) {
      if (event.revision < last) throw new Error(`history out of order at revision ${event.revision}`);
      last = event.revision;
      const list = this.byKey.get(event.key) ?? [];
      list.push(event);
      this.byKey.set(event.key, list);
    }
    this.lastRevision = last;
  }

  /** The last event of `key` at or before `revision`. */
  private lastAt(key: string, revision: number): HistoryEvent | undefined {
    const list = this.byKey.get(key);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found: HistoryEvent | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const event = list[mid] as HistoryEvent;
      if (event.revision <= revision) {
        found = event;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The key's valid instance at `revision`, undefined when absent or invalid. */
  stateAt(key: string, revision: number): InstanceState | undefined {
    return this.lastAt(key, revision)?.instance;
  }

  /** True when the key exists at `revision` (with a valid value or not). */
  existsAt(key: string, revision: number): boolean {
    return this.lastAt(key, revision)?.type === 'put';
  }

  eventAt(key: string, revision: number): HistoryEvent | undefined {
    const event = this.lastAt(key, revision);
    return event?.revision === revision ? event : undefined;
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }
}

/** Returns every way `changes` is not explained by `history` (empty: the catalog is consistent with etcd). */
export function checkHistory(history: readonly HistoryEvent[], changes: readonly EmittedChange[]): string[] {
  const timeline = new Timeline(history);
  const problems: string[] = [];
  const view = new Map<string, InstanceState>();
  let current = 0;

  const compareView = (revision: number, when: string): void => {
    const keys = new Set([...timeline.keys(), ...view.keys()]);
    for (const key of keys) {
      const expected = timeline.stateAt(key, revision);
      const seen = view.get(key);
      if (expected === undefined && seen === undefined) continue;
      if (!same(expected, seen)) problems.push(`${when}: ${key} is ${show(seen)} in the catalog, ${show(expected)} in etcd at revision ${revision}`);
    }
  };

  const apply = (change: EmittedChange, index: number, checkAt: number): void => {
    const label = `change #${index} (${change.type} ${change.key} at ${change.revision}, ${change.cause})`;
    const before = view.get(change.key);
    if (change.type === 'added' || change.type === 'recovered') {
      if (before !== undefined) problems.push(`${label}: the catalog already held it`);
    } else if (before === undefined) problems.push(`${label}: the catalog did not hold it`);
    if (change.cause === 'watch') checkWatchChange(timeline, change, label, problems);
    else if (change.cause !== 'cache') checkListedChange(timeline, change, checkAt, before, label, problems);
    if (change.type === 'removed') view.delete(change.key);
    else if (change.instance !== undefined) view.set(change.key, change.instance);
  };

  for (let index = 0; index < changes.length; ) {
    const change = changes[index] as EmittedChange;
    // A listing (initial or resync) is one batch: each change carries its key's own revision, and
    // the batch as a whole is etcd's state at the listing's revision, the highest among them.
    let end = index + 1;
    if (change.cause === 'initial' || change.cause === 'resync') {
      while (end < changes.length && (changes[end] as EmittedChange).cause === change.cause) end += 1;
    }
    const batch = changes.slice(index, end);
    const revision = Math.max(...batch.map((c) => c.revision));
    const label = `change #${index} (${change.type} ${change.key} at ${revision}, ${change.cause})`;
    if (revision < current) {
      problems.push(`${label}: out of order, after revision ${current}`);
      index = end;
      continue;
    }
    if (revision > current && current > 0) {
      compareView(current, `missing before ${label}`);
      if (change.cause === 'watch') compareView(revision - 1, `missing before ${label}`);
    }
    current = revision;
    for (const [offset, c] of batch.entries()) apply(c, index + offset, revision);
    index = end;
  }
  if (changes.length > 0) compareView(Math.max(current, timeline.lastRevision), 'at the end');
  return problems;
}

function checkWatchChange(timeline: Timeline, change: EmittedChange, label: string, problems: string[]): void {
  const event = timeline.eventAt(change.key, change.revision);
  if (event === undefined) {
    problems.push(`${label}: invented, etcd has no event on this key at this revision`);
    return;
  }
  if (change.type !== 'removed') {
    if (event.type !== 'put' || !same(event.instance, change.instance)) {
      problems.push(`${label}: says ${show(change.instance)}, etcd's event is a ${event.type} of ${show(event.instance)}`);
    }
    return;
  }
  if (event.type === 'put') {
    if (event.instance !== undefined) problems.push(`${label}: etcd's event is a put of a valid instance`);
    else if (change.reason !== 'invalid') problems.push(`${label}: a put of an invalid value reported as ${String(change.reason)}, not invalid`);
    return;
  }
  const previous = timeline.stateAt(change.key, change.revision - 1);
  const expected = previous?.status === 'leaving' ? 'deregistered' : 'expired';
  if (change.reason !== expected) problems.push(`${label}: reason ${String(change.reason)}, etcd's history says ${expected} (last value ${show(previous)})`);
}

function checkListedChange(
  timeline: Timeline,
  change: EmittedChange,
  revision: number,
  before: InstanceState | undefined,
  label: string,
  problems: string[],
): void {
  const state = timeline.stateAt(change.key, revision);
  if (change.type !== 'removed') {
    if (!same(state, change.instance)) problems.push(`${label}: says ${show(change.instance)}, etcd at revision ${revision} has ${show(state)}`);
    return;
  }
  if (state !== undefined) {
    problems.push(`${label}: invented, etcd still has ${show(state)} at revision ${revision}`);
    return;
  }
  // A relist sees only the outcome: the reason follows the last value the catalog itself held.
  const expected = timeline.existsAt(change.key, revision) ? 'invalid' : before?.status === 'leaving' ? 'deregistered' : 'expired';
  if (change.reason !== expected) problems.push(`${label}: reason ${String(change.reason)}, expected ${expected}`);
}
