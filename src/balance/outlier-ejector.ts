/**
 * Consecutive-failure outlier ejection, after Envoy's outlier detection and Apache Curator's
 * DownInstancePolicy. No timers: ejections end lazily, when the picker next looks at the clock
 * (on pick, update or report), so an idle picker holds nothing that keeps the process alive.
 *
 * Rules:
 * - `consecutiveFailures` failures in a row eject an instance; a success resets the count.
 * - The n-th ejection of an instance lasts min(base × n, max(base, max)). The multiplier is
 *   kept while the instance stays in the set, so a flapping instance is benched longer each time,
 *   and it decays by one for every base ejection time the instance then spends un-ejected (as
 *   grpc-js lowers it each interval an address stays healthy), so one bad hour does not bench an
 *   instance for long forever after. The decay is computed lazily at the next ejection.
 * - At most floor(eligible × maxEjectionPercent / 100) instances are ejected at once. When an
 *   update shrinks the set below that, the ejections ending soonest end now: ejection protects
 *   callers from a bad instance, it must not take the whole service away.
 * - Reports about an instance while it is ejected are ignored: they come from calls started
 *   before the ejection and say nothing about how it behaves after it returns.
 */
import type { OutlierOptions } from './picker.js';
import type { PickerEntry } from './picker-entry.js';

/** Told when an entry is ejected (with the ejection's length) or returns. */
export type EjectionListener = (entry: PickerEntry, ejected: boolean, durationMs?: number) => void;

export class OutlierEjector {
  /** Earliest `returnAt` among ejected entries; Infinity when none is ejected (pick skips the clock). */
  nextReturnAt = Infinity;
  /** The entries ejected right now: few (capped by maxEjectionPercent), so walking them is cheap. */
  private readonly ejected = new Set<PickerEntry>();

  constructor(
    private readonly options: Readonly<Required<OutlierOptions>>,
    private readonly onChange: EjectionListener = () => undefined,
  ) {}

  /** Ejected entries, for `Picker.ejected()` and the panic and zone counts. */
  get entries(): ReadonlySet<PickerEntry> {
    return this.ejected;
  }

  /** Counts a failure. True when it ejected the entry (the caller updates its snapshot). */
  recordFailure(entry: PickerEntry, eligibleCount: number, now: number): boolean {
    if (entry.ejected) return false;
    entry.failures += 1;
    if (entry.failures < this.options.consecutiveFailures || !entry.eligible) return false;
    // Over the cap: keep counting, so the next failure ejects it once there is room.
    if (this.ejectedEligible() >= this.allowed(eligibleCount)) return false;
    const { baseEjectionMs, maxEjectionMs } = this.options;
    if (entry.ejections > 0 && baseEjectionMs > 0) {
      const healthyPeriods = Math.floor((now - entry.returnAt) / baseEjectionMs);
      entry.ejections = Math.max(0, entry.ejections - Math.max(0, healthyPeriods));
    }
    entry.ejections += 1;
    entry.failures = 0;
    entry.ejected = true;
    this.ejected.add(entry);
    const durationMs = Math.min(baseEjectionMs * entry.ejections, Math.max(baseEjectionMs, maxEjectionMs));
    entry.returnAt = now + durationMs;
    this.nextReturnAt = Math.min(this.nextReturnAt, entry.returnAt);
    this.onChange(entry, true, durationMs);
    return true;
  }

  /** Counts a success: the consecutive-failure count starts over. */
  recordSuccess(entry: PickerEntry): void {
    if (!entry.ejected) entry.failures = 0;
  }

  /** Returns entries whose ejection time is up; undefined when none did. */
  expire(now: number): PickerEntry[] | undefined {
    if (this.nextReturnAt > now) return undefined;
    let returned: PickerEntry[] | undefined;
    for (const entry of this.ejected) {
      if (entry.returnAt <= now) (returned ??= []).push(entry);
    }
    for (const entry of returned ?? []) this.end(entry);
    this.nextReturnAt = this.earliestReturn();
    return returned;
  }

  /**
   * After an update: end the soonest-ending ejections while more eligible entries are ejected than
   * the cap allows (of `eligibleCount`). Returns the entries that came back, if any.
   */
  reconcile(eligibleCount: number, now: number): PickerEntry[] | undefined {
    let excess = this.ejectedEligible() - this.allowed(eligibleCount);
    let returned: PickerEntry[] | undefined;
    while (excess > 0) {
      let soonest: PickerEntry | undefined;
      for (const entry of this.ejected) {
        if (entry.eligible && (soonest === undefined || entry.returnAt < soonest.returnAt)) soonest = entry;
      }
      if (soonest === undefined) break;
      // Returned early: the healthy time that decays its multiplier counts from now.
      soonest.returnAt = Math.min(soonest.returnAt, now);
      this.end(soonest);
      (returned ??= []).push(soonest);
      excess -= 1;
    }
    this.nextReturnAt = this.earliestReturn();
    return returned;
  }

  /** The entry left the picker: its ejection is forgotten with it. */
  forget(entry: PickerEntry): void {
    if (this.ejected.delete(entry)) this.nextReturnAt = this.earliestReturn();
  }

  /** Ejected entries that are also eligible (up and matching). */
  ejectedEligible(): number {
    let count = 0;
    for (const entry of this.ejected) if (entry.eligible) count += 1;
    return count;
  }

  /** How many of `eligibleCount` instances may be ejected at the same time. */
  allowed(eligibleCount: number): number {
    return Math.floor((eligibleCount * this.options.maxEjectionPercent) / 100);
  }

  private end(entry: PickerEntry): void {
    entry.ejected = false;
    this.ejected.delete(entry);
    this.onChange(entry, false);
  }

  private earliestReturn(): number {
    let next = Infinity;
    for (const entry of this.ejected) if (entry.returnAt < next) next = entry.returnAt;
    return next;
  }
}
