/**
 * Small waits for LeaseKeeper's callers, on Node's own tools (events.addAbortListener,
 * events.on with a signal, AbortSignal.any), all cancellable: they check `aborted` first,
 * reject with `signal.reason`, and remove their listeners when done.
 */
import { on, type EventEmitter } from 'node:events';
import type { LeaseState } from './lease-state.js';

export { abortable } from '../events/abortable.js';

export interface WaitForStateOptions<T> {
  /** A value to resolve with when the state becomes `to`; undefined to keep waiting. */
  accept(to: LeaseState): T | undefined;
  /** An error to reject with when the state becomes `to`; undefined to keep waiting. */
  refuse(to: LeaseState): Error | undefined;
  timeoutMs: number;
  timeoutError(): Error;
  signal?: AbortSignal;
}

/** Waits on `stateChange` events until `accept` or `refuse` decides, the timeout, or the signal. */
export async function waitForState<T>(emitter: EventEmitter, options: WaitForStateOptions<T>): Promise<T> {
  const { signal: caller } = options;
  caller?.throwIfAborted();
  // Not AbortSignal.timeout(): its timer is unref'd, so a wait with nothing else pending would let
  // the event loop end with this promise never settled. A plain timer keeps the process up.
  const expiry = new AbortController();
  const timer = setTimeout(() => expiry.abort(), options.timeoutMs);
  const timeout = expiry.signal;
  const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
  try {
    // on() attaches its listener now, so a state change emitted right after this call is seen.
    for await (const args of on(emitter, 'stateChange', { signal })) {
      const [{ to }] = args as [{ to: LeaseState }];
      const value = options.accept(to);
      if (value !== undefined) return value;
      const error = options.refuse(to);
      if (error !== undefined) throw error;
    }
  } catch (error) {
    if (caller?.aborted === true) throw caller.reason as Error;
    if (timeout.aborted) throw options.timeoutError();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // on() only ends by its signal, which the catch above turned into an error.
  throw options.timeoutError();
}
