/**
 * A history check in the spirit of etcd's robustness suite: given etcd's own revision history of
 * a prefix (every put and delete, in revision order) and the changes one Catalog emitted (with the
 * revision it attached to each), prove every emitted change is explained by that history.
 *
 * - nothing invented: a change caused by the watch matches an etcd event on that key at exactly
 *   its revision (a put with the same instance for added/updated/recovered; a delete, or a put of
 *   an invalid value, for removed); the changes of a listing (initial/resync: consecutive changes
 *   with that cause, each carrying its key's revision) match etcd's state at the listing's
 *   revision, the highest among them, and name each key once (a key removed and added again in
 *   one listing is a clear-and-refill, not a difference);
 * - nothing missing: whenever the catalog moves on from revision R, its view (built only from the
 *   changes it emitted) equals etcd's valid instances at R, and a watch change at R' also means
 *   nothing visible happened between R and R'; at the end it equals etcd's final state;
 * - in order: revisions never go down within one cluster's history;
 * - removal reasons: a delete whose previous value had status `leaving` is `deregistered`, any
 *   other delete `expired` (a lease expiry included), a put of an invalid value `invalid`.
 *
 * Epochs (checkEpochs): when the cluster is replaced by an empty one, etcd's history restarts at
 * revision 1, so each cluster's history is checked on its own, against the changes the catalog
 * emitted while that cluster served it. The catalog's view crosses the boundary: the first batch
 * of a later epoch is its relist, a difference that must turn the view it carried over into the
 * new cluster's state at the listing revision (or, when that relist found no visible difference
 * and emitted nothing, its first watch change must follow from the carried view). Revisions may
 * go down at the boundary and nowhere else. Whether the catalog saw the last events of an epoch
 * before its cluster went away is not checked (it may have been cut off); what it held is
 * checked at the last revision it reached.
 *
 * Pure: no etcd here (see ./history-recorder.ts for reading the history), so a unit test can feed
 * it a doctored record and see it fail.
 */
import { same, show, Timeline, type HistoryEvent, type InstanceState } from './history-timeline.js';

export type { HistoryEvent, InstanceState } from './history-timeline.js';

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

/** One cluster's lifetime: its history from revision 1, and the changes the catalog emitted while it served. */
export interface Epoch {
  readonly history: readonly HistoryEvent[];
  readonly changes: readonly EmittedChange[];
}

/** Returns every way `changes` is not explained by `history` (empty: the catalog is consistent with etcd). */
export function checkHistory(history: readonly HistoryEvent[], changes: readonly EmittedChange[]): string[] {
  return checkEpochs([{ history, changes }]);
}

/** Like checkHistory() for a record that spans several clusters, one after the other; problems name their epoch (from 1). */
export function checkEpochs(epochs: readonly Epoch[]): string[] {
  const problems: string[] = [];
  const view = new Map<string, InstanceState>();
  const recorded = epochs.some((e) => e.changes.length > 0);
  let first = 0;
  for (const [n, epoch] of epochs.entries()) {
    const tag = epochs.length === 1 ? '' : `epoch ${n + 1}: `;
    new EpochCheck(new Timeline(epoch.history), view, (p) => problems.push(tag + p)).run(epoch.changes, first, {
      carried: n > 0,
      final: n === epochs.length - 1 && recorded,
    });
    first += epoch.changes.length;
  }
  return problems;
}

/** Checks one epoch's changes against its timeline, updating the catalog's view as it goes. */
class EpochCheck {
  constructor(
    private readonly timeline: Timeline,
    private readonly view: Map<string, InstanceState>,
    private readonly report: (problem: string) => void,
  ) {}

