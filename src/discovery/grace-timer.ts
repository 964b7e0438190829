/**
 * One timer for the end of the next grace period: when it fires, the membership forgets every
 * expired instance whose grace period is over (silently: their `removed` was reported when they
 * expired) and the timer is armed again for the next one. Unref'd: it never keeps a process alive.
 */
import { debuglog } from 'node:util';
import type { Membership } from './membership.js';

const trace = debuglog('rollcall:catalog');

export class GraceTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;
  private closed = false;

  constructor(
    private readonly membership: Membership,
    private readonly now: () => number = Date.now,
  ) {}

  /** Arms the timer for the membership's next expiry, unless it is already armed as early. */
  schedule(): void {
    const at = this.membership.nextExpiryAt();
    if (at === undefined || this.closed || (this.timer !== undefined && this.at <= at)) return;
    clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Infinity;
      trace('forgot %d expired instance(s) after the grace period', this.membership.purgeExpired());
      this.schedule();
    }, Math.max(0, at - this.now()) + 1);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
