/**
 * The inside of one registration: its record, its status rules and its writes. Registration is
 * the public face; Registrar drives entries through this class.
 *
 * - Writes to one key never overlap: every write (register, update, drain, health flip, re-put
 *   after a lease loss, deregister) runs in order on `exclusive()`. Each re-checks the entry's
 *   state and the registrar's right before writing, so a write queued before deregister() or
 *   close() does not bring the key back: a late write must never resurrect a removed key.
 * - Status: `leaving` while deregistering; else `draining` when drained on purpose (drain(),
 *   update({ status: 'draining' })) or when the health check fails; else `up`.
 * - Only the first write (and a re-put after a lost lease) may create the key. Later writes
 *   (update, drain, health flips) only overwrite it while it is on one of our leases, so a key an
 *   operator removed is never brought back by a late health flip.
 * - The entry ends for good when another owner takes its key (`displaced`) or someone else deletes
 *   it while our lease lives (`removed`): from then on it writes and deletes nothing.
 */
import { ClosedError, DuplicateInstanceError, InvalidConfigError, KeyNotFoundError } from '../errors.js';
import { encodeInstance, type InstanceRecord, type InstanceStatus } from '../codec/index.js';
import { isLeaseNotFound } from '../etcd/translate-error.js';
import type { InstanceWriter, WriteResult } from './instance-writer.js';
import { HealthMonitor, type HealthResult } from './health-monitor.js';
import { checkInstanceFields, type ResolvedRegisterOptions, type UpdateOptions } from './registrar-options.js';

/** What an entry needs from its Registrar. */
export interface EntryHost {
  readonly writer: InstanceWriter;
  acquireLease(signal?: AbortSignal): Promise<string>;
  currentLeaseId(): string | undefined;
  ownedLeaseIds(): readonly string[];
  leaseRejected(leaseId: string, cause: unknown): void;
  isClosing(): boolean;
  /** The entry stopped being live (deregistered, displaced, failed): drop it from the registrar. */
  forget(entry: InstanceEntry): void;
  healthChanged(entry: InstanceEntry, result: HealthResult, status: InstanceStatus): void;
  /** A background write (health flip) failed. */
  backgroundFailure(entry: InstanceEntry, error: unknown): void;
  /** The first write landed: from now on the key's ownership is watched. */
  registered(entry: InstanceEntry): void;
  /** Whether etcd still has `leaseId` (a key that vanished with a dead lease was not removed by anyone). */
  leaseAlive(leaseId: string, signal?: AbortSignal): Promise<boolean>;
  /** One of our writes found another lease on the key: the registration is displaced. */
  writeRefused(entry: InstanceEntry, error: DuplicateInstanceError): void;
}

/**
 * `displaced`: another owner holds the key now. `removed`: someone else deleted the key while our
 * lease was alive (an operator's `rollcall deregister` or `etcdctl del`). Both are final.
 */
export type RegistrationState = 'registering' | 'registered' | 'displaced' | 'removed' | 'deregistering' | 'deregistered' | 'failed';

/** Attempts at one write when etcd answers "lease not found" (the lease is re-granted in between). */
const LEASE_RETRIES = 3;

export class InstanceEntry {
  readonly key: string;
  private desired: InstanceRecord;
  private written: InstanceRecord | undefined;
  private stateNow: RegistrationState = 'registering';
  private drainedOnPurpose = false;
  private healthy = true;
  private chain: Promise<void> = Promise.resolve();
  private readonly health: HealthMonitor | undefined;
  private lastWriteNow: WriteResult | undefined;
  /** The encoding of the record the constructor checked, so the first write does not encode it again. */
  private encoded: { readonly record: InstanceRecord; readonly value: string } | undefined;

  constructor(private readonly host: EntryHost, key: string, record: InstanceRecord, private readonly options: ResolvedRegisterOptions) {
    this.key = key;
    this.desired = record;
    // Throws InvalidConfigError now, before any etcd call, when too large.
    this.encoded = { record, value: encodeInstance(record) };
    this.health = options.healthCheck
      ? new HealthMonitor(options.healthCheck, options.healthIntervalMs, options.healthTimeoutMs, key, (result) => this.applyHealth(result))
      : undefined;
  }

  get state(): RegistrationState {
    return this.stateNow;
  }

  /** The record as last committed to etcd (the desired one before the first commit). */
  get record(): InstanceRecord {
    return this.written ?? this.desired;
  }

  get isLive(): boolean {
    return this.stateNow === 'registering' || this.stateNow === 'registered';
  }

