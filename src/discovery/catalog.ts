/**
 * The consumer half of rollcall: a live, local view of the instances registered under a prefix.
 * It builds on the watch layer (RangeFollower: exact copy, no gap, resume, relist + diff) and adds
 * decoding, membership (deregistered vs expired, grace period), staleness, the cache file, pickers
 * and typed events. docs/discovery.md is the user's page.
 */
import { abortable } from '../events/abortable.js';
import { AsyncQueue } from '../events/async-queue.js';
import { SafeEmitter } from '../events/safe-emitter.js';
import { debuglog } from 'node:util';
import type { Picker, PickerStrategy } from '../balance/index.js';
import { assertValidName, INSTANCE_STATUSES } from '../codec/index.js';
import { EtcdConnection } from '../etcd/index.js';
import { publish as publishDiagnostics } from '../diagnostics/publish.js';
import { ClosedError, EtcdUnavailableError, InvalidConfigError, ListenerError } from '../errors.js';
import { prefixRange, rangeContains, RangeFollower, type ChangeBatch } from '../watch/index.js';
import { CacheWriter, instanceKV, readCacheFile, type CacheContents } from './cache-file.js';
import type { CatalogChange, CatalogEvents, CatalogInstance, InstanceQuery } from './catalog-events.js';
import { resolveCatalogOptions, type CatalogOptions, type ResolvedCatalogOptions } from './catalog-options.js';
import { GraceTimer } from './grace-timer.js';
import type { KeptInstance } from './kept-instance.js';
import { Membership, type MembershipResult } from './membership.js';
import { PickerRegistry, type CatalogPickerOptions } from './picker-registry.js';
import { Staleness } from './staleness.js';

const trace = debuglog('rollcall:catalog');

export class Catalog extends SafeEmitter<CatalogEvents> {
  private readonly followers: readonly RangeFollower<KeptInstance>[];
  private readonly membership: Membership;
  private readonly staleness: Staleness;
  private readonly pickers = new PickerRegistry();
  private readonly streams = new Set<AsyncQueue<CatalogChange>>();
  private readonly cacheWriter: CacheWriter | undefined;
  /** lastContact recorded in the cache file the catalog started from; 0 otherwise. */
  private cacheContact = 0;
  private startedFromCache = false;
  private readonly graceTimer: GraceTimer;
  private closing: Promise<void> | undefined;
  /** Whether `rollcall:catalog:stale` last said stale. */
  private staleChannelled = false;

  /**
   * Opens a catalog and waits (up to `timeoutMs`) for its first complete listing. When etcd cannot
   * be reached in time it starts from `cacheFile`, marked stale, or rejects with
   * EtcdUnavailableError. Rejects at once with InvalidConfigError / InvalidNameError for bad
   * options, and with EtcdAuthError / EtcdTlsError when etcd refuses the connection (never
   * masked by the cache file). The instances found are emitted as `added` before this resolves.
   */
  static async open(options: CatalogOptions = {}): Promise<Catalog> {
    const { signal } = options;
    signal?.throwIfAborted();
    const resolved = resolveCatalogOptions(options);
    const catalog = new Catalog(EtcdConnection.create(options, resolved.connection), resolved);
    try {
      await abortable(catalog.start(), signal);
    } catch (error) {
      await catalog.shutdown(true);
      throw signal?.aborted === true ? signal.reason : error;
    }
    return catalog;
  }

  private constructor(
    private readonly conn: EtcdConnection,
    private readonly options: ResolvedCatalogOptions,
  ) {
    super('catalog');
    const { layout, services, watch } = options;
    const ranges = services ? services.map((s) => prefixRange(layout.servicePrefix(s))) : [prefixRange(layout.root)];
    this.membership = new Membership(layout, { gracePeriodMs: options.gracePeriodMs, maxValueBytes: options.maxValueBytes });
    // Each follower's copy keeps the decoded instances the membership holds: decoded as each
    // page of a listing arrives, no value bytes kept (kept-instance.ts).
    this.followers = ranges.map((range) => new RangeFollower(conn, range, { ...watch, keep: this.membership.keep }));
    this.graceTimer = new GraceTimer(this.membership);
    this.staleness = new Staleness(options.staleIntervalMs, (info) => {
      // The channel reports transitions only; the event repeats every staleIntervalMs.
      if (!this.staleChannelled) publishDiagnostics('rollcall:catalog:stale', () => ({ prefix: this.prefix, stale: true }));
      this.staleChannelled = true;
      this.safeEmit('stale', info);
    });
    this.cacheWriter =
      options.cacheFile === undefined
        ? undefined
        : new CacheWriter(options.cacheFile, options.cacheWriteDelayMs, () => this.cacheContents(), (error) => this.safeEmit('warning', error));
    for (const follower of this.followers) this.follow(follower);
  }

  /** The key prefix, normalised (`services`). */
  get prefix(): string {
    return this.options.layout.prefix;
  }

  /** True while etcd cannot be reached (or before the first listing after a start from the cache file). */
  get isStale(): boolean {
    return this.staleness.isStale;
  }

