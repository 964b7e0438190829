/**
 * Small waiting primitives for LeaseKeeper's loops and callers, all cancellable (STYLE habit 5:
 * check `aborted` first, reject with `signal.reason`, remove the listener when done).
 */
import type { LeaseState } from './lease-state.js';


/** `promise`, or `signal.reason` as soon as the signal aborts (the promise itself runs on). */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface WaitForStateOptions<T> {
  /** A value to resolve with when the state becomes `to`; undefined to keep waiting. */
  accept(to: LeaseState): T | undefined;
  /** An error to reject with when the state becomes `to`; undefined to keep waiting. */
  refuse(to: LeaseState): Error | undefined;
  timeoutMs: number;
  timeoutError(): Error;
  signal?: AbortSignal;
}

/** Anything that emits `stateChange` events (LeaseKeeper). */
export interface StateSource {
  on(event: 'stateChange', listener: (info: { to: LeaseState }) => void): unknown;
  off(event: 'stateChange', listener: (info: { to: LeaseState }) => void): unknown;
}

/** Waits on `stateChange` events until `accept` or `refuse` decides, the timeout, or the signal. */
export function waitForState<T>(emitter: StateSource, options: WaitForStateOptions<T>): Promise<T> {
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      emitter.off('stateChange', onState);
      signal?.removeEventListener('abort', onAbort);
    };
    const onState = ({ to }: { to: LeaseState }): void => {
      const value = options.accept(to);
      if (value !== undefined) {
        done();
        resolve(value);
        return;
      }
      const error = options.refuse(to);
      if (error !== undefined) {
        done();
        reject(error);
      }
    };
    const onAbort = (): void => {
      done();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      reject(options.timeoutError());
    }, options.timeoutMs);
    emitter.on('stateChange', onState);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
