/**
 * The catalog's state and its one set of rules, with no I/O: it turns the watch layer's key
 * changes (already decoded, see kept-instance.ts) into instance changes, and tells a clean stop
 * from a crash.
 *
 * - Every put went through the codec. A value it rejected becomes a warning and is skipped; if
 *   the key held a valid instance, that instance is removed with reason `invalid`.
 * - A delete of an instance whose last status was `leaving` is `deregistered`; any other delete is
 *   `expired`, and the instance is kept (inGroup false) for the grace period. A valid put for the
 *   same key within it is `recovered`, not `added`.
 * - A put that repeats exactly what is held (same revisions, lease and decoded record) changes
 *   nothing; it happens when the first listing follows a start from the cache file.
 *
 * Cost: a batch costs O(changes × log n), not O(service size). Each service keeps its live
 * instances sorted by id and patched in place (binary search + splice), so a 10,000-instance
 * service receiving one event never re-sorts; the array handed out by `live()` is copied once
 * before its next patch (copy on write), so a reader's array never changes under it.
 *
 * Memory: per instance, one CatalogInstance (the same object the watch layer's copy keeps) in
 * one Map (by key) and one slot in its service's live array; no raw value, no wrapper object, no
 * second map per service.
 */
import type { KeyLayout } from '../codec/index.js';
import { MalformedValueError } from '../errors.js';
import { rangeContains, type KeepPolicy, type KeyRange, type RangeChange, type WatchedKV } from '../watch/index.js';
import type { CatalogChange, CatalogInstance, ChangeCause } from './catalog-events.js';
import { catalogInstance } from './catalog-instance.js';
import { InvalidValue, keepInstances, type KeptInstance } from './kept-instance.js';
import { sameInstance } from './same-instance.js';

export interface MembershipOptions {
  readonly gracePeriodMs: number;
  readonly maxValueBytes: number;
  /** Clock, ms since epoch. Default Date.now. */
  readonly now?: () => number;
}

/** What one call changed, in the order it happened. */
export interface MembershipResult {
  readonly changes: CatalogChange[];
  readonly warnings: MalformedValueError[];
  /** Services whose set of live instances changed (pickers to refresh). */
  readonly touched: Set<string>;
}

/** One service: its live instances sorted by id (patched per change), and how many are lost. */
interface ServiceGroup {
  live: CatalogInstance[];
  /** True once `live` was handed out: the next patch copies it first. */
  liveShared: boolean;
  /** Expired instances of the service still in their grace period. */
  lost: number;
}

export function emptyResult(): MembershipResult {
  return { changes: [], warnings: [], touched: new Set() };
}

export class Membership {
  /** Every instance held, live or expired within its grace period, by key. */
  private readonly entries = new Map<string, CatalogInstance>();
  private readonly byService = new Map<string, ServiceGroup>();
  /** Keys of expired instances within their grace period, oldest first, with when they were lost. */
  private readonly lost = new Map<string, number>();
  private readonly now: () => number;
  /**
   * How the watch layer's copy keeps keys for this membership (give it to the followers); values
   * over `maxValueBytes` are invalid.
   */
  readonly keep: KeepPolicy<KeptInstance>;
  /** The same for the cache file's values; see load(). */
  private readonly keepCached: KeepPolicy<KeptInstance>;

  constructor(
    layout: KeyLayout,
    private readonly options: MembershipOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.keep = keepInstances(layout, options.maxValueBytes);
    this.keepCached = keepInstances(layout, Infinity);
  }

  /** Applies a batch of the watch layer (a follower using `keep`), in order. */
  apply(changes: readonly RangeChange<KeptInstance>[], cause: ChangeCause, result: MembershipResult = emptyResult()): MembershipResult {
    for (const change of changes) {
      if (change.type === 'put') this.put(change.kv.key, change.kept, change.revision, cause, result);
      else this.delete(change.key, change.revision, cause, result);
    }
    return result;
  }

