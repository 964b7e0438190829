/**
 * Keeps an exact local copy of one etcd key range and reports every change to it, in revision
 * order, with no gap and no invention. Shared by the discovery Catalog and the Store's
 * watch/watchTree.
 *
 * The rules:
 * - List the range at one revision (paged, pinned), then watch from that revision + 1.
 * - Remember the revision of the last event applied, and resume from it + 1 after a break; never
 *   from a response header of another range or of the stream (etcd3 1.1.2's Watcher resumes from
 *   the created response's header and can skip events). The one header trusted is that of a
 *   progress notification for this range's own watch: etcd sends it only once every event up to
 *   its revision has been sent, so a quiet range moves forward and, after a compaction, resumes
 *   instead of relisting.
 * - List, check history and watch on the same member (the connection's shared Watch stream picks
 *   it, and moves to the next member once one goes silent or breaks the stream).
 * - Before resuming, check etcd still has the history the copy was built from; on compaction, on
 *   a revision that went backwards (etcd wiped, restored or replaced), on a cancelled watch, or on
 *   any other doubt: relist, diff against the copy, and report exactly that difference.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { publish } from '../diagnostics/publish.js';
import { EventEmitter } from 'node:events';
import { debuglog } from 'node:util';
import type { IEvent } from 'etcd3';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { Backoff, type BackoffOptions } from '../etcd/backoff.js';
import { isPermanentEtcdError, translateEtcdError } from '../etcd/translate-error.js';
import { ClosedError, CompactedError, EtcdUnavailableError, RollcallError, WatchCanceledError } from '../errors.js';
import type { KeyRange } from './key-range.js';
import { KEEP_VALUES, type KeepPolicy, type KeptKV } from './kept-kv.js';
import { DEFAULT_PAGE_SIZE, historyMatches, listPages, type RangeRead } from './list-range.js';
import { sharedWatchStream, type SharedWatchStream } from './shared-watch-stream.js';
import { WatchSession, type WatchEnd } from './watch-session.js';
import { toWatchedKV, type WatchedKV } from './watched-kv.js';

const trace = debuglog('rollcall:watch');

/**
 * One change to the copy. `kv` is the key-value as read (its value may be a view into the
 * response that carried it: copy it to keep it); `kept` is what the copy holds for it now and
 * `prev` what it held before, as the follower's KeepPolicy keeps a key (by default the whole
 * key-value, value copied).
 */
export type RangeChange<K extends KeptKV = WatchedKV> =
  | { readonly type: 'put'; readonly kv: WatchedKV; readonly kept: K; readonly prev?: K; readonly revision: number }
  | { readonly type: 'delete'; readonly key: string; readonly prev?: K; readonly revision: number };

/** Why a batch happened: the first listing, a live watch event, or a relist's difference. */
export type BatchCause = 'initial' | 'watch' | 'resync';

export interface ChangeBatch<K extends KeptKV = WatchedKV> {
  readonly changes: readonly RangeChange<K>[];
  /** The copy equals etcd's state at this revision once the batch is applied. */
  readonly revision: number;
  readonly cause: BatchCause;
}

export type ResyncReason = 'compacted' | 'rewound' | 'history-changed' | 'canceled';

export interface RangeFollowerEvents<K extends KeptKV = WatchedKV> {
  /** Changes, already applied to `snapshot()`, in revision order. Listeners must not throw. */
  batch: [batch: ChangeBatch<K>];
  /** The copy equals etcd at `revision` (after the first listing, a resume, or a relist). */
  synced: [info: { revision: number; reason: 'initial' | 'resumed' | 'resync' }];
  /** About to relist and diff; the copy keeps serving until the diff is applied. */
  resync: [info: { reason: ResyncReason; revision: number }];
  /** Lost contact with etcd. Fires once per outage; the copy is kept and may be stale. */
  disconnected: [info: { error: RollcallError; lastContact: number }];
  /** A failed attempt while disconnected (to reconnect, list or check history); retries follow. */
  retry: [info: { error: RollcallError; attempt: number; delayMs: number }];
  closed: [];
}

export type FollowerState = 'idle' | 'listing' | 'resuming' | 'watching' | 'backoff' | 'closed';

