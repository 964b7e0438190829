/**
 * Watches the keys a Registrar wrote, so that it learns within one watch event (not at its next
 * write, which may never come) that a key is no longer its own:
 *
 * - a put under a lease that is not one of ours: another owner took the key over (`replace: true`
 *   in another Registrar, `etcdctl put --lease`, a put with no lease at all) -> `displaced`;
 * - a delete while the lease the key was on is still alive: someone removed it on purpose
 *   (`rollcall deregister`, `etcdctl del`) -> `removed`. A delete whose lease is gone is that
 *   lease's expiry or revocation: the lease keeper handles it (re-grant, re-put), not this guard.
 *
 * One RangeFollower per service prefix the registrar uses (all followers share the connection's
 * watch stream): list at one revision, watch from the next, relist after compaction. Our own
 * writes are told from others' by lease (every lease this registrar wrote with) and by state: an
 * entry being deregistered or abandoned is not judged, and an event older than the entry's last
 * committed write is stale (our later write already replaced what it shows).
 */
import { debuglog } from 'node:util';
import { decodeInstance, type KeyLayout } from '../codec/index.js';
import { Backoff, pause, translateEtcdError, type EtcdConnection } from '../etcd/index.js';
import { leaseTimeToLive } from '../etcd/lease-calls.js';
import { RollcallError } from '../errors.js';
import { prefixRange, RangeFollower, type ChangeBatch, type WatchedKV } from '../watch/index.js';
import type { InstanceEntry } from './instance-entry.js';

const trace = debuglog('rollcall:registrar');

/** Attempts at asking etcd whether a deleted key's lease still lives, before giving up with a warning. */
const LEASE_CHECK_ATTEMPTS = 5;

/** Who holds a key that was taken over. */
export interface KeyHolder {
  /** Decimal lease id of the new holder; "0" when the key was put with no lease. */
  readonly leaseId: string;
  /** The new value's address, when it decodes as an instance. */
  readonly address?: string;
  /** Revision of the put that took the key over. */
  readonly revision: number;
}

/** What the guard needs from its Registrar. */
export interface GuardHost {
  /** True for every lease this registrar has written with. */
  isOurLease(leaseId: string): boolean;
  isClosing(): boolean;
  takenOver(entry: InstanceEntry, holder: KeyHolder): void;
  removed(entry: InstanceEntry, info: { leaseId: string; revision: number }): void;
  warning(error: RollcallError): void;
}

interface ServiceWatch {
  readonly follower: RangeFollower;
  readonly entries: Map<string, InstanceEntry>;
}

export class OwnershipGuard {
  private readonly services = new Map<string, ServiceWatch>();
  private readonly stop = new AbortController();
  /** Lease checks in flight, by `leaseId@revision` (see leaseAliveAfter). */
  private readonly leaseChecks = new Map<string, Promise<boolean | undefined>>();

  constructor(
    private readonly conn: EtcdConnection,
    private readonly layout: KeyLayout,
    private readonly host: GuardHost,
  ) {}

  /** Starts watching a registered entry's key (its first write has landed). */
  track(entry: InstanceEntry): void {
    if (this.stop.signal.aborted) return;
    const service = entry.record.service;
    let watch = this.services.get(service);
    if (!watch) {
      const follower = new RangeFollower(this.conn, prefixRange(this.layout.servicePrefix(service)));
      const created: ServiceWatch = { follower, entries: new Map() };
      follower.on('batch', (batch) => this.onBatch(created, batch));
      this.services.set(service, created);
      follower.start();
      watch = created;
    }
    watch.entries.set(entry.key, entry);
    if (watch.follower.hasSynced) this.judge(entry, watch.follower.snapshot().get(entry.key), watch.follower.revision);
  }

  /** Stops watching an entry (deregistered, ended); the service's watch stops with its last entry. */
  untrack(entry: InstanceEntry): void {
    const service = entry.record.service;
    const watch = this.services.get(service);
    if (!watch || watch.entries.get(entry.key) !== entry) return;
    watch.entries.delete(entry.key);
    if (watch.entries.size > 0) return;
    watch.follower.close();
    this.services.delete(service);
  }

