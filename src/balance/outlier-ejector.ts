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

  constructor(
    private readonly options: Readonly<Required<OutlierOptions>>,
    private readonly onChange: EjectionListener = () => undefined,
  ) {}

  /** Counts a failure. True when it ejected the entry (the caller rebuilds its snapshot). */
  recordFailure(entry: PickerEntry, eligible: readonly PickerEntry[], now: number): boolean {
    if (entry.ejected) return false;
    entry.failures += 1;
    if (entry.failures < this.options.consecutiveFailures || !entry.eligible) return false;
    // Over the cap: keep counting, so the next failure ejects it once there is room.
    if (countEjected(eligible) >= this.allowed(eligible.length)) return false;
    const { baseEjectionMs, maxEjectionMs } = this.options;
    if (entry.ejections > 0 && baseEjectionMs > 0) {
      const healthyPeriods = Math.floor((now - entry.returnAt) / baseEjectionMs);
      entry.ejections = Math.max(0, entry.ejections - Math.max(0, healthyPeriods));
    }
    entry.ejections += 1;
    entry.failures = 0;
    entry.ejected = true;
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

  /** Returns entries whose ejection time is up. True when any returned. */
  expire(entries: Iterable<PickerEntry>, now: number): boolean {
    if (this.nextReturnAt > now) return false;
    let returned = false;
    let next = Infinity;
    for (const entry of entries) {
      if (!entry.ejected) continue;
      if (entry.returnAt <= now) {
        entry.ejected = false;
        returned = true;
        this.onChange(entry, false);
      } else if (entry.returnAt < next) {
        next = entry.returnAt;
      }
    }
    this.nextReturnAt = next;
    return returned;
  }

  /**
   * After an update: recompute the next return time over the entries still present, and end
   * the soonest-ending ejections while more eligible entries are ejected than the cap allows.
   */
  reconcile(entries: Iterable<PickerEntry>, eligible: readonly PickerEntry[], now: number): void {
    let excess = countEjected(eligible) - this.allowed(eligible.length);
    while (excess > 0) {
      let soonest: PickerEntry | undefined;
      for (const entry of eligible) {
        if (entry.ejected && (soonest === undefined || entry.returnAt < soonest.returnAt)) soonest = entry;
      }
      if (soonest === undefined) break;
      soonest.ejected = false;
      // Returned early: the healthy time that decays its multiplier counts from now.
      soonest.returnAt = Math.min(soonest.returnAt, now);
      this.onChange(soonest, false);
      excess -= 1;
    }
    let next = Infinity;
    for (const entry of entries) {
      if (entry.ejected && entry.returnAt < next) next = entry.returnAt;
    }
    this.nextReturnAt = next;
  }

  /** How many of `eligibleCount` instances may be ejected at the same time. */
  allowed(eligibleCount: number): number {
    return Math.floor((eligibleCount * this.options.maxEjectionPercent) / 100);
  }
}

function countEjected(entries: readonly PickerEntry[]): number {
  let count = 0;
  for (const entry of entries) if (entry.ejected) count += 1;
  return count;
}