  /** The revision and lease of the last record this entry committed. */
  get lastWrite(): WriteResult | undefined {
    return this.lastWriteNow;
  }

  /**
   * Ends a registered entry because its key is no longer ours (`displaced`) or was deleted by
   * someone else (`removed`). False when it was not registered (already ended, or ours is the
   * write in progress: deregistering). Never writes.
   */
  end(as: 'displaced' | 'removed'): boolean {
    if (this.stateNow !== 'registered') return false;
    this.stateNow = as;
    this.health?.stop();
    this.host.forget(this);
    return true;
  }

  /** First write. With a health check, its first answer decides the initial status. */
  async register(signal?: AbortSignal): Promise<void> {
    let first: HealthResult | undefined;
    if (this.health) {
      first = await this.health.probe(signal);
      signal?.throwIfAborted();
      this.healthy = first.healthy;
      this.desired = { ...this.desired, status: this.statusNow() };
    }
    await this.exclusive(async () => {
      if (this.stateNow !== 'registering' || this.host.isClosing()) throw new ClosedError(`${this.key}: the registrar is closed`);
      await this.write(this.desired, { signal, replace: this.options.replace, mayCreate: true });
      this.stateNow = 'registered';
    });
    this.host.registered(this);
    // A failing first check is a transition too (from the presumed healthy): say so.
    if (first && !first.healthy) this.host.healthChanged(this, first, this.statusNow());
    this.health?.start();
  }

  /**
   * A register() that failed: forget it. With `removeKey` (aborted, or no answer in time, so the
   * put may have landed anyway) also delete the key if our lease holds it.
   */
  async abandon(removeKey: boolean): Promise<void> {
    this.health?.stop();
    this.stateNow = 'failed';
    this.host.forget(this);
    const leaseId = this.host.currentLeaseId();
    if (removeKey && leaseId !== undefined && !this.host.isClosing()) await this.host.writer.deleteIfOwned(this.key, leaseId);
  }

  async update(options: UpdateOptions): Promise<void> {
    checkInstanceFields(options, `update ${this.key}`);
    if (options.status !== undefined && options.status !== 'up' && options.status !== 'draining') {
      throw new InvalidConfigError(`update ${this.key}: status must be "up" or "draining", got ${JSON.stringify(options.status)}`, {
        details: { key: this.key, status: options.status },
      });
    }
    options.signal?.throwIfAborted();
    return this.exclusive(async () => {
      this.assertUsable();
      const drained = options.status === undefined ? this.drainedOnPurpose : options.status === 'draining';
      const { signal: _signal, status: _status, ...fields } = options;
      const next: InstanceRecord = { ...this.desired, ...definedOnly(fields) };
      const before = this.drainedOnPurpose;
      this.drainedOnPurpose = drained;
      try {
        await this.write({ ...next, status: this.statusNow() }, { signal: options.signal });
      } catch (error) {
        this.drainedOnPurpose = before;
        throw error;
      }
    });
  }

  /** Re-puts the record under a new lease after a loss. 'skipped' when there is nothing to do. */
  reput(leaseId: string): Promise<'written' | 'skipped'> {
    return this.exclusive(async () => {
      if (!this.isLive || this.host.isClosing() || this.host.currentLeaseId() !== leaseId) return 'skipped';
      await this.write(this.desired, { onlyLease: leaseId, mayCreate: true });
      return 'written';
    });
  }

  /** Writes `leaving` then deletes the key, both only while the key is on our lease. */
  /**
   * `signal` aborts the wait and the writes not yet answered; an aborted deregister leaves the
   * entry registered (as any failed one does), its health check running again.
   */
  deregister(signal?: AbortSignal): Promise<void> {
    this.health?.stop();
    return this.exclusive(async () => {
      if (this.stateNow === 'deregistered' || this.stateNow === 'failed') return;
      if (this.stateNow === 'displaced' || this.stateNow === 'removed') {
        this.stateNow = 'deregistered';
        return;
      }
      this.stateNow = 'deregistering';
      try {
        signal?.throwIfAborted();
        for (const leaseId of this.host.ownedLeaseIds()) {
          const leaving = { ...this.desired, status: 'leaving' as const };
          if (await this.host.writer.putIfOwned(this.key, encodeInstance(leaving), leaseId, signal)) {
            this.written = leaving;
            await this.host.writer.deleteIfOwned(this.key, leaseId, signal);
            break;
          }
        }
      } catch (error) {
        this.stateNow = 'registered';
        this.health?.start();
        throw error;
      }
      this.stateNow = 'deregistered';
      this.host.forget(this);
    });
  }