  /** `first`: the record index of changes[0]; `carried`: the view comes from an earlier cluster; `final`: compare with etcd's last state. */
  run(changes: readonly EmittedChange[], first: number, how: { carried: boolean; final: boolean }): void {
    let current = 0;
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
      const label = `change #${first + index} (${change.type} ${change.key} at ${revision}, ${change.cause})`;
      if (revision < current) {
        this.report(`${label}: out of order, after revision ${current}`);
        index = end;
        continue;
      }
      if (revision > current && current > 0) {
        this.compareView(current, `missing before ${label}`);
        if (change.cause === 'watch' && revision - 1 > current) this.compareView(revision - 1, `missing before ${label}`);
      } else if (current === 0 && how.carried) {
        // The first change from a new cluster: only a relist can bridge the view carried over
        // from the old one (or the watch, once a relist found nothing visible to change).
        if (change.cause === 'watch') this.compareView(revision - 1, `missing before ${label}, the first change from this cluster`);
        else if (change.cause !== 'resync') this.report(`${label}: the first change from a new cluster is neither a relist (resync) nor a watch event`);
      }
      if (batch.length > 1) this.checkEachKeyOnce(batch, label);
      current = revision;
      for (const [offset, c] of batch.entries()) this.apply(c, first + index + offset, revision);
      index = end;
    }
    if (how.final) this.compareView(Math.max(current, this.timeline.lastRevision), 'at the end');
    else if (current > 0) this.compareView(current, 'at the end of the epoch');
  }

  private compareView(revision: number, when: string): void {
    const keys = new Set([...this.timeline.keys(), ...this.view.keys()]);
    for (const key of keys) {
      const expected = this.timeline.stateAt(key, revision);
      const seen = this.view.get(key);
      if (expected === undefined && seen === undefined) continue;
      if (!same(expected, seen)) this.report(`${when}: ${key} is ${show(seen)} in the catalog, ${show(expected)} in etcd at revision ${revision}`);
    }
  }

  /** A listing is a difference: one change per key at most, never a removal undone by an add. */
  private checkEachKeyOnce(batch: readonly EmittedChange[], label: string): void {
    const byKey = new Map<string, string[]>();
    for (const c of batch) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c.type]);
    for (const [key, types] of byKey) {
      if (types.length === 1) continue;
      const refill = types.indexOf('removed') >= 0 && types.indexOf('removed') < types.length - 1;
      this.report(`${label}: ${key} is ${types.join(' then ')} in one listing: ${refill ? 'a clear-and-refill, not a difference' : 'listed twice'}`);
    }
  }

  private apply(change: EmittedChange, index: number, checkAt: number): void {
    const label = `change #${index} (${change.type} ${change.key} at ${change.revision}, ${change.cause})`;
    const before = this.view.get(change.key);
    if (change.type === 'added' || change.type === 'recovered') {
      if (before !== undefined) this.report(`${label}: the catalog already held it`);
    } else if (before === undefined) this.report(`${label}: the catalog did not hold it`);
    if (change.cause === 'watch') this.checkWatchChange(change, label);
    else if (change.cause !== 'cache') this.checkListedChange(change, checkAt, before, label);
    if (change.type === 'removed') this.view.delete(change.key);
    else if (change.instance !== undefined) this.view.set(change.key, change.instance);
  }

  private checkWatchChange(change: EmittedChange, label: string): void {
    const event = this.timeline.eventAt(change.key, change.revision);
    if (event === undefined) {
      this.report(`${label}: invented, etcd has no event on this key at this revision`);
      return;
    }
    if (change.type !== 'removed') {
      if (event.type !== 'put' || !same(event.instance, change.instance)) {
        this.report(`${label}: says ${show(change.instance)}, etcd's event is a ${event.type} of ${show(event.instance)}`);
      }
      return;
    }
    if (event.type === 'put') {
      if (event.instance !== undefined) this.report(`${label}: etcd's event is a put of a valid instance`);
      else if (change.reason !== 'invalid') this.report(`${label}: a put of an invalid value reported as ${String(change.reason)}, not invalid`);
      return;
    }
    const previous = this.timeline.stateAt(change.key, change.revision - 1);
    const expected = previous?.status === 'leaving' ? 'deregistered' : 'expired';
    if (change.reason !== expected) this.report(`${label}: reason ${String(change.reason)}, etcd's history says ${expected} (last value ${show(previous)})`);
  }

  private checkListedChange(change: EmittedChange, revision: number, before: InstanceState | undefined, label: string): void {
    const state = this.timeline.stateAt(change.key, revision);
    if (change.type !== 'removed') {
      if (!same(state, change.instance)) this.report(`${label}: says ${show(change.instance)}, etcd at revision ${revision} has ${show(state)}`);
      return;
    }
    if (state !== undefined) {
      this.report(`${label}: invented, etcd still has ${show(state)} at revision ${revision}`);
      return;
    }
    // A relist sees only the outcome: the reason follows the last value the catalog itself held.
    const expected = this.timeline.existsAt(change.key, revision) ? 'invalid' : before?.status === 'leaving' ? 'deregistered' : 'expired';
    if (change.reason !== expected) this.report(`${label}: reason ${String(change.reason)}, expected ${expected}`);
  }
}
