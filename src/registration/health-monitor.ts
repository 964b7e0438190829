/**
 * Runs one registration's local health check: never two at once, one every `intervalMs`, each
 * bounded by `intervalMs` (a check that does not answer in time counts as failing). It only
 * reports results; the registration decides what they mean for the stored status.
 *
 * The timer between checks is unref'd: the health loop alone never keeps a process alive (the
 * lease keepalive does, for as long as the registrar is open).
 */
import { HealthCheckError } from '../errors.js';

export type HealthCheck = () => Promise<boolean>;

export interface HealthResult {
  readonly healthy: boolean;
  /** Why the check failed: false returned, a throw, or no answer in time. */
  readonly error?: HealthCheckError;
}

/**
 * Runs `check` once, bounded by `timeoutMs`. Never rejects. This deadline timer is ref'd: whoever
 * awaits a check (register() does, before anything else holds the process) gets an answer.
 */
export async function runHealthCheck(check: HealthCheck, timeoutMs: number, what: string): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<HealthResult>((resolve) => {
    timer = setTimeout(() => {
      resolve({ healthy: false, error: new HealthCheckError(`health check of ${what} did not answer within ${timeoutMs} ms`, { details: { instance: what, timeoutMs } }) });
    }, timeoutMs);
  });
  const outcome = (async (): Promise<HealthResult> => {
    try {
      const healthy = await check();
      if (healthy === true) return { healthy: true };
      return { healthy: false, error: new HealthCheckError(`health check of ${what} returned ${String(healthy)}`, { details: { instance: what } }) };
    } catch (cause) {
      return { healthy: false, error: new HealthCheckError(`health check of ${what} threw: ${String(cause)}`, { cause, details: { instance: what } }) };
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

  constructor(
    private readonly check: HealthCheck,
    private readonly intervalMs: number,
    private readonly what: string,
    /** Told every result; may be async, the next check waits for it. Must not reject. */
    private readonly onResult: (result: HealthResult) => Promise<void>,
  ) {}

  /** Runs the check once now (before the first write) without starting the loop. */
  probe(): Promise<HealthResult> {
    return runHealthCheck(this.check, this.intervalMs, this.what);
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const result = await runHealthCheck(this.check, this.intervalMs, this.what);
    // A result that arrives after stop() is not acted on.
    if (this.stopped) return;
    await this.onResult(result);
    if (!this.stopped) this.schedule();
  }
}