  /** close(), step 1: no more health checks; wait for the write in progress. */
  async quiesce(): Promise<void> {
    this.health?.stop();
    await this.chain;
  }

  /** close(), step 2: the `leaving` record, written only while the key is on `leaseId`. */
  async writeLeaving(leaseId: string, signal?: AbortSignal): Promise<void> {
    if (!this.isLive) return;
    const leaving = { ...this.desired, status: 'leaving' as const };
    if (await this.host.writer.putIfOwned(this.key, encodeInstance(leaving), leaseId, signal)) this.written = leaving;
  }

  /** close(), step 3: the lease is revoked (or will expire); the entry is done. */
  finish(): void {
    this.health?.stop();
    if (this.stateNow !== 'failed' && this.stateNow !== 'displaced' && this.stateNow !== 'removed') this.stateNow = 'deregistered';
  }

  private statusNow(): InstanceStatus {
    if (this.stateNow === 'deregistering') return 'leaving';
    return this.drainedOnPurpose || !this.healthy ? 'draining' : 'up';
  }

  /** Never rejects: failures go to the registrar as background failures. */
  private async applyHealth(result: HealthResult): Promise<void> {
    try {
      const changed = result.healthy !== this.healthy;
      this.healthy = result.healthy;
      if (changed) this.host.healthChanged(this, result, this.statusNow());
      await this.exclusive(async () => {
        if (this.stateNow !== 'registered' || this.host.isClosing()) return;
        const status = this.statusNow();
        // Also retries a flip whose write failed last time.
        if (status !== this.desired.status) await this.write({ ...this.desired, status }, {});
      });
    } catch (error) {
      this.host.backgroundFailure(this, error);
    }
  }

  /**
   * Claims (or with `replace` takes over) the key with `record`; retries on a lease that etcd says
   * is gone. Without `mayCreate` the key must still be on one of our leases, unless it vanished
   * with the lease it was written on (an expiry, not someone's delete): then it is written again.
   */
  private async write(
    record: InstanceRecord,
    how: { signal?: AbortSignal | undefined; replace?: boolean; mayCreate?: boolean; onlyLease?: string },
  ): Promise<void> {
    const value = this.encoded?.record === record ? this.encoded.value : encodeInstance(record);
    this.encoded = undefined;
    const { signal, onlyLease } = how;
    let mayCreate = how.mayCreate ?? false;
    for (let attempt = 1; ; attempt += 1) {
      const leaseId = onlyLease ?? (await this.host.acquireLease(signal));
      if (this.host.isClosing()) throw new ClosedError(`${this.key}: the registrar is closed`);
      try {
        this.lastWriteNow = how.replace
          ? await this.host.writer.takeOver(this.key, value, leaseId, signal)
          : await this.host.writer.claim(this.key, value, leaseId, this.host.ownedLeaseIds(), { mayCreate, ...(signal ? { signal } : {}) });
        this.desired = record;
        this.written = record;
        return;
      } catch (error) {
        if (error instanceof DuplicateInstanceError && this.stateNow === 'registered') this.host.writeRefused(this, error);
        if (error instanceof KeyNotFoundError && !mayCreate && onlyLease === undefined && attempt < LEASE_RETRIES) {
          const keyLease = this.lastWriteNow?.leaseId ?? leaseId;
          if (!(await this.host.leaseAlive(keyLease, signal))) {
            if (keyLease === leaseId) this.host.leaseRejected(leaseId, error);
            mayCreate = true;
            continue;
          }
        }
        if (!isLeaseNotFound(error) || onlyLease !== undefined || attempt >= LEASE_RETRIES) throw error;
        this.host.leaseRejected(leaseId, error);
      }
    }
  }

  private assertUsable(): void {
    if (this.stateNow === 'displaced') {
      throw new DuplicateInstanceError(`${this.key} was taken over by another owner; this registration is no longer live`, { details: { key: this.key } });
    }
    if (this.stateNow === 'removed') {
      throw new KeyNotFoundError(`${this.key} was removed by someone else (rollcall deregister, etcdctl del); this registration is no longer live`, {
        details: { key: this.key },
      });
    }
    if (this.stateNow !== 'registered' || this.host.isClosing()) {
      throw new ClosedError(`${this.key} is ${this.host.isClosing() ? 'closing' : this.stateNow}`, { details: { key: this.key } });
    }
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.chain.then(run, run);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
