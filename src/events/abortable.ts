/**
 * Stops *waiting* for work when a caller's AbortSignal aborts, on events.addAbortListener: the
 * shared way Catalog.open, Registration.deregister and the close() methods honour `{ signal }`.
 */
import { addAbortListener } from 'node:events';

/**
 * `promise`, or a rejection with `signal.reason` as soon as the signal aborts (at once when it
 * already has). The work itself runs on: the caller decides what an abort also stops. The
 * promise's own rejection is always handled, so an abandoned promise never becomes unhandled.
 */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const listener = addAbortListener(signal, () => reject(signal.reason as Error));
    promise.then(resolve, reject).finally(() => listener[Symbol.dispose]());
  });
}
