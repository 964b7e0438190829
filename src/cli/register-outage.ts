/**
 * What `rollcall register` says while etcd does not answer: one line when contact is lost, one
 * line when etcd answers again, and in between at most one reminder every `reminderMs` with the
 * counts so far — instead of one warning per failed keepalive or re-grant attempt (a 30 s outage
 * used to print ~20 long lines). Failures that arrive during the outage (keepalives, a lease
 * declared lost, re-grant and re-put attempts) are counted, not printed.
 */
import type { RollcallError } from '../errors.js';
import { oneLine } from './exit-codes.js';

export const REMINDER_MS = 10_000;
/** How often to look at the registrar's state during an outage, for a recovery no event announced. */
const RECOVERY_POLL_MS = 500;

interface Outage {
  readonly since: number;
  keepalivesFailed: number;
  otherFailures: number;
  leaseLost: boolean;
  readonly reminder: NodeJS.Timeout;
  readonly poll: NodeJS.Timeout;
}

export interface OutageReporterOptions {
  /** Prints one line on stderr. */
  readonly print: (line: string) => void;
  /** True once the registrar holds a lease etcd keeps alive again. */
  readonly isAlive: () => boolean;
  readonly reminderMs?: number;
}

export class OutageReporter {
  private outage: Outage | undefined;

  constructor(private readonly options: OutageReporterOptions) {}

  get inOutage(): boolean {
    return this.outage !== undefined;
  }

  /** A keepalive got no answer: the first one opens the outage. */
  keepaliveFailed(error: RollcallError): void {
    if (this.outage) {
      this.outage.keepalivesFailed += 1;
      return;
    }
    this.begin(error).keepalivesFailed = 1;
  }

  /** The lease was declared lost. Outside an outage (etcd answered "expired") it is one line of its own. */
  lost(error: RollcallError): void {
    if (this.outage) {
      this.outage.leaseLost = true;
      return;
    }
    this.options.print(`rollcall: warning: ${oneLine(error.message)}`);
  }

  /** A retried failure (re-grant, re-put, health write). Returns false when the caller should print it. */
  absorb(): boolean {
    if (!this.outage) return false;
    this.outage.otherFailures += 1;
    return true;
  }

  /** etcd answered again (a keepalive, a new lease, a re-put): closes the outage with one line. */
  recovered(): void {
    const outage = this.outage;
    if (!outage) return;
    this.end();
    const seconds = ((Date.now() - outage.since) / 1000).toFixed(1);
    const lease = outage.leaseLost ? '; the lease was lost, re-registering on a new one' : '; the lease was kept';
    this.options.print(`rollcall: etcd answers again after ${seconds} s (${this.counts(outage)})${lease}`);
  }

  dispose(): void {
    this.end();
  }

  private begin(error: RollcallError): Outage {
    const reminderMs = this.options.reminderMs ?? REMINDER_MS;
    this.options.print(`rollcall: warning: lost contact with etcd: ${oneLine(error.message)}; still registered while the lease lasts, retrying`);
    const outage: Outage = {
      since: Date.now(),
      keepalivesFailed: 0,
      otherFailures: 0,
      leaseLost: false,
      reminder: setInterval(() => this.remind(), reminderMs),
      poll: setInterval(() => {
        if (this.options.isAlive()) this.recovered();
      }, RECOVERY_POLL_MS),
    };
    // These timers report; they never keep the process alive (the lease keepalive does).
    outage.reminder.unref();
    outage.poll.unref();
    this.outage = outage;
    return outage;
  }

  private remind(): void {
    const outage = this.outage;
    if (!outage) return;
    const seconds = Math.round((Date.now() - outage.since) / 1000);
    const lease = outage.leaseLost ? ', lease lost (will re-register)' : '';
    this.options.print(`rollcall: warning: still no answer from etcd after ${seconds} s, ${this.counts(outage)}${lease}`);
  }

  private counts(outage: Outage): string {
    const parts = [`${outage.keepalivesFailed} keepalive${outage.keepalivesFailed === 1 ? '' : 's'} failed`];
    if (outage.otherFailures > 0) parts.push(`${outage.otherFailures} other attempt${outage.otherFailures === 1 ? '' : 's'} failed`);
    return parts.join(', ');
  }

  private end(): void {
    if (!this.outage) return;
    clearInterval(this.outage.reminder);
    clearInterval(this.outage.poll);
    this.outage = undefined;
  }
}
