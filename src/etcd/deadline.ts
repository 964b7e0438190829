/**
 * Per-operation deadlines. etcd3 1.1.2 declares `dialTimeout` but never uses it, and a call on a
 * channel that cannot connect may wait for a long time, so every call rollcall makes goes through
 * `withDeadline`, which rejects with EtcdUnavailableError when the time is up.
 */
import { EtcdUnavailableError } from '../errors.js';

export interface DeadlineContext {
  /** What is being done, for the error message: "put services/api/a1". */
  readonly operation: string;
  readonly endpoints: readonly string[];
}

export async function withDeadline<T>(
  run: () => Promise<T>,
  timeoutMs: number,
  context: DeadlineContext,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const call = run();
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new EtcdUnavailableError(
          `${context.operation}: etcd did not answer within ${timeoutMs} ms (endpoints ${context.endpoints.join(', ')})`,
          { details: { operation: context.operation, endpoints: context.endpoints, timeoutMs } },
        ),
      );
    }, timeoutMs);
    if (signal) {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([call, expiry]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    // The abandoned call may still settle later; its outcome no longer matters to anyone, and
    // leaving it unobserved would surface as an unhandled rejection.
    call.catch(() => undefined);
  }
}
