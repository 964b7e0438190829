/**
 * The catalog's state and its one set of rules, with no I/O: it turns the watch layer's raw key
 * changes into instance changes, and tells a clean stop from a crash.
 *
 * - Every put goes through the codec. A value it rejects becomes a warning and is skipped; if the
 *   key held a valid instance, that instance is removed with reason `invalid`.
 * - A delete of an instance whose last status was `leaving` is `deregistered`; any other delete is
 *   `expired`, and the instance is kept (inGroup false) for the grace period. A valid put for the
 *   same key within it is `recovered`, not `added`.
 * - A put that repeats exactly what is held (same value, revisions and lease) changes nothing; it
 *   happens when the first listing follows a start from the cache file.
 *
 * Cost: a batch costs O(changes × log n), not O(service size). Each service keeps its live
 * instances sorted by id and patched in place (binary search + splice), so a 10,000-instance
 * service receiving one event never re-sorts; the array handed out by `live()` is copied once
 * before its next patch (copy on write), so a reader's array never changes under it.
 */
import { decodeInstance, type KeyLayout } from '../codec/index.js';
import { MalformedValueError } from '../errors.js';
import { rangeContains, sameKV, type KeyRange, type RangeChange, type WatchedKV } from '../watch/index.js';
import type { CatalogChange, CatalogInstance, ChangeCause } from './catalog-events.js';
import { catalogInstance } from './catalog-instance.js';

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

interface Entry {
  readonly service: string;
  /** The raw key-value the live instance was decoded from; undefined once lost. */
  kv: WatchedKV | undefined;
  instance: CatalogInstance;
}

/** One service: its entries by key, and its live instances sorted by id (patched per change). */
interface ServiceGroup {
  readonly entries: Map<string, Entry>;
  live: CatalogInstance[];
  /** True once `live` was handed out: the next patch copies it first. */
  liveShared: boolean;
}

export function emptyResult(): MembershipResult {
  return { changes: [], warnings: [], touched: new Set() };
}

export class Membership {
  private readonly entries = new Map<string, Entry>();
  private readonly byService = new Map<string, ServiceGroup>();
  /** Keys of expired instances within their grace period, oldest first, with when they were lost. */
  private readonly lost = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly layout: KeyLayout,
    private readonly options: MembershipOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Applies a batch of the watch layer, in order. */
  apply(changes: readonly RangeChange[], cause: ChangeCause, result: MembershipResult = emptyResult()): MembershipResult {
    for (const change of changes) {
      if (change.type === 'put') this.put(change.kv, change.revision, cause, result);
      else this.delete(change.key, change.revision, cause, result);
    }
    return result;
  }

  /** Applies key-values read from the cache file, as puts. */
  load(kvs: readonly WatchedKV[], result: MembershipResult = emptyResult()): MembershipResult {
    for (const kv of kvs) this.put(kv, kv.modRevision, 'cache', result);
    return result;
  }

