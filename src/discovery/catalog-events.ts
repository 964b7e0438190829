/**
 * What a Catalog reports, with payloads. Every event fires after the whole etcd batch it comes
 * from is applied: `instances()` and pickers already show the new state when a listener runs.
 * Listeners should not throw; one that does is reported as a `warning` (ListenerError) and the
 * remaining listeners and events still run.
 */
import type { Instance, InstanceStatus } from '../codec/index.js';
import type { PanicInfo } from '../balance/index.js';
import type { RollcallError } from '../errors.js';

/** An instance as the catalog holds it: the decoded record plus its membership. */
export interface CatalogInstance extends Instance {
  /**
   * True while the key exists in etcd. False for an instance that was removed and is kept for
   * the grace period (`includeLost`), and in `removed` payloads.
   */
  readonly inGroup: boolean;
  /** When the catalog saw the key vanish (ms since epoch); set only on expired instances. */
  readonly lostAt?: number;
}

/**
 * Why the catalog's view changed: the first listing, a live watch event, the difference found by
 * a relist (after compaction, a wiped or restored etcd, a cancelled watch), or the cache file
 * read by `open()` when etcd was down.
 */
export type ChangeCause = 'initial' | 'watch' | 'resync' | 'cache';

/**
 * Why an instance left:
 * - `deregistered`: its key was deleted and its last value had status `leaving` (a clean stop).
 * - `expired`: its key was deleted with any other last status. Inferred, not told: a crash, a
 *   lost lease, a lease revoked by an operator, `etcdctl del`, or a wiped etcd all read the same.
 *   The instance is kept for `gracePeriodMs` (inGroup false) and may come back as `recovered`.
 * - `invalid`: its key still exists but now holds a value the codec rejects (a `warning` says
 *   why). It is not kept for the grace period; a later valid value is `added`.
 */
export type RemovedReason = 'deregistered' | 'expired' | 'invalid';

interface ChangeBase {
  readonly service: string;
  /** etcd revision at which the catalog saw the change. */
  readonly revision: number;
  readonly cause: ChangeCause;
}

/** A new instance. Not "just started": a catalog's first listing reports every instance as added. */
export interface InstanceAdded extends ChangeBase {
  readonly type: 'added';
  readonly instance: CatalogInstance;
}

/** An instance's value changed (status, weight, metadata, or re-written on a new lease). */
export interface InstanceUpdated extends ChangeBase {
  readonly type: 'updated';
  readonly previous: CatalogInstance;
  readonly current: CatalogInstance;
}

/** An instance left; `instance` is its last known state, with `inGroup: false`. */
export interface InstanceRemoved extends ChangeBase {
  readonly type: 'removed';
  readonly instance: CatalogInstance;
  readonly reason: RemovedReason;
}

/**
 * An instance that `expired` less than `gracePeriodMs` ago registered again under the same
 * service and id. Not proof that it is the same process: only the id matched.
 */
export interface InstanceRecovered extends ChangeBase {
  readonly type: 'recovered';
  /** The expired instance as it was last seen (inGroup false). */
  readonly previous: CatalogInstance;
  readonly current: CatalogInstance;
  /** How long it was missing, by the catalog's clock. */
  readonly lostForMs: number;
}

/** One change to the catalog, as `changes()` yields it. */
export type CatalogChange = InstanceAdded | InstanceUpdated | InstanceRemoved | InstanceRecovered;

export interface StaleInfo {
  /** When etcd last answered (ms since epoch): the catalog is known to be right as of then. */
  readonly since: number;
  readonly staleForMs: number;
  /** The failure that made or keeps it stale, when one is known. */
  readonly error?: RollcallError;
}

export interface SyncedInfo {
  /** The catalog equals etcd at this revision (for the watch that synced). */
  readonly revision: number;
  /** `initial`: first listing; `resumed`: the watch resumed with no change missed; `resync`: relisted and diffed. */
  readonly reason: 'initial' | 'resumed' | 'resync';
  /** How long the catalog had been stale; 0 when it was not. */
  readonly staleForMs: number;
}

export interface CatalogEvents {
  /** See InstanceAdded. Instances found by `open()` are emitted before it resolves: read `instances()` for them. */
  added: [change: InstanceAdded];
  /** See InstanceUpdated. A status change to `draining` or `leaving` is an update, not a removal. */
  updated: [change: InstanceUpdated];
  /** See InstanceRemoved and RemovedReason. An expired instance leaving its grace period emits nothing. */
  removed: [change: InstanceRemoved];
  /** See InstanceRecovered. */
  recovered: [change: InstanceRecovered];
  /**
   * A problem the catalog handled by itself, never thrown: ERR_MALFORMED_VALUE (a value skipped;
   * `details.key`, `details.reason`, `details.removed` true when it replaced a valid instance),
   * ERR_CACHE_FILE (the cache file could not be written; `details.path`), ERR_LISTENER (a
   * listener threw; `cause`). Emitting it with no listener does nothing.
   */
  warning: [error: RollcallError];
  /**
   * etcd cannot be reached (or the catalog started from its cache file); answers come from the
   * last known state. Fires when it becomes stale and every `staleIntervalMs` while it stays so.
   * Not a statement about the instances: they may well all be alive.
   */
  stale: [info: StaleInfo];
  /**
   * The catalog equals etcd again: after being stale, or after a relist (compaction, wiped etcd).
   * Fires only when every watch of the catalog is connected.
   */
  synced: [info: SyncedInfo];
  /**
   * A picker made by `picker()` entered (`panic: true`) or left panic mode: fewer than its
   * `panicThreshold` share of the service's non-leaving instances are pickable, so it picks among
   * all of them (see docs/balancers.md). Also published on `rollcall:picker:panic`.
   */
  panic: [info: PanicInfo];
  /** close() finished. */
  closed: [];
}

/** What `instances()` returns. Every field narrows the result; omitted means no condition. */
export interface InstanceQuery {
  /** Also return expired instances still within the grace period (inGroup false). Default false. */
  includeLost?: boolean;
  /** Only these statuses. */
  status?: InstanceStatus | readonly InstanceStatus[];
  /** Only this zone. */
  zone?: string;
  /** Only instances carrying all of these tags. */
  tags?: readonly string[];
}
