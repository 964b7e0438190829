/**
 * Whether the catalog can vouch for what it serves. It is stale while any of its watches is cut
 * off from etcd (or before the first listing, when it started from the cache file); while stale
 * it reports so at once and then every `intervalMs`, so a consumer can alert on an outage that
 * lasts. Two states changed by one transition function, so each change is traced once and
 * reported from one place.
 */
import { debuglog } from 'node:util';
import type { RollcallError } from '../errors.js';
import type { StaleInfo } from './catalog-events.js';

const trace = debuglog('rollcall:catalog');

export type Freshness = 'fresh' | 'stale';

export class Staleness {
  private state: Freshness = 'fresh';
  private staleSince = 0;
  private lastError: RollcallError | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly report: (info: StaleInfo) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get isStale(): boolean {
    return this.state === 'stale';
  }

  /**
   * Marks the catalog stale as of `since` (when etcd last answered); reports at once and then
   * periodically. When already stale, only keeps the older `since` and the newer error.
   */
  markStale(since: number, error?: RollcallError): void {
    if (error) this.lastError = error;
    if (this.state === 'stale') {
      if (since > 0 && since < this.staleSince) this.staleSince = since;
      return;
    }
    this.transition('stale');
    this.staleSince = since > 0 ? since : this.now();
    this.timer = setInterval(() => this.emit(), this.intervalMs);
    this.timer.unref();
    this.emit();
  }

  /** Marks the catalog fresh; returns how long it was stale (0 if it was not). */
  markFresh(): number {
    if (this.state === 'fresh') return 0;
    const staleForMs = Math.max(0, this.now() - this.staleSince);
    this.transition('fresh');
    return staleForMs;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    if (this.state !== 'stale') return;
    const info: StaleInfo = {
      since: this.staleSince,
      staleForMs: Math.max(0, this.now() - this.staleSince),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
    this.report(info);
  }

  private transition(to: Freshness): void {
    trace('catalog %s -> %s', this.state, to);
    this.state = to;
    if (to === 'fresh') {
      clearInterval(this.timer);
      this.timer = undefined;
      this.staleSince = 0;
      this.lastError = undefined;
    }
  }
}
