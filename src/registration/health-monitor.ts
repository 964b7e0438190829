/**
 * Runs one registration's local health check: never two at once, one every `intervalMs`, each
 * bounded by `timeoutMs` (a check that does not answer in time counts as failing, and its signal
 * is aborted so an HTTP request or a child process is stopped). It only reports results; the
 * registration decides what they mean for the stored status.
 *
 * The timer between checks is unref'd: the health loop alone never keeps a process alive (the
 * lease keepalive does, for as long as the registrar is open).
 */
import { HealthCheckError } from '../errors.js';

/** `signal` aborts when the check's deadline passes or the registration ends: stop the work then. */
export type HealthCheck = (signal: AbortSignal) => Promise<boolean>;

export interface HealthResult {
  readonly healthy: boolean;
  /** Why the check failed: false returned, a throw, or no answer in time. */
  readonly error?: HealthCheckError;
}

/**
 * Runs `check` once, bounded by `timeoutMs`. Never rejects. This deadline timer is ref'd: whoever
 * awaits a check (register() does, before anything else holds the process) gets an answer.
 */
export async function runHealthCheck(check: HealthCheck, timeoutMs: number, what: string, stop?: AbortSignal): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new AbortController();
  const signal = stop ? AbortSignal.any([deadline.signal, stop]) : deadline.signal;
  const expiry = new Promise<HealthResult>((resolve) => {
    timer = setTimeout(() => {
      const error = new HealthCheckError(`health check of ${what} did not answer within ${timeoutMs} ms`, { details: { instance: what, timeoutMs } });
      deadline.abort(error);
      resolve({ healthy: false, error });
    }, timeoutMs);
  });
  const outcome = (async (): Promise<HealthResult> => {
    try {
      const healthy = await check(signal);
      if (healthy === true) return { healthy: true };
      return { healthy: false, error: new HealthCheckError(`health check of ${what} returned ${String(healthy)}`, { details: { instance: what } }) };
    } catch (cause) {
      // A check that says why (httpHealthCheck, commandHealthCheck) is quoted as it is.
      const why = cause instanceof HealthCheckError ? `failed: ${cause.message}` : `threw: ${String(cause)}`;
      return { healthy: false, error: new HealthCheckError(`health check of ${what} ${why}`, { cause, details: { instance: what } }) };
    }
  })();
  try {
    return await Promise.race([outcome, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Aborted by stop(): a check in progress is told to give up. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly check: HealthCheck,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly what: string,
    /** Told every result; may be async, the next check waits for it. Must not reject. */
    private readonly onResult: (result: HealthResult) => Promise<void>,
  ) {}

  /** Runs the check once now (before the first write) without starting the loop. */
  probe(signal?: AbortSignal): Promise<HealthResult> {
    return runHealthCheck(this.check, this.timeoutMs, this.what, signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal);
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const result = await runHealthCheck(this.check, this.timeoutMs, this.what, this.stopping.signal);
    // A result that arrives after stop() is not acted on.
    if (this.stopped) return;
    await this.onResult(result);
    if (!this.stopped) this.schedule();
  }
}
