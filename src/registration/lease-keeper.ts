/**
 * Owns a Registrar's one lease: grants it lazily, keeps it alive every TTL/3 (keepLeaseAlive),
 * tells a failed keepalive (no answer: the lease may well be alive) from a lost lease (etcd said
 * TTL 0 or "lease not found"), and re-grants after a loss with capped exponential backoff and full
 * jitter. A keepalive that goes unanswered for longer than the TTL is still not a loss: on a
 * cluster a new leader extends every lease, so the old lease is kept alive until etcd answers.
 *
 * State lives in one enum (lease-state.ts) changed only by transition(), so every state change
 * passes one check of its allowed sources and one place runs its entry actions. Every loop runs
 * under an AbortSignal of the lease it serves and re-checks it after each await, so a late answer
 * about an old lease, or one arriving after close(), cannot bring a dead lease back to life.
 */
import { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import type { EtcdConnection } from '../etcd/index.js';
import { Backoff, isPermanentEtcdError, translateEtcdError } from '../etcd/index.js';
import { ClosedError, EtcdUnavailableError, LeaseLostError, RollcallError } from '../errors.js';
import { BACKOFF, pause } from '../etcd/backoff.js';
import { grantLease, revokeLease, type GrantedLease } from '../etcd/lease-calls.js';
import { leaseHex } from '../etcd/lease-id.js';
import { keepLeaseAlive } from '../etcd/lease-keepalive.js';
import { publish } from '../diagnostics/publish.js';
import { LeaseState, type LeaseLossReason } from './lease-state.js';
import { abortable, waitForState } from './lease-wait.js';

const trace = debuglog('rollcall:registrar');

/** Earlier lease ids remembered as ours: etcd may keep one alive a little past our deadline. */
const REMEMBERED_LEASES = 4;

export interface LeaseKeeperEvents {
  stateChange: [info: { from: LeaseState; to: LeaseState; leaseId: string | undefined }];
  granted: [info: { leaseId: string; ttl: number; previousLeaseId: string | undefined }];
  lost: [error: LeaseLostError];
  keepaliveFailed: [info: { leaseId: string; error: RollcallError; sinceLastKeepAliveMs: number }];
  /** A re-grant attempt failed; `fatal` when retrying cannot help (the etcd client was closed). */
  regrantFailed: [info: { error: RollcallError; attempt: number; delayMs: number; fatal: boolean }];
  /** A keepalive or re-grant loop stopped on an unexpected exception (a throwing listener); a bug to report. */
  loopFailed: [error: RollcallError];
}

interface Entry {
  granted?: GrantedLease;
  loss?: { reason: LeaseLossReason; cause?: unknown };
}

export class LeaseKeeper extends EventEmitter<LeaseKeeperEvents> {
  private current: LeaseState = LeaseState.Idle;
  private id: string | undefined;
  private ttlMs: number;
  /** When the last keepalive etcd answered was sent (or the grant): the lease lives a TTL from then. */
  private lastKeepAliveAt = 0;
  private readonly previous: string[] = [];
  /** Aborted when the current lease stops being served (lost or closing). */
  private leaseScope = new AbortController();
  private readonly closing = new AbortController();
  private firstGrant: Promise<string> | undefined;
  /** Grants in flight and revokes of orphaned leases: close() waits for them before the connection closes. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly conn: EtcdConnection, private readonly ttlSeconds: number) {
    super();
    this.ttlMs = ttlSeconds * 1000;
  }

  get state(): LeaseState {
    return this.current;
  }

  /** The lease id in use, or undefined while there is none (idle, granting, lost, closed). */
  get leaseId(): string | undefined {
    return this.id;
  }

  /** TTL etcd granted, in seconds (etcd may raise a small TTL to its minimum). */
  get ttl(): number {
    return this.ttlMs / 1000;
  }

  /** The current lease and the few before it: keys on any of them are ours to overwrite. */
  ownedLeaseIds(): readonly string[] {
    return this.id === undefined ? [...this.previous] : [this.id, ...this.previous];
  }

  /**
   * A lease to write with. Grants the first one lazily; while a lost lease is being re-granted,
   * waits for the new one up to the connection's timeout, then fails with EtcdUnavailableError.
   */
  async acquire(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    switch (this.current) {
      case LeaseState.Alive:
      case LeaseState.Unreachable:
        return this.id as string;
      case LeaseState.Idle:
        this.firstGrant = this.grantFirst();
        return abortable(this.firstGrant, signal);
      case LeaseState.Granting:
        return abortable(this.firstGrant as Promise<string>, signal);
      case LeaseState.Lost:
        return this.waitForLease(signal);
      case LeaseState.Closing:
      case LeaseState.Closed:
        throw new ClosedError('the registrar is closed');
    }
  }

  /** A write was refused with "lease not found": the lease is lost if it is still the current one. */
  invalidate(leaseId: string, cause: unknown): void {
    if (leaseId !== this.id) return;
    this.transition([LeaseState.Alive, LeaseState.Unreachable], LeaseState.Lost, { loss: { reason: 'rejected', cause } });
  }

  /**
   * Stops keepalives and re-grants. Returns the current lease (undefined when there is none) and
   * the earlier ones that may still be alive in etcd, to revoke.
   */
  beginClose(): { current: string | undefined; all: readonly string[] } {
    const ids = { current: this.id, all: this.ownedLeaseIds() };
    this.transition(
      [LeaseState.Idle, LeaseState.Granting, LeaseState.Alive, LeaseState.Unreachable, LeaseState.Lost],
      LeaseState.Closing,
    );
    return ids;
  }

  finishClose(): void {
    this.transition([LeaseState.Closing], LeaseState.Closed);
  }

  /** Revokes one lease; a lease etcd no longer knows counts as revoked. */
  async revoke(leaseId: string, signal?: AbortSignal): Promise<void> {
    await revokeLease(this.conn, leaseId, signal);
  }

  /** The one place the state changes: checks the source state, runs entry actions, then tells listeners. */
  private transition(from: readonly LeaseState[], to: LeaseState, entry: Entry = {}): boolean {
    const before = this.current;
    if (!from.includes(before)) return false;
    this.current = to;
    const oldId = this.id;
    switch (to) {
      case LeaseState.Alive:
        if ((before === LeaseState.Granting || before === LeaseState.Lost) && entry.granted) {
          this.id = entry.granted.leaseId;
          this.ttlMs = entry.granted.ttl * 1000;
          this.lastKeepAliveAt = entry.granted.sentAt;
          this.leaseScope = new AbortController();
          this.guard(this.keepAlive(entry.granted, this.leaseScope.signal), 'keepalive');
        }
        break;
      case LeaseState.Lost:
        this.leaseScope.abort(new ClosedError('lease lost'));
        if (oldId !== undefined) this.previous.unshift(oldId);
        this.previous.length = Math.min(this.previous.length, REMEMBERED_LEASES);
        this.id = undefined;
        this.leaseScope = new AbortController();
        this.guard(this.regrant(this.leaseScope.signal), 're-grant');
        break;
      case LeaseState.Closing:
        this.leaseScope.abort(new ClosedError('registrar closing'));
        this.closing.abort(new ClosedError('the registrar is closed'));
        break;
      case LeaseState.Closed:
        this.id = undefined;
        break;
      case LeaseState.Idle:
      case LeaseState.Granting:
      case LeaseState.Unreachable:
        break;
    }
    trace('lease %s -> %s (lease %s)', before, to, this.id ?? oldId ?? '-');
    publish('rollcall:lease:state', () => ({ owner: 'registrar', leaseId: this.id ?? oldId, from: before, to }));
    if (to === LeaseState.Lost && entry.loss && oldId !== undefined) {
      const reason = entry.loss.reason;
      publish('rollcall:lease:lost', () => ({ owner: 'registrar', leaseId: oldId, reason }));
    }
    this.emit('stateChange', { from: before, to, leaseId: this.id });
    if (to === LeaseState.Alive && this.id !== oldId) {
      this.emit('granted', { leaseId: this.id as string, ttl: this.ttl, previousLeaseId: before === LeaseState.Lost ? this.previous[0] : undefined });
    }
    if (to === LeaseState.Lost && entry.loss) {
      const { reason, cause } = entry.loss;
      const sinceLastKeepAliveMs = Date.now() - this.lastKeepAliveAt;
      this.emit(
        'lost',
        new LeaseLostError(`lease ${oldId === undefined ? '?' : leaseHex(oldId)} lost (${reason}, last confirmed keepalive sent ${sinceLastKeepAliveMs} ms ago); re-granting`, {
          cause,
          details: { leaseId: oldId ?? '0', reason, sinceLastKeepAliveMs },
        }),
      );
    }
    return true;
  }

  private async grantFirst(): Promise<string> {
    this.transition([LeaseState.Idle], LeaseState.Granting);
    let granted: GrantedLease;
    try {
      // Not cut short by close(): etcd may grant a lease whose answer we would then never read,
      // leaving it alive with no key until its TTL. The grant is bounded by the call deadline; a
      // lease that lands after close() is revoked below, and close() waits for that (settled()).
      granted = await this.track(this.grant(undefined));
    } catch (error) {
      this.transition([LeaseState.Granting], LeaseState.Idle);
      throw error;
    }
    if (!this.transition([LeaseState.Granting], LeaseState.Alive, { granted })) {
      this.dropOrphan(granted.leaseId);
      throw new ClosedError('the registrar was closed while its lease was being granted');
    }
    return granted.leaseId;
  }

  private grant(signal: AbortSignal | undefined): Promise<GrantedLease> {
    return grantLease(this.conn, this.ttlSeconds, { signal });
  }

  /**
   * Keeps `lease` alive until its scope ends. Unanswered keepalives only move alive -> unreachable
   * (and keepalives go on, on the next endpoint); etcd answering that the lease is gone is the
   * only way to `lost`.
   */
  private keepAlive(lease: GrantedLease, scope: AbortSignal): Promise<void> {
    const { leaseId } = lease;
    return keepLeaseAlive(this.conn, { leaseId, ttl: lease.ttl, confirmedAt: lease.sentAt, signal: scope, owner: 'registrar' }, {
      answered: ({ ttl, confirmedAt }) => {
        if (scope.aborted) return;
        this.lastKeepAliveAt = confirmedAt;
        this.ttlMs = ttl * 1000;
        this.transition([LeaseState.Unreachable], LeaseState.Alive);
      },
      failed: ({ error, sinceConfirmedMs }) => {
        if (scope.aborted) return;
        this.transition([LeaseState.Alive], LeaseState.Unreachable);
        this.emit('keepaliveFailed', { leaseId, error, sinceLastKeepAliveMs: sinceConfirmedMs });
      },
      gone: ({ cause }) => {
        if (scope.aborted) return;
        this.transition([LeaseState.Alive, LeaseState.Unreachable], LeaseState.Lost, { loss: { reason: 'expired', cause } });
      },
      // The client was closed underneath: no keepalive can be sent any more, and retrying cannot help.
      ended: ({ error }) => {
        if (scope.aborted) return;
        this.transition([LeaseState.Alive], LeaseState.Unreachable);
        this.emit('loopFailed', error);
      },
    });
  }

  /** Grants a new lease after a loss, with backoff, until it works or the scope ends. */
  private async regrant(scope: AbortSignal): Promise<void> {
    const backoff = new Backoff(BACKOFF.regrant);
    for (let attempt = 1; !scope.aborted; attempt += 1) {
      try {
        const granted = await this.grant(scope);
        if (scope.aborted || !this.transition([LeaseState.Lost], LeaseState.Alive, { granted })) {
          this.dropOrphan(granted.leaseId);
        }
        return;
      } catch (error) {
        if (scope.aborted) return;
        const failure = error instanceof RollcallError ? error : translateEtcdError(error, { operation: 'grant lease', endpoints: this.conn.endpoints });
        const fatal = failure instanceof ClosedError;
        const delayMs = backoff.next();
        this.emit('regrantFailed', { error: failure, attempt, delayMs, fatal });
        if (fatal) return;
        if (isPermanentEtcdError(failure)) trace('re-grant attempt %d: %s (retrying anyway)', attempt, failure.message);
        if (!(await pause(delayMs, scope))) return;
      }
    }
  }

  /** Resolves with the next granted lease; EtcdUnavailableError after the connection's timeout. */
  private waitForLease(signal?: AbortSignal): Promise<string> {
    return waitForState(this, {
      accept: (to) => (to === LeaseState.Alive ? this.id : undefined),
      refuse: (to) => (to === LeaseState.Closing ? new ClosedError('the registrar is closed') : undefined),
      timeoutMs: this.conn.timeoutMs,
      timeoutError: () =>
        new EtcdUnavailableError(`no lease: the lease was lost and etcd has not granted a new one within ${this.conn.timeoutMs} ms`, {
          details: { endpoints: this.conn.endpoints, timeoutMs: this.conn.timeoutMs },
        }),
      ...(signal ? { signal } : {}),
    });
  }

  /** Loops handle their own failures; anything escaping them is reported, never left unhandled. */
  private guard(loop: Promise<void>, name: string): void {
    loop.catch((error: unknown) => {
      const failure = error instanceof RollcallError ? error : new LeaseLostError(`${name} loop stopped: ${String(error)}`, { cause: error, details: { leaseId: this.id ?? '0' } });
      trace('%s loop stopped: %s', name, failure.message);
      this.emit('loopFailed', failure);
    });
  }

  /** A lease granted after it stopped being wanted carries no key; revoke it, or let it expire. */
  private dropOrphan(leaseId: string): void {
    void this.track(
      this.revoke(leaseId).then(
        () => trace('revoked orphan lease %s', leaseId),
        (error: unknown) => trace('orphan lease %s not revoked (%s); it expires within its TTL', leaseId, String(error)),
      ),
    );
  }

  /** Resolves once no grant is in flight and every lease granted too late is revoked (or given up on). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = (): void => void this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }
}