  /**
   * Applies key-values read from the cache file, as puts. Decoded like values read from etcd,
   * except for the size limit: each was within it when read from etcd, and the file holds it
   * re-encoded (see cache-file.ts), which can be longer than the bytes etcd held.
   */
  load(kvs: readonly WatchedKV[], result: MembershipResult = emptyResult()): MembershipResult {
    for (const kv of kvs) this.put(kv.key, this.keepCached.keep(kv), kv.modRevision, 'cache', result);
    return result;
  }

  /**
   * After a first listing of `range`: live instances in it that the listing lacks (known only from
   * the cache file) are deleted, at the listing's revision.
   */
  retainListed(
    range: KeyRange,
    listed: ReadonlyMap<string, unknown>,
    revision: number,
    cause: ChangeCause,
    result: MembershipResult = emptyResult(),
  ): MembershipResult {
    for (const [key, instance] of [...this.entries]) {
      if (instance.inGroup && !listed.has(key) && rangeContains(range, Buffer.from(key))) this.delete(key, revision, cause, result);
    }
    return result;
  }

  /** Forgets expired instances whose grace period is over; returns how many. Emits nothing. */
  purgeExpired(): number {
    const cutoff = this.now() - this.options.gracePeriodMs;
    let purged = 0;
    for (const [key, lostAt] of this.lost) {
      if (lostAt > cutoff) break;
      this.lost.delete(key);
      const instance = this.entries.get(key);
      if (instance && !instance.inGroup) this.drop(key, instance);
      purged += 1;
    }
    return purged;
  }

  /** When the next expired instance leaves its grace period (ms since epoch), or undefined. */
  nextExpiryAt(): number | undefined {
    for (const lostAt of this.lost.values()) return lostAt + this.options.gracePeriodMs;
    return undefined;
  }

  /** Live instances of `service`, sorted by id. The same array until the service changes: do not mutate. */
  live(service: string): readonly CatalogInstance[] {
    const group = this.byService.get(service);
    if (group === undefined) return NO_INSTANCES;
    group.liveShared = true;
    return group.live;
  }

  /** Instances of `service`, live and (with includeLost) expired ones in their grace period, sorted by id. */
  list(service: string, includeLost: boolean): CatalogInstance[] {
    const group = this.byService.get(service);
    if (group === undefined) return [];
    if (!includeLost || group.lost === 0) return group.live.slice();
    const out = group.live.slice();
    for (const key of this.lost.keys()) {
      const instance = this.entries.get(key);
      if (instance?.service === service && !instance.inGroup) out.push(instance);
    }
    return out.sort(byId);
  }

  /** Services with at least one live instance (or, with includeLost, any instance), sorted. */
  services(includeLost: boolean): string[] {
    const out: string[] = [];
    for (const [service, group] of this.byService) {
      if (group.live.length > 0 || (includeLost && group.lost > 0)) out.push(service);
    }
    return out.sort();
  }

  /** Every live instance (for the cache file). */
  liveInstances(): CatalogInstance[] {
    const out: CatalogInstance[] = [];
    for (const group of this.byService.values()) for (const instance of group.live) out.push(instance);
    return out;
  }

  private put(key: string, kept: KeptInstance, revision: number, cause: ChangeCause, result: MembershipResult): void {
    const existing = this.entries.get(key);
    const wasLive = existing?.inGroup === true;
    if (kept instanceof InvalidValue) {
      const { error } = kept;
      result.warnings.push(
        new MalformedValueError(wasLive ? `${error.message} (the instance it held is removed)` : error.message, {
          cause: error.cause,
          details: { ...error.details, removed: wasLive },
        }),
      );
      if (existing && wasLive) {
        this.drop(key, existing);
        const instance = catalogInstance(existing, false);
        result.changes.push({ type: 'removed', service: existing.service, instance, reason: 'invalid', revision, cause });
        result.touched.add(existing.service);
      }
      return;
    }
    if (existing && wasLive && sameInstance(existing, kept)) {
      // Nothing to report (a listing repeating what the cache file gave); hold the copy's object
      // so that the instance is not kept twice.
      if (existing !== kept) this.store(key, kept);
      return;
    }
    const current = kept;
    const service = current.service;
    if (existing && wasLive) {
      result.changes.push({ type: 'updated', service, previous: existing, current, revision, cause });
    } else if (existing) {
      const lostAt = existing.lostAt ?? this.now();
      this.lost.delete(key);
      result.changes.push({ type: 'recovered', service, previous: existing, current, lostForMs: Math.max(0, this.now() - lostAt), revision, cause });
    } else {
      result.changes.push({ type: 'added', service, instance: current, revision, cause });
    }
    this.store(key, current);
    result.touched.add(service);
  }

