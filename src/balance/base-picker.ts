/**
 * What every strategy shares: the candidate snapshot, in-flight counting, outlier ejection and
 * the NoInstanceError. A strategy only says how to choose among the candidates.
 *
 * The candidates (candidate-list.ts) are the instances pick() may return right now, sorted by key:
 * `up`, matching the filter, not ejected, and in the preferred zone when any such instance is
 * there (in panic mode: every matching instance that is not leaving). They change in update() and
 * when an ejection starts or ends, never in pick(), so pick() does no filtering and allocates
 * nothing (grpc-js builds a new picker per state change the same way).
 *
 * A change costs what changed, not the size of the service: update() walks the new list against
 * the previous one by object identity (instance-diff.ts), touches only the entries whose instance
 * changed, keeps running counts for the panic threshold and the zone fallback, and moves each
 * touched entry in or out of the candidates by binary search; a strategy hears of each move
 * (inserted/removed/reweighted) and adjusts its own structure. The whole candidate list is rebuilt
 * only when panic mode or the zone fallback switches, when it was empty, or when so many entries
 * changed at once that one pass is cheaper than one splice each.
 */
import type { Instance } from '../codec/instance.js';
import { HashKeyRequiredError, NoInstanceError } from '../errors.js';
import { CandidateList } from './candidate-list.js';
import { IndexSource } from './index-source.js';
import { diffInstances } from './instance-diff.js';
import { OutlierEjector } from './outlier-ejector.js';
import type { InstanceHandle, NoInstanceReason, PanicInfo, Picker, PickerOptions, PickerStrategy } from './picker.js';
import { EntryTable } from './entry-table.js';
import { byKey, type PickerEntry } from './picker-entry.js';
import { resolvePickerOptions, type ResolvedPickerOptions } from './picker-options.js';
import { grownInt32 } from './slot-table.js';
import { channel } from '../diagnostics/channels.js';
import { publish } from '../diagnostics/publish.js';

// Looked up once: pick() checks `hasSubscribers` and builds no payload while nobody listens.
const pickChannel = channel('rollcall:picker:pick');
const panicChannel = channel('rollcall:picker:panic');

/** More touched entries than this in one change: one pass over all entries beats a splice each. */
const INCREMENTAL_LIMIT = 64;

export abstract class BasePicker implements Picker {
  abstract readonly strategy: PickerStrategy;

  protected readonly options: ResolvedPickerOptions;
  /** True for strategies that cannot pick without a key (hash). */
  protected readonly keyRequired: boolean = false;
  protected readonly candidates: CandidateList;
  /** Calls acquired and not yet released, per slot. */
  protected inflight = new Int32Array(16);
  private readonly ejector: OutlierEjector;
  private readonly indices = new IndexSource();
  private readonly table: EntryTable;
  private seenService: string | undefined;
  /** In panic mode: candidates are every matching, non-leaving instance (see panicThreshold). */
  private panicking = false;
  /** Candidates are limited to the preferred zone (some instance there is pickable). */
  private localOnly = false;
  /** Instances handed to deferUpdate() and not applied yet (see there). */
  private pending: readonly Instance[] | undefined;
  /**
   * No filter function (which may throw), and no panic to report on time: no onPanic, or a
   * panicThreshold of 0 (the default), with which panic mode never starts.
   */
  private readonly deferrable: boolean;
  /** No function in the filter: an instance object seen before keeps its answer. */
  private readonly pureFilter: boolean;

  constructor(options?: PickerOptions) {
    this.options = resolvePickerOptions(options);
    this.table = new EntryTable(this.options.preferZone);
    this.candidates = new CandidateList(this.choosesSlot, this.table.slotInstances);
    const filter = options?.filter;
    const panicPossible = this.options.panicThreshold > 0;
    this.pureFilter = typeof filter?.predicate !== 'function' && typeof filter?.version !== 'function';
    this.deferrable = (options?.onPanic === undefined || !panicPossible) && this.pureFilter;
    this.ejector = new OutlierEjector(this.options.outlier, (entry, ejected, durationMs) =>
      publish('rollcall:picker:ejection', () => ({
        service: this.serviceName(),
        instance: entry.instance,
        ejected,
        ...(durationMs === undefined ? {} : { durationMs }),
      })),
    );
  }