  /** When etcd last answered (ms since epoch; the oldest over the catalog's watches), 0 if never. */
  get lastContact(): number {
    let oldest = Infinity;
    for (const follower of this.followers) {
      if (follower.lastContact === 0) return this.cacheContact;
      oldest = Math.min(oldest, follower.lastContact);
    }
    return oldest === Infinity ? 0 : oldest;
  }

  /** Services with at least one live instance (or, with includeLost, at least one instance of any kind), sorted. */
  services(options: { includeLost?: boolean } = {}): string[] {
    return this.membership.services(options.includeLost === true);
  }

  /**
   * Instances of `service`, sorted by id: live ones (inGroup true), plus with `includeLost` the
   * expired ones still in their grace period. A new array each call. Throws InvalidNameError for
   * an invalid name, InvalidConfigError for a service this catalog was not opened to follow.
   */
  instances(service: string, query: InstanceQuery = {}): CatalogInstance[] {
    this.checkService(service);
    const statuses = query.status === undefined ? undefined : typeof query.status === 'string' ? [query.status] : query.status;
    for (const status of statuses ?? []) {
      if (!INSTANCE_STATUSES.includes(status)) throw new InvalidConfigError(`unknown instance status ${JSON.stringify(status)}`);
    }
    const found = query.includeLost === true ? this.membership.list(service, true) : [...this.membership.live(service)];
    return found.filter(
      (i) =>
        (statuses === undefined || statuses.includes(i.status)) &&
        (query.zone === undefined || i.zone === query.zone) &&
        (query.tags === undefined || query.tags.every((tag) => i.tags.includes(tag))),
    );
  }

