/**
 * etcd's revision history of one prefix, per key, for the history checker: what a key held at
 * any revision is a binary search away. One Timeline is one cluster's history (an epoch): a
 * replaced cluster starts again at revision 1, so two clusters never share a Timeline.
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

export function same(a: InstanceState | undefined, b: InstanceState | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.status === b.status && a.weight === b.weight;
}

export function show(state: InstanceState | undefined): string {
  return state === undefined ? 'absent' : `${state.address} ${state.status} w${state.weight}`;
}

/** Per key, its events in revision order. */
export class Timeline {
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