  /**
   * What choose() returns: an index into `candidates` (false), or a slot (true) for strategies
   * whose own structure outlives changes of the candidate list (the EDF heap, the hash ring).
   * A getter, so that it is known in this constructor.
   */
  protected get choosesSlot(): boolean {
    return false;
  }

  /**
   * Chooses among the candidates (never empty): an index into them, or a slot (see choosesSlot).
   * Must not allocate. A strategy that needs a key checks it here (pick() may come straight here).
   */
  protected abstract choose(key: string | Uint8Array | undefined): number;

  /** `entry` was inserted into the candidates at `index`. */
  protected inserted(_entry: PickerEntry, _index: number): void {}

  /** `entry` was removed from the candidates, where it was at `index`. */
  protected removed(_entry: PickerEntry, _index: number): void {}

  /** `entry`, a candidate at `index`, changed weight. */
  protected reweighted(_entry: PickerEntry, _index: number): void {}

  /** A series of inserted/removed/reweighted calls is over. */
  protected committed(): void {}

  /** The candidates were replaced as a whole (`previous` is the old list). */
  protected rebuilt(_previous: readonly PickerEntry[], _next: readonly PickerEntry[]): void {}

  /** A uniform index in [0, n); with the caller's random source, safe against one that returns 1. */
  protected randomIndex(n: number): number {
    const random = this.options.random;
    if (random === undefined) return this.indices.index(n);
    const index = Math.floor(random() * n);
    return index >= n ? n - 1 : index < 0 ? 0 : index;
  }

  get size(): number {
    this.settle();
    this.expireEjections();
    return this.candidates.length;
  }

  /**
   * update() for a caller that hands over an array it never mutates afterwards (the catalog's
   * copy-on-write live view). When nothing can observe the rebuild as it happens (no filter
   * function that may throw; no panic to report on time: panicThreshold 0, the default, or no
   * onPanic and nobody on the panic channel), it waits for the picker's next use: a burst of
   * catalog batches costs one update at the next pick, not one per batch, and a service nobody
   * picks from between batches costs nothing. Returns false when the update was applied at once.
   */
  deferUpdate(instances: readonly Instance[]): boolean {
    if (!this.deferrable || (panicChannel.hasSubscribers && this.options.panicThreshold > 0)) {
      this.update(instances);
      return false;
    }
    this.pending = instances;
    this.candidates.ready = false;
    return true;
  }

  update(instances: readonly Instance[]): void {
    this.pending = undefined;
    const diff = diffInstances(this.table.seen, instances);
    const next = diff.sorted;
    // A filter with a function in it is asked again about every instance, as documented; a pure
    // one only about instances not seen before.
    const positions = this.pureFilter ? diff.changed : next.map((_, i) => i);
    // Evaluate the user's filter first: if it throws, the previous snapshot stays untouched.
    const matching = positions.map((i) => {
      const instance = next[i] as Instance;
      return instance.status !== 'leaving' && this.options.matches(instance);
    });
    const { touched, reweighted, added, gone } = this.table.apply(diff, positions, matching);
    // An ejection leaves with its instance (no return event for an instance that is gone).
    for (const entry of gone) this.ejector.forget(entry);
    this.inflight = grownInt32(this.inflight, this.table.capacity);
    for (const entry of added) this.inflight[entry.slot] = 0;
    this.seenService = instances[0]?.service ?? this.seenService;
    const now = this.options.now();
    touched.push(...(this.ejector.reconcile(this.table.eligibleCount, now) ?? []));
    touched.push(...(this.ejector.expire(now) ?? []));
    this.sync(touched, reweighted);
    // Slots are freed only now, so no newcomer shares one with a leaver while strategies drop it.
    this.table.release(gone);
    this.refreshReady();
  }