  close(): void {
    this.stop.abort();
    for (const watch of this.services.values()) watch.follower.close();
    this.services.clear();
  }

  private onBatch(watch: ServiceWatch, batch: ChangeBatch): void {
    if (batch.cause === 'watch') {
      for (const change of batch.changes) {
        const entry = watch.entries.get(change.type === 'put' ? change.kv.key : change.key);
        if (entry) this.judge(entry, change.type === 'put' ? change.kv : undefined, change.revision, change.prev);
      }
      return;
    }
    // A first listing or a relist: compare every watched key with what etcd holds now.
    const snapshot = watch.follower.snapshot();
    for (const entry of [...watch.entries.values()]) this.judge(entry, snapshot.get(entry.key), batch.revision);
  }

  /** Decides what etcd's state of `entry.key` at `revision` means: nothing, taken over, or removed. */
  private judge(entry: InstanceEntry, kv: WatchedKV | undefined, revision: number, prev?: WatchedKV): void {
    if (!this.stillJudged(entry, revision)) return;
    if (kv) {
      if (this.host.isOurLease(kv.lease)) return;
      trace('%s: put at revision %d under lease %s, not ours', entry.key, revision, kv.lease);
      const address = this.addressOf(kv);
      this.host.takenOver(entry, { leaseId: kv.lease, revision, ...(address === undefined ? {} : { address }) });
      return;
    }
    const leaseId = prev && this.host.isOurLease(prev.lease) ? prev.lease : (entry.lastWrite?.leaseId as string);
    this.checkRemoval(entry, leaseId, revision).catch((error: unknown) => {
      this.host.warning(error instanceof RollcallError ? error : translateEtcdError(error, { operation: `check removal of ${entry.key}`, endpoints: this.conn.endpoints }));
    });
  }

  private stillJudged(entry: InstanceEntry, revision: number): boolean {
    if (this.stop.signal.aborted || this.host.isClosing() || entry.state !== 'registered') return false;
    const last = entry.lastWrite;
    return last !== undefined && last.revision <= revision;
  }

  /**
   * The key is gone. If the lease it was on still lives, someone deleted it on purpose; if the
   * lease is gone, it expired or was revoked, and the lease keeper re-puts it.
   */
  private async checkRemoval(entry: InstanceEntry, leaseId: string, revision: number): Promise<void> {
    const alive = await this.leaseAliveAfter(leaseId, revision);
    trace('%s deleted at revision %d; its lease %s is %s', entry.key, revision, leaseId, alive === undefined ? 'unknown (stopped)' : alive ? 'alive' : 'gone');
    if (alive === true && this.stillJudged(entry, revision)) this.host.removed(entry, { leaseId, revision });
  }

  /**
   * Whether `leaseId` lives, asked after the deletes of `revision`; undefined when the guard
   * stopped first. A lease's expiry or revocation deletes all its keys in one revision, so the
   * keys of one revision share one question (and one abort listener) rather than asking once per
   * key. A later revision asks again: the lease may have died in between.
   */
  private leaseAliveAfter(leaseId: string, revision: number): Promise<boolean | undefined> {
    const id = `${leaseId}@${revision}`;
    let check = this.leaseChecks.get(id);
    if (!check) {
      check = this.askLeaseAlive(leaseId).finally(() => this.leaseChecks.delete(id));
      this.leaseChecks.set(id, check);
    }
    return check;
  }

  private async askLeaseAlive(leaseId: string): Promise<boolean | undefined> {
    const backoff = new Backoff({ baseMs: 200, maxMs: 2000 });
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await leaseTimeToLive(this.conn, leaseId, { signal: this.stop.signal })).ttl > 0;
      } catch (error) {
        if (this.stop.signal.aborted || this.host.isClosing()) return undefined;
        if (attempt >= LEASE_CHECK_ATTEMPTS) throw error;
        if (!(await pause(backoff.next(), this.stop.signal))) return undefined;
      }
    }
  }

  private addressOf(kv: WatchedKV): string | undefined {
    const decoded = decodeInstance(this.layout, kv);
    return decoded.ok ? decoded.instance.address : undefined;
  }
}
