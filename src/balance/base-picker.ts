/**
 * What every strategy shares: the snapshot rebuilt on change, in-flight counting, outlier
 * ejection and the NoInstanceError. A strategy only says how to choose among `candidates`.
 *
 * The snapshot is the sorted array of instances pick() may return right now: `up`, matching
 * the filter, not ejected, and in the preferred zone when any such instance is there. It is
 * rebuilt by update() and whenever an ejection starts or ends, never by pick(), so pick()
 * does no filtering and allocates nothing (grpc-js builds a new picker per state change the
 * same way).
 */
import type { Instance } from '../codec/instance.js';
import { HashKeyRequiredError, NoInstanceError } from '../errors.js';
import { OutlierEjector } from './outlier-ejector.js';
import type { InstanceHandle, NoInstanceReason, PanicInfo, Picker, PickerOptions, PickerStrategy } from './picker.js';
import { byKey, createEntry, type PickerEntry, weightOf } from './picker-entry.js';
import { resolvePickerOptions, type ResolvedPickerOptions } from './picker-options.js';
import { channel } from '../diagnostics/channels.js';
import { publish } from '../diagnostics/publish.js';

// Looked up once: pick() checks `hasSubscribers` and builds no payload while nobody listens.
const pickChannel = channel('rollcall:picker:pick');
const panicChannel = channel('rollcall:picker:panic');

export abstract class BasePicker implements Picker {
  abstract readonly strategy: PickerStrategy;

  protected readonly options: ResolvedPickerOptions;
  /** True for strategies that cannot pick without a key (hash). */
  protected readonly keyRequired: boolean = false;
  private readonly ejector: OutlierEjector;
  private entries = new Map<string, PickerEntry>();
  /** `up` and matching the filter, sorted by key: the base of ejection percentages. */
  private eligible: PickerEntry[] = [];
  private candidates: PickerEntry[] = [];
  private upCount = 0;
  private seenService: string | undefined;
  /** In panic mode: candidates are every matching, non-leaving instance (see panicThreshold). */
  private panicking = false;
  /** Matching instances that are up or draining (not leaving): the panic threshold's base. */
  private protectable: PickerEntry[] = [];
  /** Instances handed to deferUpdate() and not applied yet (see there). */
  private pending: readonly Instance[] | undefined;
  /**
   * No filter function (which may throw), and no panic to report on time: no onPanic, or a
   * panicThreshold of 0 (the default), with which panic mode never starts.
   */
  private readonly deferrable: boolean;

  constructor(options?: PickerOptions) {
    this.options = resolvePickerOptions(options);
    const filter = options?.filter;
    const panicPossible = this.options.panicThreshold > 0;
    this.deferrable = (options?.onPanic === undefined || !panicPossible) && typeof filter?.predicate !== 'function' && typeof filter?.version !== 'function';
    this.ejector = new OutlierEjector(this.options.outlier, (entry, ejected, durationMs) =>
      publish('rollcall:picker:ejection', () => ({
        service: this.serviceName(),
        instance: entry.instance,
        ejected,
        ...(durationMs === undefined ? {} : { durationMs }),
      })),
    );
  }

  /** Chooses one of `candidates` (never empty). Must not allocate. */
  protected abstract choose(candidates: readonly PickerEntry[], key: string | Uint8Array | undefined): PickerEntry;

  /** Called after every rebuild, so a strategy can carry its position over to the new array. */
  protected rebuilt(_previous: readonly PickerEntry[], _next: readonly PickerEntry[]): void {}