  /**
   * Every change from now on, buffered, for `for await`. Ends when the catalog closes (after the
   * buffered changes) or `signal` aborts (at once). Changes from before the call are not replayed.
   */
  changes(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<CatalogChange> {
    // end() on close: what was buffered is still read; the signal or a break stops at once.
    const stream: AsyncQueue<CatalogChange> = new AsyncQueue<CatalogChange>({ signal: options.signal, onEnd: () => this.streams.delete(stream) });
    if (this.closing) stream.end();
    else if (!stream.closed) this.streams.add(stream);
    return stream;
  }

  /**
   * A picker for `service`, given its live instances now and again after every batch that changes
   * them, until the catalog closes or `options.signal` aborts. Only `up` instances are picked.
   * Throws InvalidConfigError for bad picker options, ClosedError after close().
   */
  picker(service: string, options?: CatalogPickerOptions | PickerStrategy): Picker {
    this.checkService(service);
    if (this.closing) throw new ClosedError(`catalog of ${this.prefix} is closed`);
    const resolved: CatalogPickerOptions = typeof options === 'string' ? { strategy: options } : { ...options };
    const onPanic = resolved.onPanic;
    resolved.onPanic = (info) => {
      this.safeEmit('panic', info);
      onPanic?.(info);
    };
    return this.pickers.create(service, resolved, this.membership.live(service));
  }

  /**
   * Stops watching, writes the cache file if a write is pending, ends iterators. Safe to call
   * twice. `signal` stops the waiting: close() then rejects with `signal.reason`, while the close
   * itself (watches, timers, pickers, the etcd client it built, the pending cache write) completes
   * in the background.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    return abortable(this.shutdown(false), options.signal);
  }

  private async start(): Promise<void> {
    for (const follower of this.followers) follower.start();
    try {
      await Promise.all(this.followers.map((f) => f.waitForSync(this.options.timeoutMs)));
    } catch (error) {
      if (!(error instanceof EtcdUnavailableError) || this.options.cacheFile === undefined) throw error;
      await this.startFromCache(this.options.cacheFile, error);
    }
  }

  /** etcd did not answer in time: serve the cache file's instances, stale, while the watches keep trying. */
  private async startFromCache(path: string, etcdError: EtcdUnavailableError): Promise<void> {
    let contents: CacheContents;
    try {
      contents = await readCacheFile(path, this.prefix);
    } catch (cacheError) {
      const reason = cacheError instanceof Error ? cacheError.message : String(cacheError);
      throw new EtcdUnavailableError(`${etcdError.message}; and the cache file could not be used: ${reason}`, {
        cause: etcdError,
        details: { ...etcdError.details, cacheFile: path, cacheError },
      });
    }
    // Only ranges etcd has not listed yet take their state from the file.
    const unsynced = this.followers.filter((f) => !f.hasSynced);
    if (unsynced.length === 0) return;
    const kvs = contents.kvs.filter((kv) => unsynced.some((f) => rangeContains(f.range, Buffer.from(kv.key))));
    trace('starting from cache file %s: %d instances, etcd last answered at %d', path, kvs.length, contents.lastContact);
    this.cacheContact = contents.lastContact;
    this.startedFromCache = true;
    this.publish(this.membership.load(kvs));
    this.staleness.markStale(contents.lastContact, etcdError);
  }

  private follow(follower: RangeFollower<KeptInstance>): void {
    follower.on('batch', (batch) => this.onBatch(follower, batch));
    follower.on('disconnected', ({ error, lastContact }) => {
      if (this.closing) return;
      trace('%s: disconnected: %s', follower.range.description, error.message);
      this.staleness.markStale(lastContact || this.lastContact, error);
    });
    follower.on('retry', ({ error, attempt, delayMs }) => {
      if (this.closing) return;
      trace('%s: attempt %d failed (%s), next in %d ms', follower.range.description, attempt, error.code, delayMs);
      if (this.staleness.isStale) this.staleness.markStale(this.lastContact, error);
    });
    follower.on('synced', ({ revision, reason }) => {
      if (this.closing || !this.followers.every((f) => f.hasSynced && f.isConnected)) return;
      const staleForMs = this.staleness.markFresh();
      if (this.staleChannelled) publishDiagnostics('rollcall:catalog:stale', () => ({ prefix: this.prefix, stale: false }));
      this.staleChannelled = false;
      trace('synced at %d (%s) after %d ms stale', revision, reason, staleForMs);
      this.scheduleCacheWrite();
      this.safeEmit('synced', { revision, reason, staleForMs });
    });
  }

  private onBatch(follower: RangeFollower<KeptInstance>, batch: ChangeBatch<KeptInstance>): void {
    if (this.closing) return;
    const result = this.membership.apply(batch.changes, batch.cause);
    // A first listing also removes what only the cache file knew (nothing else can be missing).
    if (batch.cause === 'initial' && this.startedFromCache) this.membership.retainListed(follower.range, follower.snapshot(), batch.revision, 'initial', result);
    this.publish(result);
  }

  /** Refreshes the touched services' pickers, then tells listeners and iterators. */
  private publish(result: MembershipResult): void {
    for (const service of result.touched) {
      // A service nobody picks from costs nothing here: its live view is not even read.
      if (this.pickers.count(service) === 0) continue;
      this.pickers.refresh(service, this.membership.live(service), (error) =>
        this.safeEmit('warning', new ListenerError(`a picker filter for service "${service}" threw: ${String(error)}`, { cause: error, details: { service } })),
      );
    }
    if (result.changes.length > 0) {
      this.scheduleCacheWrite();
      this.graceTimer.schedule();
    }
    for (const warning of result.warnings) {
      trace('skipped %s: %s', String(warning.details['key']), String(warning.details['reason']));
      this.safeEmit('warning', warning);
    }
    for (const change of result.changes) {
      const id = change.type === 'added' || change.type === 'removed' ? change.instance.id : change.current.id;
      if (trace.enabled) trace('%s %s/%s (%s, revision %d%s)', change.type, change.service, id, change.cause, change.revision, change.type === 'removed' ? `, ${change.reason}` : '');
      for (const stream of this.streams) stream.push(change);
      publishDiagnostics('rollcall:catalog:change', () => ({
        prefix: this.prefix,
        type: change.type,
        service: change.service,
        id,
        revision: change.revision,
        ...(change.type === 'removed' ? { reason: change.reason } : {}),
      }));
      // Emitting to no listener is skipped: a first listing emits one `added` per instance.
      if (this.listenerCount(change.type) === 0) continue;
      switch (change.type) {
        case 'added':
          this.safeEmit('added', change);
          break;
        case 'updated':
          this.safeEmit('updated', change);
          break;
        case 'removed':
          this.safeEmit('removed', change);
          break;
        case 'recovered':
          this.safeEmit('recovered', change);
          break;
      }
    }
  }

  /** The file is written only once it holds a whole picture: every range listed, or the file's own. */
  private scheduleCacheWrite(): void {
    if (this.startedFromCache || this.followers.every((f) => f.hasSynced)) this.cacheWriter?.schedule();
  }

  private cacheContents(): CacheContents {
    return { prefix: this.prefix, lastContact: this.lastContact, savedAt: Date.now(), kvs: this.membership.liveInstances().map(instanceKV) };
  }

  private checkService(service: string): void {
    assertValidName('service name', service);
    const followed = this.options.services;
    if (followed && !followed.includes(service)) {
      throw new InvalidConfigError(`this catalog follows ${followed.join(', ')}, not service "${service}"`, { details: { service, services: followed } });
    }
  }

  /**
   * Emits after the state it reports is complete. SafeEmitter runs each listener on its own: a
   * throwing one becomes a `warning` (ListenerError) and never reaches the watch layer or the
   * listeners after it.
   */
  private safeEmit<K extends keyof CatalogEvents>(event: K, ...args: CatalogEvents[K]): void {
    (this.emit as (event: K, ...args: CatalogEvents[K]) => boolean)(event, ...args);
  }

  private shutdown(discardCache: boolean): Promise<void> {
    this.closing ??= (async () => {
      trace('closing');
      for (const follower of this.followers) follower.close();
      this.staleness.close();
      this.graceTimer.close();
      this.pickers.clear();
      for (const stream of [...this.streams]) stream.end();
      await this.cacheWriter?.close({ discard: discardCache });
      this.conn.close();
      this.safeEmit('closed');
    })();
    return this.closing;
  }
}