  /** Every check, then the strategy; each strategy adds a fast path in front (see CandidateList.fast). */
  pick(key?: string | Uint8Array): Instance {
    const instance = this.candidates.instanceAt(this.chosen(key));
    if (pickChannel.hasSubscribers) pickChannel.publish({ service: this.serviceName(), strategy: this.strategy, instance });
    return instance;
  }

  reportFailure(instance: Instance): void {
    this.settle();
    const entry = this.table.byKey.get(instance.key);
    if (entry !== undefined) this.recordOutcome(entry, false);
  }

  reportSuccess(instance: Instance): void {
    this.settle();
    const entry = this.table.byKey.get(instance.key);
    if (entry !== undefined) this.recordOutcome(entry, true);
  }

  acquire(key?: string | Uint8Array): InstanceHandle {
    const chosen = this.chosen(key);
    const entry = (this.choosesSlot ? this.table.slotEntries[chosen] : this.candidates.entries[chosen]) as PickerEntry;
    const instance = entry.instance;
    if (pickChannel.hasSubscribers) pickChannel.publish({ service: this.serviceName(), strategy: this.strategy, instance });
    const slot = entry.slot;
    this.inflight[slot] = (this.inflight[slot] as number) + 1;
    let released = false;
    return {
      instance,
      release: (ok?: boolean): void => {
        if (released) return;
        released = true;
        // An entry that left (its slot maybe reused since) has no count to give back.
        if (this.table.slotEntries[slot] === entry) this.inflight[slot] = (this.inflight[slot] as number) - 1;
        if (ok !== undefined) this.recordOutcome(entry, ok);
      },
    };
  }

  async run<T>(fn: (instance: Instance) => Promise<T>, key?: string | Uint8Array): Promise<T> {
    const handle = this.acquire(key);
    let result: T;
    try {
      result = await fn(handle.instance);
    } catch (error) {
      handle.release(false);
      throw error;
    }
    handle.release(true);
    return result;
  }

  ejected(): readonly Instance[] {
    this.settle();
    this.expireEjections();
    return [...this.ejector.entries].sort(byKey).map((entry) => entry.instance);
  }

  /** The error for a pick without the key this strategy needs. */
  protected keyRequiredError(): HashKeyRequiredError {
    return new HashKeyRequiredError(
      `the ${this.strategy} picker for service "${this.serviceName()}" needs a key (string or Uint8Array) to pick`,
      { details: { service: this.serviceName() } },
    );
  }

  /** Settles, checks, and asks the strategy: an index or a slot, see choosesSlot. */
  private chosen(key: string | Uint8Array | undefined): number {
    if (this.keyRequired && typeof key !== 'string' && !(key instanceof Uint8Array)) throw this.keyRequiredError();
    if (this.pending !== undefined) this.settle();
    if (this.ejector.nextReturnAt !== Infinity) this.expireEjections();
    if (this.candidates.length === 0) throw this.noInstance();
    return this.choose(key);
  }

  /** pick() may skip chosen()'s checks while this holds (see CandidateList.ready). */
  private refreshReady(): void {
    this.candidates.ready = this.candidates.length > 0 && this.pending === undefined && this.ejector.nextReturnAt === Infinity;
  }

  /** Whether `entry` belongs among the candidates in the current mode. */
  private wanted(entry: PickerEntry): boolean {
    if (!(this.panicking ? entry.protectable : entry.eligible && !entry.ejected)) return false;
    return !this.localOnly || entry.local;
  }

