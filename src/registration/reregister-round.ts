/**
 * After a lost lease is re-granted: put every live registration again under the new lease.
 *
 * - At most REPUT_CONCURRENCY writes in flight, so 10,000 registrations do not open 10,000 calls.
 * - Entries whose write failed because etcd is unreachable are retried with capped exponential
 *   backoff and jitter until they are all written, the lease changes again, or the registrar closes.
 * - "lease not found" means the new lease is gone too: the keeper is told, grants another, and a
 *   new round starts; this one stops.
 * - DuplicateInstanceError means another owner took the key while we were away: that entry is
 *   displaced (it says so itself) and not retried.
 * - Entries registered while the round runs read the current lease when they write, so none is
 *   missed; a record written twice is harmless (the claim transaction is idempotent).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Backoff } from '../etcd/index.js';
import { BACKOFF } from '../etcd/backoff.js';
import { DuplicateInstanceError, EtcdRequestError, RollcallError } from '../errors.js';
import { isLeaseNotFound } from '../etcd/translate-error.js';
import type { InstanceEntry } from './instance-entry.js';

export const REPUT_CONCURRENCY = 64;

export interface RoundHost {
  /** Live entries now. */
  liveEntries(): InstanceEntry[];
  /** True while `leaseId` is still the registrar's lease and the registrar is open. */
  isCurrent(leaseId: string): boolean;
  leaseRejected(leaseId: string, cause: unknown): void;
  /** Another owner holds an entry's key: delivered as an error. */
  displaced(entry: InstanceEntry, error: DuplicateInstanceError): void;
  /** Some writes failed and will be retried after `delayMs`. */
  retrying(error: RollcallError, failed: number, delayMs: number): void;
}

/** Resolves with the number of records written, or undefined when the round was abandoned. */
export async function reregisterAll(leaseId: string, host: RoundHost, signal: AbortSignal): Promise<number | undefined> {
  const backoff = new Backoff(BACKOFF.reput);
  let pending = host.liveEntries();
  let written = 0;
  while (pending.length > 0) {
    if (!host.isCurrent(leaseId)) return undefined;
    const retry: InstanceEntry[] = [];
    let lastError: RollcallError | undefined;
    let rejected = false;
    await forEachLimit(pending, REPUT_CONCURRENCY, async (entry) => {
      if (rejected) return;
      try {
        if ((await entry.reput(leaseId)) === 'written') written += 1;
      } catch (error) {
        if (error instanceof DuplicateInstanceError) host.displaced(entry, error);
        else if (isLeaseNotFound(error)) {
          rejected = true;
          host.leaseRejected(leaseId, error);
        } else {
          retry.push(entry);
          lastError = error instanceof RollcallError ? error : new EtcdRequestError(`re-register: ${String(error)}`, { cause: error });
        }
      }
    });
    if (rejected || !host.isCurrent(leaseId)) return undefined;
    pending = retry;
    if (pending.length > 0 && lastError) {
      const delayMs = backoff.next();
      host.retrying(lastError, pending.length, delayMs);
      try {
        await delay(delayMs, undefined, { signal });
      } catch {
        return undefined;
      }
    }
  }
  return host.isCurrent(leaseId) ? written : undefined;
}

/** Runs `fn` over `items` with at most `limit` at a time. `fn` must not reject. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
