/**
 * Capped exponential backoff with full jitter (AWS architecture blog's "full jitter"): the delay
 * before attempt n is uniform in [min, min(max, base * 2^n)], so a fleet of clients that lost
 * etcd at the same moment does not come back in lockstep.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** First ceiling, ms. Default 100. */
  baseMs?: number;
  /** Largest delay, ms. Default 10_000. */
  maxMs?: number;
  /** Smallest delay, ms. Default 20. */
  minMs?: number;
  /** Injectable randomness, for tests. Default Math.random. */
  random?: () => number;
}

/**
 * Every retry schedule of rollcall's lease and registration loops, in one place so they can be
 * read (and tuned) side by side.
 */
export const BACKOFF = {
  /**
   * A keepalive that got no answer is retried at once on the next endpoint, then after growing
   * pauses (every endpoint failing means etcd is unreachable), never longer than a keepalive
   * interval: the lease may still be alive in etcd, and only an answer tells.
   */
  keepaliveRetry: (intervalMs: number): BackoffOptions => ({ baseMs: 50, maxMs: Math.max(50, intervalMs), minMs: 10 }),
  /** Granting a new lease after etcd said the old one is gone: 200 ms doubling to 5 s. */
  regrant: { baseMs: 200, maxMs: 5000, minMs: 50 } satisfies BackoffOptions,
  /** Putting registrations back under a new lease: 200 ms doubling to 5 s. */
  reput: { baseMs: 200, maxMs: 5000 } satisfies BackoffOptions,
  /** Watching a held lock's key again after its watch failed: 200 ms doubling to 5 s. */
  rewatch: { baseMs: 200, maxMs: 5000, minMs: 50 } satisfies BackoffOptions,
} as const;

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly minMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 100;
    this.maxMs = options.maxMs ?? 10_000;
    this.minMs = Math.min(options.minMs ?? 20, this.maxMs);
    this.random = options.random ?? Math.random;
  }

  /** The delay to wait before the next attempt; each call grows the ceiling. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.max(this.minMs, Math.round(this.random() * ceiling));
  }

  /** Call after a success so that the next failure starts small again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/**
 * Waits `ms` (timers/promises) unless `scope` ends first; resolves false when it ended, never
 * rejects: the shape every retry loop wants (`if (!(await pause(ms, scope))) return;`). The
 * timer is ref'd on purpose: a reconnect loop must keep a process alive the way an open etcd
 * connection would; aborting `scope` (close()) clears it.
 */
export function pause(ms: number, scope: AbortSignal): Promise<boolean> {
  return delay(ms, true, { signal: scope }).catch(() => false);
}