  /**
   * Brings the candidates in line with the touched entries: panic mode and the zone fallback
   * first (from the running counts and the few ejected entries), then one binary search and
   * splice per entry that moved in or out, or one rebuild when that is cheaper or the mode changed.
   */
  private sync(touched: readonly PickerEntry[], reweighted: readonly PickerEntry[]): void {
    let ejectedEligible = 0;
    let ejectedLocal = 0;
    for (const entry of this.ejector.entries) {
      if (!entry.eligible) continue;
      ejectedEligible += 1;
      if (entry.local) ejectedLocal += 1;
    }
    const table = this.table;
    const pickable = table.eligibleCount - ejectedEligible;
    const total = table.protectableCount;
    const panic = total > 0 && pickable < total * this.options.panicThreshold;
    const panicSwitched = panic !== this.panicking;
    if (panicSwitched) this.panicChanged(panic, pickable, total);
    const localPickable = panic ? table.localProtectable : table.localEligible - ejectedLocal;
    const localOnly = this.options.preferZone !== undefined && localPickable > 0;
    const localSwitched = localOnly !== this.localOnly;
    this.localOnly = localOnly;
    const candidates = this.candidates;
    if (panicSwitched || localSwitched || candidates.length === 0 || touched.length > INCREMENTAL_LIMIT) {
      const previous = candidates.entries;
      const next: PickerEntry[] = [];
      for (const entry of table.sorted) if (this.wanted(entry)) next.push(entry);
      candidates.replace(next);
      this.rebuilt(previous, next);
      return;
    }
    for (const entry of touched) {
      const want = this.wanted(entry);
      if (want && !entry.candidate) {
        this.inserted(entry, candidates.insert(entry));
      } else if (!want && entry.candidate) {
        const index = candidates.indexOf(entry);
        candidates.removeAt(index);
        this.removed(entry, index);
      } else if (want) {
        candidates.instances[candidates.indexOf(entry)] = entry.instance;
      }
    }
    for (const entry of reweighted) if (entry.candidate) this.reweighted(entry, candidates.indexOf(entry));
    this.committed();
  }

  private recordOutcome(entry: PickerEntry, ok: boolean): void {
    // A handle released after its instance left the set (or was replaced) reports nothing.
    if (this.table.byKey.get(entry.key) !== entry) return;
    this.expireEjections();
    if (ok) {
      this.ejector.recordSuccess(entry);
    } else if (this.ejector.recordFailure(entry, this.table.eligibleCount, this.options.now())) {
      this.sync([entry], []);
    }
    this.refreshReady();
  }

  /** Applies a deferred update before the picker is read. */
  private settle(): void {
    const pending = this.pending;
    if (pending !== undefined) this.update(pending);
  }

  /** Ends ejections whose time is up; reads the clock only while something is ejected. */
  private expireEjections(): void {
    if (this.ejector.nextReturnAt === Infinity) return;
    const returned = this.ejector.expire(this.options.now());
    if (returned !== undefined) this.sync(returned, []);
    this.refreshReady();
  }

  private panicChanged(panic: boolean, pickable: number, total: number): void {
    this.panicking = panic;
    const info: PanicInfo = { service: this.serviceName(), panic, pickable, total, threshold: this.options.panicThreshold };
    publish('rollcall:picker:panic', () => info);
    // A throwing callback must not leave the picker half rebuilt: the snapshot is set after this.
    try {
      this.options.onPanic?.(info);
    } catch {
      // The callback's owner (the Catalog) reports its own listener failures; nothing to undo here.
    }
  }

  private serviceName(): string {
    return this.options.service ?? this.seenService ?? '(unknown)';
  }

  private noInstance(): NoInstanceError {
    const service = this.serviceName();
    const { upCount, eligibleCount: matching } = this.table;
    const total = this.table.byKey.size;
    let reason: NoInstanceReason;
    let message: string;
    if (total === 0) {
      reason = 'none-registered';
      message = `no instance of service "${service}" is registered`;
    } else if (upCount === 0) {
      reason = 'all-draining';
      message = `all ${total} instance(s) of service "${service}" are draining or leaving`;
    } else if (matching === 0) {
      reason = 'all-filtered';
      message = `none of the ${upCount} up instance(s) of service "${service}" matches the picker filter`;
    } else {
      reason = 'all-ejected';
      const inMs = Math.max(0, this.ejector.nextReturnAt - this.options.now());
      message =
        `all ${matching} matching instance(s) of service "${service}" are ejected after consecutive failures;` +
        ` the first returns in ${inMs} ms`;
    }
    return new NoInstanceError(message, {
      details: { service, reason, total, up: upCount, matching, ejected: reason === 'all-ejected' ? matching : 0 },
    });
  }
}
