/**
 * One registered service instance, as returned by `registrar.register()`. It lives on its
 * Registrar's lease: it costs no keepalive of its own, comes back by itself after a lease loss,
 * and goes away with `deregister()` or `registrar.close()`.
 */
import type { InstanceRecord, InstanceStatus } from '../codec/index.js';
import { abortable } from '../events/abortable.js';
import type { InstanceEntry, RegistrationState } from './instance-entry.js';
import type { UpdateOptions } from './registrar-options.js';

export type { RegistrationState } from './instance-entry.js';

export class Registration {
  readonly #entry: InstanceEntry;
  readonly #leaseId: () => string | undefined;

  /** @internal Built by Registrar.register(). */
  constructor(entry: InstanceEntry, leaseId: () => string | undefined) {
    this.#entry = entry;
    this.#leaseId = leaseId;
  }

  /** Full etcd key: `<prefix>/<service>/<id>`. */
  get key(): string {
    return this.#entry.key;
  }

  get id(): string {
    return this.#entry.record.id;
  }

  get service(): string {
    return this.#entry.record.service;
  }

  get address(): string {
    return this.#entry.record.address;
  }

  /** The record as last committed to etcd: what consumers see. */
  get record(): InstanceRecord {
    return this.#entry.record;
  }

  get status(): InstanceStatus {
    return this.#entry.record.status;
  }

  /**
   * `registered` while live; `displaced` once another owner took the key over (`replace: true`
   * elsewhere, a put under another lease) and `removed` once someone else deleted it while our
   * lease lived (an operator's `rollcall deregister`) — either way it is never written again;
   * `deregistered` after deregister() or close().
   */
  get state(): RegistrationState {
    return this.#entry.state;
  }

  /** The lease the key is on: the Registrar's current lease while this registration is live. */
  get leaseId(): string | undefined {
    return this.#entry.isLive ? this.#leaseId() : undefined;
  }

  /**
   * Changes the published fields and/or status on the same lease (one conditional put, no new
   * lease). Fields not given keep their value. Resolves once etcd has committed the new record.
   * Rejects with DuplicateInstanceError if another owner took the key over, KeyNotFoundError if
   * someone else removed it, ClosedError after
   * deregister()/close(), EtcdUnavailableError when etcd does not answer within `timeoutMs`.
   */
  update(options: UpdateOptions): Promise<void> {
    return this.#entry.update(options);
  }

  /**
   * Marks the instance `draining`: still registered, but consumers stop picking it. Counts as
   * drained on purpose: a passing health check does not undo it; `update({ status: 'up' })` does.
   */
  drain(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#entry.update({ status: 'draining', ...options });
  }

  /**
   * Writes status `leaving` (one put), then deletes the key — both only while the key is still on
   * this registrar's lease, so an instance replaced by another owner never removes its
   * successor's key. Safe to call twice. The Registrar's lease stays until close().
   *
   * `signal` cancels: the promise rejects with `signal.reason` at once, a write not yet answered
   * is abandoned, and the registration stays `registered` (call deregister() again, or close()).
   */
  deregister(options: { signal?: AbortSignal } = {}): Promise<void> {
    return abortable(this.#entry.deregister(options.signal), options.signal);
  }
}
