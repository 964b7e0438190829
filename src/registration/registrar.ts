/**
 * The provider half: a Registrar holds one etcd lease, granted on the first register() and shared
 * by all its registrations, so one registration or ten thousand cost the same keepalive traffic.
 * It keeps the lease alive (TTL/3), re-grants it and re-puts every live registration after a loss,
 * watches its keys so that a takeover or an operator's removal ends the registration at once
 * (ownership-guard.ts), and on close() marks everything `leaving` before revoking the lease.
 * docs/registration.md is the user's guide; registrar-events.ts documents every event.
 */
import { addAbortListener, setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { abortable } from '../events/abortable.js';
import { SafeEmitter } from '../events/safe-emitter.js';
import { debuglog } from 'node:util';
import { KeyLayout, type InstanceRecord, type InstanceStatus } from '../codec/index.js';
import { EtcdConnection, translateEtcdError } from '../etcd/index.js';
import { ClosedError, DuplicateInstanceError, EtcdUnavailableError, KeyNotFoundError, RollcallError } from '../errors.js';
import { leaseHex } from '../etcd/lease-id.js';
import { leaseTimeToLive } from '../etcd/lease-calls.js';
import { InstanceEntry, type EntryHost } from './instance-entry.js';
import { InstanceWriter } from './instance-writer.js';
import { LeaseKeeper } from './lease-keeper.js';
import { OwnershipGuard, type KeyHolder } from './ownership-guard.js';
import type { LeaseState } from './lease-state.js';
import type { HealthResult } from './health-monitor.js';
import type { RegistrarEvents } from './registrar-events.js';
import { Registration } from './registration.js';
import { resolveRegisterOptions, resolveRegistrarOptions, type RegisterOptions, type RegistrarOptions, type ResolvedRegistrarOptions } from './registrar-options.js';
import { forEachLimit, REPUT_CONCURRENCY, reregisterAll, type RoundHost } from './reregister-round.js';
import { signalShutdown, type ShutdownSignal, type SignalParticipant } from './signal-shutdown.js';

const trace = debuglog('rollcall:registrar');

export class Registrar extends SafeEmitter<RegistrarEvents> {
  /** Options after defaults. */
  readonly options: ResolvedRegistrarOptions;
  readonly layout: KeyLayout;
  private readonly conn: EtcdConnection;
  /** Replaced (never while closing) when an aborted first register() leaves the lease with no key. */
  private keeper: LeaseKeeper;
  private readonly guard: OwnershipGuard;
  /** Every lease this registrar was granted: a key on one of them was written by us. */
  private readonly ourLeases = new Set<string>();
  /** Revokes of a lease dropped by releaseLease(), awaited by close(). */
  private releasing: Promise<unknown> = Promise.resolve();
  private readonly entries = new Map<string, InstanceEntry>();
  private readonly handles = new WeakMap<InstanceEntry, Registration>();
  private readonly stopping = new AbortController();
  /** Aborted by a close() caller's signal: stop the etcd writes of close(), keep the local cleanup. */
  private readonly gracefulClose = new AbortController();
  private closing: Promise<void> | undefined;
  private readonly host: EntryHost;
  private readonly roundHost: RoundHost;
  private readonly participant: SignalParticipant = { shutdownOnSignal: (signal, skipWait) => this.shutdownOnSignal(signal, skipWait) };

  /** Validates options (InvalidConfigError, InvalidNameError) and builds the etcd client; no etcd call yet. */
  constructor(options: RegistrarOptions = {}) {
    super('registrar');
    this.options = resolveRegistrarOptions(options);
    this.layout = new KeyLayout(this.options.prefix);
    this.conn = EtcdConnection.create(options);
    this.keeper = new LeaseKeeper(this.conn, this.options.ttl);
    const writer = new InstanceWriter(this.conn);
    this.host = {
      writer,
      acquireLease: (signal) => this.keeper.acquire(signal),
      currentLeaseId: () => this.keeper.leaseId,
      ownedLeaseIds: () => this.keeper.ownedLeaseIds(),
      leaseRejected: (leaseId, cause) => this.keeper.invalidate(leaseId, cause),
      isClosing: () => this.closing !== undefined,
      forget: (entry) => {
        if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
        this.guard.untrack(entry);
      },
      healthChanged: (entry, result, status) => this.onHealth(entry, result, status),
      backgroundFailure: (entry, error) => this.onBackgroundFailure(entry, error),
      registered: (entry) => this.guard.track(entry),
      writeRefused: (entry, error) => this.onDisplaced(entry, error),
      leaseAlive: async (leaseId, signal) => (await leaseTimeToLive(this.conn, leaseId, signal ? { signal } : {})).ttl > 0,
    };
    this.guard = new OwnershipGuard(this.conn, this.layout, {
      isOurLease: (leaseId) => this.ourLeases.has(leaseId) || this.keeper.ownedLeaseIds().includes(leaseId),
      isClosing: () => this.closing !== undefined,
      takenOver: (entry, holder) => this.onTakenOver(entry, holder),
      removed: (entry, info) => this.onRemoved(entry, info),
      warning: (error) => this.report(error, 'warning'),
    });
    this.roundHost = {
      liveEntries: () => [...this.entries.values()].filter((e) => e.isLive),
      isCurrent: (leaseId) => this.keeper.leaseId === leaseId && this.closing === undefined,
      leaseRejected: (leaseId, cause) => this.keeper.invalidate(leaseId, cause),
      displaced: (entry, error) => this.onDisplaced(entry, error),
      retrying: (error, failed, delayMs) => {
        trace('re-register: %d write(s) failed, retrying in %d ms: %s', failed, delayMs, error.message);
        this.report(error, 'warning');
      },
    };
    this.wireKeeper(this.keeper);
    if (this.options.handleSignals) signalShutdown.add(this.participant);
  }

  /** The lease all registrations are on; undefined before the first register(), while a lost lease is re-granted, and after close(). */
  get leaseId(): string | undefined {
    return this.keeper.leaseId;
  }

  get state(): LeaseState {
    return this.keeper.state;
  }

  /** TTL in seconds: as requested until granted, then as etcd granted it. */
  get ttl(): number {
    return this.keeper.ttl;
  }

  /** Live registrations (registering or registered). */
  get registrations(): Registration[] {
    return [...this.entries.values()].filter((e) => e.isLive).map((e) => this.handles.get(e) as Registration);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Publishes one instance under the registrar's lease (granted now if this is the first) and
   * resolves once etcd has committed the key. Rejects, before touching etcd, with InvalidNameError
   * (service/id) or InvalidConfigError (address, weight, …); then with DuplicateInstanceError when
   * another live lease holds the id (unless `replace`), EtcdUnavailableError when etcd does not
   * answer within `timeoutMs`, ClosedError after close(), or `signal.reason`.
   */
  async register(options: RegisterOptions): Promise<Registration> {
    if (this.closing) throw new ClosedError('register(): the registrar is closed');
    const resolved = resolveRegisterOptions(options);
    const key = this.layout.instanceKey(resolved.service, resolved.id);
    options.signal?.throwIfAborted();
    if (this.entries.has(key)) {
      throw new DuplicateInstanceError(`${key} is already registered by this registrar`, { details: { key, leaseId: this.keeper.leaseId } });
    }
    const record: InstanceRecord = {
      service: resolved.service,
      id: resolved.id,
      address: resolved.address,
      status: 'up',
      weight: options.weight ?? 1,
      tags: [...(options.tags ?? [])],
      meta: { ...(options.meta ?? {}) },
      registeredAt: new Date().toISOString(),
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      ...(options.version === undefined ? {} : { version: options.version }),
    };
    const entry = new InstanceEntry(this.host, key, record, resolved);
    const registration = new Registration(entry, () => this.keeper.leaseId);
    this.handles.set(entry, registration);
    this.entries.set(key, entry);
    try {
      await entry.register(options.signal);
    } catch (error) {
      // Aborted or unanswered: the put may still have landed, so remove it (in the background, so
      // that this rejection stays within the deadline).
      const aborted = options.signal?.aborted === true;
      const mayHaveLanded = aborted || error instanceof EtcdUnavailableError;
      // Aborted with nothing else registered: the lease carries no key (or only this one), so
      // revoke it rather than keep a keyless lease alive; the next register() grants a new one.
      const releaseLease = aborted && this.entries.size === 1 && this.entries.get(key) === entry && !this.closing;
      entry.abandon(mayHaveLanded && !releaseLease).catch((cleanup: unknown) => {
        this.report(this.asRollcall(cleanup, `remove ${key} after a failed register`), 'error');
      });
      if (releaseLease) this.releaseLease();
      throw error;
    }
    trace('registered %s on lease %s', key, this.keeper.leaseId ?? '-');
    return registration;
  }

  /**
   * Marks every live registration `leaving` (one conditional put each), then revokes the lease,
   * which deletes all its keys in one step, and closes the etcd client if the registrar built it.
   * Local resources are released even when etcd is unreachable; then close() rejects with that
   * error and the keys disappear when the lease expires (within `ttl`). Safe to call twice.
   *
   * `signal` ends the graceful part: once it aborts, close() rejects with `signal.reason`, the
   * `leaving` writes and the revoke not yet answered are abandoned (the keys then go when the
   * lease expires), and local resources (health checks, keepalives, watches, the etcd client the
   * registrar built) are still released in the background. A second close() with its own signal
   * can cut short a close already under way.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted === true) this.gracefulClose.abort(signal.reason);
    if (!this.closing) {
      // Every `leaving` write in flight (up to REPUT_CONCURRENCY) listens on it, each removing its listener when done.
      setMaxListeners(0, this.gracefulClose.signal);
      this.closing = this.shutdown(this.gracefulClose.signal);
    }
    if (signal && !signal.aborted) {
      // Detached once the close settles, so a long-lived caller signal does not keep this registrar.
      const listener = addAbortListener(signal, () => this.gracefulClose.abort(signal.reason));
      const detach = (): void => listener[Symbol.dispose]();
      this.closing.then(detach, detach);
    }
    return abortable(this.closing, signal);
  }

  private async shutdown(graceful: AbortSignal): Promise<void> {
    if (this.options.handleSignals) signalShutdown.remove(this.participant);
    this.stopping.abort(new ClosedError('the registrar is closed'));
    this.guard.close();
    await this.releasing;
    const leases = this.keeper.beginClose();
    const entries = [...this.entries.values()];
    await Promise.all(entries.map((entry) => entry.quiesce()));
    let failure: unknown;
    const current = leases.current;
    if (current !== undefined) {
      await forEachLimit(entries, REPUT_CONCURRENCY, async (entry) => {
        if (failure !== undefined) return; // etcd is not answering: do not wait once per key
        await entry.writeLeaving(current, graceful).catch((error: unknown) => {
          failure ??= error;
        });
      });
    }
    const revoked = await Promise.allSettled(leases.all.map((id) => this.keeper.revoke(id, graceful)));
    for (const outcome of revoked) if (outcome.status === 'rejected') failure ??= outcome.reason;
    for (const entry of entries) entry.finish();
    this.entries.clear();
    // A first grant still in flight lands and is revoked by the keeper: wait for it, or the lease
    // would outlive us with no key until its TTL.
    await this.keeper.settled();
    this.keeper.finishClose();
    this.conn.close();
    trace('closed (%d registration(s), lease(s) %s)%s', entries.length, leases.all.join(', ') || '-', failure ? `: ${String(failure)}` : '');
    this.emit('closed');
    if (failure !== undefined) throw this.asRollcall(failure, 'close');
  }

  private async shutdownOnSignal(signal: ShutdownSignal, skipWait: AbortSignal): Promise<void> {
    try {
      if (this.options.drainMs > 0 && !this.closing) {
        trace('%s: draining %d registration(s) for %d ms', signal, this.entries.size, this.options.drainMs);
        await forEachLimit(this.registrations, REPUT_CONCURRENCY, (r) =>
          r.drain().catch((error: unknown) => this.report(this.asRollcall(error, `drain ${r.key}`), 'warning')),
        );
        await delay(this.options.drainMs, undefined, { signal: skipWait }).catch(() => undefined);
      }
      await this.close();
    } catch (error) {
      this.report(this.asRollcall(error, `shutdown on ${signal}`), 'error');
    }
  }

  /**
   * Drops the current lease (revoked, with any key on it) and starts over with a fresh keeper in
   * state idle. Only for a registrar with no registration left, after an aborted register().
   */
  private releaseLease(): void {
    const old = this.keeper;
    old.removeAllListeners();
    this.keeper = new LeaseKeeper(this.conn, this.options.ttl);
    this.wireKeeper(this.keeper);
    // A grant still in flight is revoked by the old keeper itself when it lands after beginClose().
    const { all } = old.beginClose();
    trace('register() aborted with no other registration: revoking lease(s) %s', all.join(', ') || '-');
    const revokes = Promise.allSettled(all.map((id) => old.revoke(id))).then((outcomes) => {
      old.finishClose();
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') this.report(this.asRollcall(outcome.reason, 'revoke the lease of an aborted register'), 'warning');
      }
    });
    // A grant still in flight lands and is revoked by the old keeper; close() waits for that too.
    this.releasing = Promise.all([this.releasing, revokes, old.settled()]);
  }

  private wireKeeper(keeper: LeaseKeeper): void {
    keeper.on('stateChange', (info) => this.emit('stateChange', info));
    keeper.on('keepaliveFailed', (info) => this.emit('keepaliveFailed', info));
    keeper.on('lost', (error) => this.emit('lost', error));
    keeper.on('regrantFailed', ({ error, fatal }) => this.report(error, fatal ? 'error' : 'warning'));
    keeper.on('loopFailed', (error) => this.report(error, 'error'));
    keeper.on('granted', ({ leaseId, ttl, previousLeaseId }) => {
      this.ourLeases.add(leaseId);
      this.emit('leaseGranted', { leaseId, ttl, previousLeaseId });
      if (previousLeaseId === undefined) return;
      reregisterAll(leaseId, this.roundHost, this.stopping.signal).then(
        (count) => {
          if (count === undefined) return;
          trace('re-registered %d record(s) on lease %s (was %s)', count, leaseId, previousLeaseId);
          this.emit('reregistered', { leaseId, previousLeaseId, count });
        },
        (error: unknown) => this.report(this.asRollcall(error, 're-register'), 'error'),
      );
    });
  }

  private onHealth(entry: InstanceEntry, result: HealthResult, status: InstanceStatus): void {
    const registration = this.handles.get(entry);
    if (!registration) return;
    trace('health %s: %s -> status %s', entry.key, result.healthy ? 'passing' : 'failing', status);
    this.emit('health', { registration, healthy: result.healthy, status, ...(result.error ? { error: result.error } : {}) });
  }

  private onBackgroundFailure(entry: InstanceEntry, error: unknown): void {
    if (error instanceof DuplicateInstanceError) this.onDisplaced(entry, error);
    // The key is gone: the ownership guard decides between a removal and a lost lease.
    else if (error instanceof KeyNotFoundError || !entry.isLive) trace('%s: health status not written: %s', entry.key, String(error));
    else this.report(this.asRollcall(error, `health status write for ${entry.key}`), 'warning');
  }

  /** A write of ours was refused because another lease holds the key. */
  private onDisplaced(entry: InstanceEntry, error: DuplicateInstanceError): void {
    const holder = error.details['holderLease'];
    this.onTakenOver(entry, { leaseId: typeof holder === 'string' ? holder : '0', revision: 0 });
  }

  /** Ends `entry` as displaced (once) and tells the application who holds the key now. */
  private onTakenOver(entry: InstanceEntry, holder: KeyHolder): void {
    if (!entry.end('displaced')) return;
    const registration = this.handles.get(entry);
    const by = holder.leaseId === '0' ? 'a put with no lease' : `lease ${leaseHex(holder.leaseId)}`;
    const at = holder.address === undefined ? '' : ` (address ${holder.address})`;
    const error = new DuplicateInstanceError(`${entry.key} was taken over by ${by}${at}; this registration is no longer live and will not touch the key`, {
      details: { key: entry.key, holderLease: holder.leaseId },
    });
    trace('%s displaced: %s', entry.key, error.message);
    if (registration) this.emit('displaced', { registration, error, holder: { leaseId: holder.leaseId, ...(holder.address === undefined ? {} : { address: holder.address }) } });
    this.report(error, 'error');
  }

  /** Someone else deleted the key while our lease lived: an operator's removal, not put back. */
  private onRemoved(entry: InstanceEntry, info: { leaseId: string; revision: number }): void {
    if (!entry.end('removed')) return;
    const registration = this.handles.get(entry);
    trace('%s removed by someone else at revision %d (lease %s alive)', entry.key, info.revision, info.leaseId);
    if (registration) this.emit('removed', { registration, leaseId: info.leaseId, revision: info.revision });
  }

  /** Delivers a background failure without ever throwing (see registrar-events.ts). */
  private report(error: RollcallError, severity: 'warning' | 'error'): void {
    trace('%s %s: %s', severity, error.code, error.message);
    if (severity === 'error' && this.listenerCount('error') > 0) this.emit('error', error);
    else this.emit('warning', error);
  }

  private asRollcall(error: unknown, operation: string): RollcallError {
    return error instanceof RollcallError ? error : translateEtcdError(error, { operation, endpoints: this.conn.endpoints });
  }
}
