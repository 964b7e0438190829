/**
 * A MemoryStore session: a kept-alive lease on the in-process backend. It ends by close(), by its
 * store closing (terminate), or by the backend expiring it (crash simulation), and `lost` says
 * which of the last two happened.
 */
import { ClosedError, LeaseLostError } from '../errors.js';
import { leaseHex } from '../etcd/lease-id.js';
import type { MemoryBackend } from './memory-backend.js';
import type { Session } from './store.js';

export class MemorySession implements Session {
  readonly lease: string;
  /** The lease's decimal id (`lease` is the same, kept for compatibility). */
  get leaseId(): string {
    return this.lease;
  }
  readonly ttl: number;
  readonly #backend: MemoryBackend;
  readonly #lost = new AbortController();
  readonly #unsubscribe: () => void;
  readonly #onDone: (session: MemorySession) => void;
  #done = false;

  /** `onDone` runs once when the session ends, however it ends (the store stops tracking it). */
  constructor(backend: MemoryBackend, ttl: number, onDone: (session: MemorySession) => void) {
    this.#backend = backend;
    this.ttl = ttl;
    this.#onDone = onDone;
    this.lease = backend.grantLease(ttl, true);
    this.#unsubscribe = backend.onLeaseEnd(this.lease, (how) => {
      this.#finish(new LeaseLostError(`lease ${leaseHex(this.lease)} ${how === 'expired' ? 'expired' : 'was revoked elsewhere'}`, {
        details: { leaseId: this.lease },
      }));
    });
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  async close(): Promise<void> {
    if (this.#finish(undefined)) this.#backend.revokeLease(this.lease);
  }

  /** The store is closing: `lost` aborts with `reason`, then the lease is revoked. */
  terminate(reason: ClosedError): void {
    if (this.#finish(reason)) this.#backend.revokeLease(this.lease);
  }

  /** Marks the session done once; aborts `lost` when it ended by something other than close(). */
  #finish(reason: Error | undefined): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#unsubscribe();
    this.#onDone(this);
    if (reason) this.#lost.abort(reason);
    return true;
  }
}
