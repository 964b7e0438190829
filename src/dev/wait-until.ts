/**
 * Bounded polling: the one way the harness (and the tests built on it) waits for a condition.
 * Never a fixed sleep as synchronisation; always a deadline that ends in a WaitTimeoutError
 * naming what we waited for and the last reason the probe gave.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WaitTimeoutError } from '../errors.js';

export interface WaitUntilOptions {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between attempts. Default 50 ms. */
  intervalMs?: number;
  /** What we are waiting for, used in the timeout message, e.g. "etcd to report a leader". */
  message?: string;
  /** Stops the wait early; the returned promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** What a probe may return: a falsy value (or a throw) means "not yet". */
export type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

const NOT_YET: unique symbol = Symbol('not-yet');

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Calls `probe` until it returns a truthy value, and resolves with that value. A probe that throws
 * counts as "not yet" and its error is kept for the timeout message. A probe still running when
 * the deadline passes is abandoned (its late result is ignored), so a hung probe cannot stretch
 * the wait.
 */
export async function waitUntil<T>(probe: Probe<T>, options: WaitUntilOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const what = options.message ?? 'condition';
  const signal = options.signal;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;

  for (;;) {
    signal?.throwIfAborted();
    attempts++;
    const remaining = deadline - Date.now();
    let outcome: T | typeof NOT_YET = NOT_YET;
    try {
      const value = await raceDeadline(Promise.resolve().then(probe), remaining);
      if (value !== NOT_YET && value !== undefined && value !== null && value !== false) outcome = value;
    } catch (error) {
      lastError = error;
    }
    if (outcome !== NOT_YET) return outcome;
    if (Date.now() + intervalMs > deadline) break;
    try {
      await delay(intervalMs, undefined, signal === undefined ? undefined : { signal });
    } catch (error) {
      // delay() rejects with a generic AbortError; the caller wants the reason it aborted with.
      throw signal?.aborted === true ? signal.reason : error;
    }
  }
  const reason = lastError === undefined ? '' : `; last error: ${describe(lastError)}`;
  throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what} (${attempts} attempts)${reason}`, {
    cause: lastError,
    details: { timeoutMs, attempts, what, lastError: lastError === undefined ? undefined : describe(lastError) },
  });
}

/** Resolves with the promise's value, or NOT_YET once `ms` have passed. */
async function raceDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof NOT_YET> {
  // An abandoned probe may still reject later: that must not become an unhandled rejection.
  promise.catch(() => undefined);
  if (ms <= 0) return NOT_YET;
  const controller = new AbortController();
  try {
    return await Promise.race([
      promise,
      delay(ms, NOT_YET as typeof NOT_YET, { signal: controller.signal }).catch((): typeof NOT_YET => NOT_YET),
    ]);
  } finally {
    // Do not keep the event loop alive for a timer nobody is waiting for any more.
    controller.abort();
  }
}