export interface RangeFollowerOptions<K extends KeptKV = WatchedKV> {
  /** Keys per page when listing; default DEFAULT_PAGE_SIZE (5000). */
  readonly pageSize?: number;
  /**
   * What the copy keeps per key; default KEEP_VALUES (whole key-values). KEEP_FINGERPRINTS keeps
   * no values: `snapshot()` and `prev` then carry revisions and a fingerprint only.
   */
  readonly keep?: KeepPolicy<K>;
  /** Probe a silent watch stream after this long; default 5000 ms. */
  readonly livenessMs?: number;
  /** Reconnect backoff; default 100 ms doubling to 10 s, full jitter. */
  readonly backoff?: BackoffOptions;
}

export class RangeFollower<K extends KeptKV = WatchedKV> extends EventEmitter<RangeFollowerEvents<K>> {
  /** The copy; replaced whole by each relist. */
  private cache = new Map<string, K>();
  private readonly policy: KeepPolicy<K>;
  private appliedRevision = 0;
  private currentState: FollowerState = 'idle';
  private session: WatchSession | undefined;
  private readonly stop = new AbortController();
  private readonly backoff: Backoff;
  private everSynced = false;
  private connected = false;
  private outageReported = false;
  /** Set when a new watch finds etcd's revision below ours: a different history. */
  private rewound = false;
  private contactAt = 0;
  private lastError: RollcallError | undefined;
  private readonly watchStream: SharedWatchStream;
  /** Listings and history checks go where the watch runs. */
  private readonly read: RangeRead;

  constructor(
    private readonly conn: EtcdConnection,
    readonly range: KeyRange,
    private readonly options: RangeFollowerOptions<K> = {},
  ) {
    super();
    // Without `keep`, K is its default, WatchedKV: the default policy is the one for that type.
    this.policy = options.keep ?? (KEEP_VALUES as unknown as KeepPolicy<K>);
    this.backoff = new Backoff(options.backoff);
    this.watchStream = sharedWatchStream(conn);
    this.read = (operation, request, signal) => this.watchStream.range(operation, request, signal);
  }

  /** Starts listing and watching in the background. Use waitForSync() to wait for the first listing. */
  start(): void {
    if (this.currentState !== 'idle') return;
    this.run().catch((error: unknown) => {
      // run() handles its own failures; reaching here is a bug, reported rather than lost.
      this.lastError = error instanceof RollcallError ? error : translateEtcdError(error, this.context('follow'));
      this.emit('retry', { error: this.lastError, attempt: 0, delayMs: 0 });
    });
  }

  /**
   * The copy equals etcd's state at this revision: that of the last change applied, or a later
   * one etcd confirmed for this range with a progress notification.
   */
  get revision(): number {
    return this.appliedRevision;
  }