  /**
   * After a first listing of `range`: live instances in it that the listing lacks (known only from
   * the cache file) are deleted, at the listing's revision.
   */
  retainListed(
    range: KeyRange,
    listed: ReadonlyMap<string, WatchedKV>,
    revision: number,
    cause: ChangeCause,
    result: MembershipResult = emptyResult(),
  ): MembershipResult {
    for (const [key, entry] of [...this.entries]) {
      if (entry.instance.inGroup && !listed.has(key) && rangeContains(range, Buffer.from(key))) this.delete(key, revision, cause, result);
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
      const entry = this.entries.get(key);
      if (entry && !entry.instance.inGroup) this.drop(key, entry);
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
    if (!includeLost) return group.live.slice();
    const out: CatalogInstance[] = [];
    for (const entry of group.entries.values()) out.push(entry.instance);
    return out.sort(byId);
  }

  /** Services with at least one live instance (or, with includeLost, any instance), sorted. */
  services(includeLost: boolean): string[] {
    const out: string[] = [];
    for (const [service, group] of this.byService) {
      if (includeLost || group.live.length > 0) out.push(service);
    }
    return out.sort();
  }

  /** The raw key-values of every live instance, for the cache file. */
  liveKVs(): WatchedKV[] {
    const out: WatchedKV[] = [];
    for (const entry of this.entries.values()) if (entry.kv) out.push(entry.kv);
    return out;
  }

  private put(kv: WatchedKV, revision: number, cause: ChangeCause, result: MembershipResult): void {
    const decoded = decodeInstance(this.layout, kv, this.options.maxValueBytes);
    const existing = this.entries.get(kv.key);
    const wasLive = existing?.instance.inGroup === true;
    if (!decoded.ok) {
      const { error } = decoded;
      result.warnings.push(
        new MalformedValueError(wasLive ? `${error.message} (the instance it held is removed)` : error.message, {
          cause: error.cause,
          details: { ...error.details, removed: wasLive },
        }),
      );
      if (existing && wasLive) {
        this.drop(kv.key, existing);
        const instance = catalogInstance(existing.instance, false);
        result.changes.push({ type: 'removed', service: existing.service, instance, reason: 'invalid', revision, cause });
        result.touched.add(existing.service);
      }
      return;
    }
    const current = catalogInstance(decoded.instance, true);
    const service = current.service;
    if (existing && wasLive) {
      if (existing.kv && sameKV(existing.kv, kv)) return;
      result.changes.push({ type: 'updated', service, previous: existing.instance, current, revision, cause });
    } else if (existing) {
      const lostAt = existing.instance.lostAt ?? this.now();
      this.lost.delete(kv.key);
      result.changes.push({ type: 'recovered', service, previous: existing.instance, current, lostForMs: Math.max(0, this.now() - lostAt), revision, cause });
    } else {
      result.changes.push({ type: 'added', service, instance: current, revision, cause });
    }
    this.store(kv.key, { service, kv, instance: current });
    result.touched.add(service);
  }

  private delete(key: string, revision: number, cause: ChangeCause, result: MembershipResult): void {
    const existing = this.entries.get(key);
    // Unknown keys (never valid, or already expired) have nothing to remove.
    if (!existing || !existing.instance.inGroup) return;
    const service = existing.service;
    result.touched.add(service);
    if (existing.instance.status === 'leaving') {
      this.drop(key, existing);
      result.changes.push({ type: 'removed', service, instance: catalogInstance(existing.instance, false), reason: 'deregistered', revision, cause });
      return;
    }
    const lostAt = this.now();
    const instance = catalogInstance(existing.instance, false, lostAt);
    if (this.options.gracePeriodMs > 0) {
      this.store(key, { service, kv: undefined, instance });
      this.lost.delete(key);
      this.lost.set(key, lostAt);
    } else {
      this.drop(key, existing);
    }
    result.changes.push({ type: 'removed', service, instance, reason: 'expired', revision, cause });
  }

  /** Keeps `entry` under `key`, and patches the service's sorted live array by this one change. */
  private store(key: string, entry: Entry): void {
    const previous = this.entries.get(key);
    this.entries.set(key, entry);
    let group = this.byService.get(entry.service);
    if (!group) {
      group = { entries: new Map(), live: [], liveShared: false };
      this.byService.set(entry.service, group);
    }
    group.entries.set(key, entry);
    const wasLive = previous?.instance.inGroup === true;
    const isLive = entry.instance.inGroup;
    if (!wasLive && !isLive) return;
    const live = this.writableLive(group);
    const { found, index } = search(live, entry.instance.id);
    if (isLive && found) live[index] = entry.instance;
    else if (isLive) live.splice(index, 0, entry.instance);
    else if (found) live.splice(index, 1);
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.lost.delete(key);
    const group = this.byService.get(entry.service);
    if (!group) return;
    group.entries.delete(key);
    if (entry.instance.inGroup) {
      const live = this.writableLive(group);
      const { found, index } = search(live, entry.instance.id);
      if (found) live.splice(index, 1);
    }
    if (group.entries.size === 0) this.byService.delete(entry.service);
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
  while (low < high) {
    const mid = (low + high) >>> 1;
    const midId = (sorted[mid] as CatalogInstance).id;
    if (midId < id) low = mid + 1;
    else if (midId > id) high = mid;
    else return { found: true, index: mid };
  }
  return { found: false, index: low };
}