  private delete(key: string, revision: number, cause: ChangeCause, result: MembershipResult): void {
    const existing = this.entries.get(key);
    // Unknown keys (never valid, or already expired) have nothing to remove.
    if (!existing || !existing.inGroup) return;
    const service = existing.service;
    result.touched.add(service);
    if (existing.status === 'leaving') {
      this.drop(key, existing);
      result.changes.push({ type: 'removed', service, instance: catalogInstance(existing, false), reason: 'deregistered', revision, cause });
      return;
    }
    const lostAt = this.now();
    const instance = catalogInstance(existing, false, lostAt);
    if (this.options.gracePeriodMs > 0) {
      this.store(key, instance);
      this.lost.delete(key);
      this.lost.set(key, lostAt);
    } else {
      this.drop(key, existing);
    }
    result.changes.push({ type: 'removed', service, instance, reason: 'expired', revision, cause });
  }

  /** Keeps `instance` under `key`, and patches its service's sorted live array by this one change. */
  private store(key: string, instance: CatalogInstance): void {
    const previous = this.entries.get(key);
    this.entries.set(key, instance);
    let group = this.byService.get(instance.service);
    if (!group) {
      group = { live: [], liveShared: false, lost: 0 };
      this.byService.set(instance.service, group);
    }
    const wasLive = previous?.inGroup === true;
    const isLive = instance.inGroup;
    if (previous !== undefined && !wasLive) group.lost -= 1;
    if (!isLive) group.lost += 1;
    if (!wasLive && !isLive) return;
    const live = this.writableLive(group);
    const { found, index } = search(live, instance.id);
    if (isLive && found) live[index] = instance;
    else if (isLive && index === live.length) live.push(instance); // a listing's keys come sorted
    else if (isLive) live.splice(index, 0, instance);
    else if (found) live.splice(index, 1);
  }

  private drop(key: string, instance: CatalogInstance): void {
    this.entries.delete(key);
    this.lost.delete(key);
    const group = this.byService.get(instance.service);
    if (!group) return;
    if (instance.inGroup) {
      const live = this.writableLive(group);
      const { found, index } = search(live, instance.id);
      if (found) live.splice(index, 1);
    } else {
      group.lost -= 1;
    }
    if (group.live.length === 0 && group.lost === 0) this.byService.delete(instance.service);
  }

  /** The group's live array, copied first if a reader holds it (copy on write). */
  private writableLive(group: ServiceGroup): CatalogInstance[] {
    if (group.liveShared) {
      group.live = group.live.slice();
      group.liveShared = false;
    }
    return group.live;
  }
}

const NO_INSTANCES: readonly CatalogInstance[] = Object.freeze([]);

function byId(a: CatalogInstance, b: CatalogInstance): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Binary search by id in a sorted array: where `id` is, or where it would be inserted. */
function search(sorted: readonly CatalogInstance[], id: string): { found: boolean; index: number } {
  let low = 0;
  let high = sorted.length;
  // After the last one: how a listing (sorted by key) fills each service.
  if (high === 0 || (sorted[high - 1] as CatalogInstance).id < id) return { found: false, index: high };
  while (low < high) {
    const mid = (low + high) >>> 1;
    const midId = (sorted[mid] as CatalogInstance).id;
    if (midId < id) low = mid + 1;
    else if (midId > id) high = mid;
    else return { found: true, index: mid };
  }
  return { found: false, index: low };
}