  /** When etcd last answered (ms since epoch), 0 if never. */
  get lastContact(): number {
    return this.contactAt;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get hasSynced(): boolean {
    return this.everSynced;
  }

  /**
   * The endpoint this range is listed and watched through (or will be next); undefined on a
   * client passed in by the user, where etcd3 picks the member.
   */
  get endpoint(): string | undefined {
    return this.watchStream.endpoint;
  }

  /** The current copy, keyed by key. Do not mutate. */
  snapshot(): ReadonlyMap<string, K> {
    return this.cache;
  }

  /**
   * Resolves once the first listing is applied. Rejects at once on an error that retrying will not
   * fix (credentials, TLS), with EtcdUnavailableError after `timeoutMs`, or with ClosedError.
   * The follower keeps retrying in the background after a timeout until closed.
   */
  waitForSync(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.everSynced) return Promise.resolve();
    if (this.currentState === 'closed') return Promise.reject(new ClosedError(`follower of ${this.range.description} is closed`));
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('synced', onSynced);
        this.off('retry', onRetry);
        this.off('closed', onClosed);
        signal?.removeEventListener('abort', onAbort);
      };
      const onSynced = (): void => {
        cleanup();
        resolve();
      };
      const onRetry = ({ error }: { error: RollcallError }): void => {
        if (!isPermanentEtcdError(error)) return;
        cleanup();
        reject(error);
      };
      const onClosed = (): void => {
        cleanup();
        reject(new ClosedError(`follower of ${this.range.description} was closed before its first listing`));
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new EtcdUnavailableError(`could not list ${this.range.description} within ${timeoutMs} ms (endpoints ${this.conn.endpoints.join(', ')})`, {
            cause: this.lastError,
            details: { range: this.range.description, timeoutMs },
          }),
        );
      }, timeoutMs);
      this.on('synced', onSynced);
      this.on('retry', onRetry);
      this.on('closed', onClosed);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops watching. The copy stays readable. Safe to call twice. */
  close(): void {
    if (this.currentState === 'closed') return;
    this.transition(['idle', 'listing', 'resuming', 'watching', 'backoff'], 'closed');
    this.stop.abort(new ClosedError(`follower of ${this.range.description} is closed`));
    this.session?.close();
    this.emit('closed');
  }

  private async run(): Promise<void> {
    let needList = true;
    let listReason: ResyncReason | undefined;
    while (!this.stop.signal.aborted) {
      try {
        if (needList) {
          this.transition(['idle', 'backoff', 'watching', 'resuming'], 'listing');
          if (listReason) {
            const reason = listReason;
            this.emit('resync', { reason, revision: this.appliedRevision });
            publish('rollcall:watch:resync', () => ({ range: this.range.description, reason, revision: this.appliedRevision }));
          }
          await this.relist();
          needList = false;
          listReason = undefined;
        } else {
          this.transition(['backoff', 'watching'], 'resuming');
          if (!(await historyMatches(this.conn, this.range, this.appliedRevision, this.cache, this.policy, { signal: this.stop.signal, read: this.read }))) {
            needList = true;
            listReason = 'history-changed';
            continue;
          }
          this.markContact();
          this.emit('synced', { revision: this.appliedRevision, reason: 'resumed' });
        }
        this.transition(['listing', 'resuming'], 'watching');
        const end = await this.watchOnce();
        trace('%s: watch ended: %s', this.range.description, end.kind);
        if (end.kind === 'closed') return;
        if (end.kind === 'compacted' || end.kind === 'canceled') {
          needList = true;
          listReason = end.kind;
          if (end.kind === 'compacted') continue; // etcd is fine; relist at once
          await this.pause(new WatchCanceledError(`watch on ${this.range.description} was cancelled: ${end.reason}`, { details: { reason: end.reason } }));
          continue;
        }
        if (end.kind === 'rewound') {
          needList = true;
          listReason = 'rewound';
          continue;
        }
        await this.pause(end.error);
      } catch (error) {
        if (this.stop.signal.aborted) return;
        if (error instanceof CompactedError) {
          needList = true;
          listReason ??= 'compacted';
          continue;
        }
        await this.pause(error instanceof RollcallError ? error : translateEtcdError(error, this.context('follow')));
      }
    }
  }

  /**
   * Lists the range and applies the difference from the copy as one batch. Each page is kept
   * and compared while etcd sends the next one; nothing is applied until the whole listing is in
   * (a listing that fails half way leaves the copy as it was).
   */
  private async relist(): Promise<void> {
    const { keep, same } = this.policy;
    const held = this.cache;
    const fresh = new Map<string, K>();
    const changes: RangeChange<K>[] = [];
    const revision = await listPages(
      this.conn,
      this.range,
      (page) => {
        for (const kv of page) {
          const kept = keep(kv);
          const prev = held.get(kv.key);
          if (prev === undefined) {
            fresh.set(kv.key, kept);
            changes.push({ type: 'put', kv, kept, revision: kv.modRevision });
          } else if (same(prev, kept)) {
            fresh.set(kv.key, prev); // unchanged: the copy keeps the object it had
          } else {
            fresh.set(kv.key, kept);
            changes.push({ type: 'put', kv, kept, prev, revision: kv.modRevision });
          }
        }
      },
      { pageSize: this.options.pageSize ?? DEFAULT_PAGE_SIZE, signal: this.stop.signal, read: this.read },
    );
    if (this.stop.signal.aborted) return;
    this.markContact();
    this.backoff.reset();
    for (const [key, prev] of held) {
      if (!fresh.has(key)) changes.push({ type: 'delete', key, prev, revision });
    }
    this.cache = fresh;
    this.appliedRevision = revision;
    const cause: BatchCause = this.everSynced ? 'resync' : 'initial';
    this.everSynced = true;
    trace('%s: listed %d keys at %d (%s, %d changes)', this.range.description, fresh.size, revision, cause, changes.length);
    this.emit('batch', { changes, revision, cause });
    this.emit('synced', { revision, reason: cause === 'initial' ? 'initial' : 'resync' });
  }

  private watchOnce(): Promise<WatchEnd | { readonly kind: 'rewound' }> {
    const session = new WatchSession(
      this.conn,
      this.range,
      this.appliedRevision + 1,
      {
        onContact: () => this.markContact(),
        onCreated: (header) => {
          this.backoff.reset();
          // etcd's revision is behind what we applied: this is not the etcd we were watching.
          if (Number(header.revision) < this.appliedRevision) {
            this.session?.close();
            this.rewound = true;
          }
        },
        onEvents: (events, headerRevision) => this.apply(events, headerRevision),
        onProgress: (revision) => this.advance(revision),
      },
      this.options.livenessMs === undefined ? {} : { livenessMs: this.options.livenessMs },
    );
    this.session = session;
    this.rewound = false;
    if (this.stop.signal.aborted) session.close();
    return session.ended.then((end) => {
      this.session = undefined;
      if (this.rewound && !this.stop.signal.aborted) {
        trace('%s: etcd revision went back below %d', this.range.description, this.appliedRevision);
        return { kind: 'rewound' as const };
      }
      return this.stop.signal.aborted ? { kind: 'closed' } : end;
    });
  }

  private apply(events: readonly IEvent[], headerRevision: number): void {
    const changes: RangeChange<K>[] = [];
    // Compared with the revision applied before this message: one revision can hold several
    // events (a DeleteRange, a lease expiring with many keys), all with the same mod revision.
    const appliedBefore = this.appliedRevision;
    for (const event of events) {
      const kv = toWatchedKV(event.kv);
      // A resumed watch never repeats what was applied; this guard keeps the copy exact if it did.
      if (kv.modRevision <= appliedBefore) continue;
      const prev = this.cache.get(kv.key);
      if (event.type === 'Delete') {
        this.cache.delete(kv.key);
        changes.push(prev ? { type: 'delete', key: kv.key, prev, revision: kv.modRevision } : { type: 'delete', key: kv.key, revision: kv.modRevision });
      } else {
        const kept = this.policy.keep(kv);
        this.cache.set(kv.key, kept);
        changes.push(prev ? { type: 'put', kv, kept, prev, revision: kv.modRevision } : { type: 'put', kv, kept, revision: kv.modRevision });
      }
      this.appliedRevision = kv.modRevision;
    }
    if (changes.length > 0) this.emit('batch', { changes, revision: this.appliedRevision, cause: 'watch' });
    // How far behind etcd this copy is: etcd's revision when it sent these events minus what is applied.
    publish('rollcall:watch:progress', () => ({ range: this.range.description, appliedRevision: this.appliedRevision, headerRevision }));
  }

  /** Nothing changed in the range up to `revision`: the copy equals etcd there too. */
  private advance(revision: number): void {
    if (revision <= this.appliedRevision) return;
    trace('%s: progress to %d', this.range.description, revision);
    this.appliedRevision = revision;
    publish('rollcall:watch:progress', () => ({ range: this.range.description, appliedRevision: revision, headerRevision: revision }));
  }

  private markContact(): void {
    this.contactAt = Date.now();
    this.connected = true;
    this.outageReported = false;
  }

  /** Waits before the next attempt; reports the outage once and each failed attempt. */
  private async pause(error: RollcallError): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.lastError = error;
    this.connected = false;
    if (!this.outageReported) {
      this.outageReported = true;
      this.emit('disconnected', { error, lastContact: this.contactAt });
    }
    const delayMs = this.backoff.next();
    this.emit('retry', { error, attempt: this.backoff.attempts, delayMs });
    this.transition(['listing', 'resuming', 'watching'], 'backoff');
    await delay(delayMs, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }

  /** The single place state changes, so every change is traced and published; a change from an unexpected state is refused. */
  private transition(from: readonly FollowerState[], to: FollowerState): boolean {
    if (!from.includes(this.currentState)) return false;
    const previous = this.currentState;
    const endpoint = this.endpoint;
    trace('%s: %s -> %s (%s)', this.range.description, previous, to, endpoint ?? 'any endpoint');
    this.currentState = to;
    publish('rollcall:watch:state', () => ({ range: this.range.description, from: previous, to, ...(endpoint === undefined ? {} : { endpoint }) }));
    return true;
  }

  private context(operation: string): { operation: string; endpoints: readonly string[] } {
    return { operation: `${operation} ${this.range.description}`, endpoints: this.conn.endpoints };
  }
}