  /** A uniform index in [0, n), safe against a random source that returns 1. */
  protected randomIndex(n: number): number {
    const index = Math.floor(this.options.random() * n);
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
   * catalog batches costs one rebuild at the next pick, not one per batch, and a service nobody
   * picks from between batches costs nothing. Returns false when the update was applied at once.
   */
  deferUpdate(instances: readonly Instance[]): boolean {
    if (!this.deferrable || (panicChannel.hasSubscribers && this.options.panicThreshold > 0)) {
      this.update(instances);
      return false;
    }
    this.pending = instances;
    return true;
  }

  update(instances: readonly Instance[]): void {
    this.pending = undefined;
    // Evaluate the user's filter first: if it throws, the previous snapshot stays untouched.
    const matching = instances.map((instance) => instance.status !== 'leaving' && this.options.matches(instance));
    const next = new Map<string, PickerEntry>();
    instances.forEach((instance, i) => {
      const entry = next.get(instance.key) ?? this.entries.get(instance.key) ?? createEntry(instance);
      entry.instance = instance; // duplicate keys: the last one wins
      entry.weight = weightOf(instance);
      entry.eligible = matching[i] === true && instance.status === 'up';
      entry.protectable = matching[i] === true;
      next.set(instance.key, entry);
    });
    const eligible: PickerEntry[] = [];
    const protectable: PickerEntry[] = [];
    let upCount = 0;
    for (const entry of next.values()) {
      if (entry.instance.status === 'up') upCount += 1;
      if (entry.eligible) eligible.push(entry);
      if (entry.protectable) protectable.push(entry);
    }
    // The catalog hands instances over sorted (by id within a service, so by key): checking is O(n).
    if (!sortedByKey(eligible)) eligible.sort(byKey);
    if (!sortedByKey(protectable)) protectable.sort(byKey);
    this.entries = next;
    this.eligible = eligible;
    this.protectable = protectable;
    this.upCount = upCount;
    this.seenService = instances[0]?.service ?? this.seenService;
    const now = this.options.now();
    this.ejector.reconcile(next.values(), eligible, now);
    this.ejector.expire(next.values(), now);
    this.rebuild();
  }

  pick(key?: string | Uint8Array): Instance {
    return this.pickEntry(key).instance;
  }

  reportFailure(instance: Instance): void {
    this.settle();
    const entry = this.entries.get(instance.key);
    if (entry !== undefined) this.recordOutcome(entry, false);
  }

  reportSuccess(instance: Instance): void {
    this.settle();
    const entry = this.entries.get(instance.key);
    if (entry !== undefined) this.recordOutcome(entry, true);
  }

  acquire(key?: string | Uint8Array): InstanceHandle {
    const entry = this.pickEntry(key);
    entry.inflight += 1;
    let released = false;
    return {
      instance: entry.instance,
      release: (ok?: boolean): void => {
        if (released) return;
        released = true;
        entry.inflight -= 1;
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
    const out: Instance[] = [];
    for (const entry of this.entries.values()) if (entry.ejected) out.push(entry.instance);
    return out;
  }

  private pickEntry(key: string | Uint8Array | undefined): PickerEntry {
    if (this.keyRequired && typeof key !== 'string' && !(key instanceof Uint8Array)) {
      throw new HashKeyRequiredError(
        `the ${this.strategy} picker for service "${this.serviceName()}" needs a key (string or Uint8Array) to pick`,
        { details: { service: this.serviceName() } },
      );
    }
    this.settle();
    this.expireEjections();
    const candidates = this.candidates;
    if (candidates.length === 0) throw this.noInstance();
    const chosen = this.choose(candidates, key);
    if (pickChannel.hasSubscribers) pickChannel.publish({ service: this.serviceName(), strategy: this.strategy, instance: chosen.instance });
    return chosen;
  }

  private recordOutcome(entry: PickerEntry, ok: boolean): void {
    // A handle released after its instance left the set (or was replaced) reports nothing.
    if (this.entries.get(entry.key) !== entry) return;
    this.expireEjections();
    if (ok) {
      this.ejector.recordSuccess(entry);
    } else if (this.ejector.recordFailure(entry, this.eligible, this.options.now())) {
      this.rebuild();
    }
  }

  /** Applies a deferred update before the picker is read. */
  private settle(): void {
    const pending = this.pending;
    if (pending !== undefined) this.update(pending);
  }

  /** Ends ejections whose time is up; reads the clock only while something is ejected. */
  private expireEjections(): void {
    if (this.ejector.nextReturnAt === Infinity) return;
    if (this.ejector.expire(this.entries.values(), this.options.now())) this.rebuild();
  }

  private rebuild(): void {
    const previous = this.candidates;
    let pickable = 0;
    for (const entry of this.eligible) if (!entry.ejected) pickable += 1;
    const total = this.protectable.length;
    const panic = total > 0 && pickable < total * this.options.panicThreshold;
    if (panic !== this.panicking) this.panicChanged(panic, pickable, total);
    const zone = this.options.preferZone;
    const all: PickerEntry[] = [];
    const local: PickerEntry[] = [];
    for (const entry of panic ? this.protectable : this.eligible) {
      if (!panic && entry.ejected) continue;
      all.push(entry);
      if (zone !== undefined && entry.instance.zone === zone) local.push(entry);
    }
    this.candidates = local.length > 0 ? local : all;
    this.rebuilt(previous, this.candidates);
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
    const total = this.entries.size;
    const matching = this.eligible.length;
    let reason: NoInstanceReason;
    let message: string;
    if (total === 0) {
      reason = 'none-registered';
      message = `no instance of service "${service}" is registered`;
    } else if (this.upCount === 0) {
      reason = 'all-draining';
      message = `all ${total} instance(s) of service "${service}" are draining or leaving`;
    } else if (matching === 0) {
      reason = 'all-filtered';
      message = `none of the ${this.upCount} up instance(s) of service "${service}" matches the picker filter`;
    } else {
      reason = 'all-ejected';
      const inMs = Math.max(0, this.ejector.nextReturnAt - this.options.now());
      message =
        `all ${matching} matching instance(s) of service "${service}" are ejected after consecutive failures;` +
        ` the first returns in ${inMs} ms`;
    }
    return new NoInstanceError(message, {
      details: { service, reason, total, up: this.upCount, matching, ejected: reason === 'all-ejected' ? matching : 0 },
    });
  }
}

function sortedByKey(entries: readonly PickerEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if ((entries[i - 1] as PickerEntry).key > (entries[i] as PickerEntry).key) return false;
  return true;
}
