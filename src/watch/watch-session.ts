/**
 * One watch on one gRPC Watch stream, from a start revision until it ends. It reports complete
 * revisions only (fragments are joined), says exactly why it ended (compacted, cancelled, broken,
 * closed), and notices a silent stream (a paused or partitioned member) by asking for progress
 * when nothing has arrived for a while. Deciding what to do next is the follower's job.
 */
import type { IEvent, IResponseHeader, IWatchRequest, IWatchResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { translateEtcdError } from '../etcd/translate-error.js';
import { EtcdUnavailableError, type RollcallError } from '../errors.js';
import type { KeyRange } from './key-range.js';

export type WatchEnd =
  | { readonly kind: 'compacted'; readonly compactRevision: number }
  | { readonly kind: 'canceled'; readonly reason: string }
  | { readonly kind: 'broken'; readonly error: RollcallError }
  | { readonly kind: 'closed' };

export interface WatchSessionHandlers {
  /** The server accepted the watch; `header.revision` is etcd's current revision. */
  onCreated(header: IResponseHeader): void;
  /** Events of one or more complete revisions, in order. */
  onEvents(events: readonly IEvent[]): void;
  /** Any message arrived: etcd is alive. */
  onContact(): void;
}

export interface WatchSessionOptions {
  /** After this long without a message, ask for progress; default 5000 ms. */
  readonly livenessMs?: number;
}

type WatchStream = Awaited<ReturnType<EtcdConnection['client']['watchClient']['watch']>>;

export class WatchSession {
  /** Settles once, when the session ends for any reason; never rejects. */
  readonly ended: Promise<WatchEnd>;
  private finish!: (end: WatchEnd) => void;
  private stream: WatchStream | undefined;
  private watchId: string | undefined;
  private fragments: IEvent[] = [];
  private done = false;
  private lastMessageAt = Date.now();
  private probeSentAt: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly conn: EtcdConnection,
    private readonly range: KeyRange,
    private readonly startRevision: number,
    private readonly handlers: WatchSessionHandlers,
    options: WatchSessionOptions = {},
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
    const livenessMs = options.livenessMs ?? 5000;
    this.timer = setInterval(() => this.checkLiveness(livenessMs), Math.max(50, Math.floor(livenessMs / 2)));
    this.open().catch((error: unknown) => this.end({ kind: 'broken', error: this.translate(error) }));
  }

  /** Ends the session on our side; `ended` settles with `closed`. */
  close(): void {
    this.end({ kind: 'closed' });
  }

  private async open(): Promise<void> {
    const stream = await this.conn.call(`open watch on ${this.range.description}`, () => this.conn.client.watchClient.watch());
    if (this.done) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    stream.on('data', (response: IWatchResponse) => this.onResponse(response));
    stream.on('error', (error: Error) => this.end({ kind: 'broken', error: this.translate(error) }));
    stream.on('end', () =>
      this.end({ kind: 'broken', error: new EtcdUnavailableError(`watch stream on ${this.range.description} ended by the server`) }),
    );
    const create: IWatchRequest = {
      create_request: {
        key: this.range.key,
        start_revision: this.startRevision,
        progress_notify: true,
        fragment: true,
        ...(this.range.rangeEnd ? { range_end: this.range.rangeEnd } : {}),
      },
    };
    stream.write(create);
    // The created response is the proof that etcd is there; arm the liveness probe as if sent now.
    this.lastMessageAt = Date.now();
    this.probeSentAt = Date.now();
  }

  private onResponse(response: IWatchResponse): void {
    if (this.done) return;
    this.lastMessageAt = Date.now();
    this.probeSentAt = undefined;
    this.handlers.onContact();
    if (response.created && this.watchId === undefined) {
      this.watchId = String(response.watch_id);
      if (!response.canceled) this.handlers.onCreated(response.header);
    } else if (String(response.watch_id) !== this.watchId) {
      return; // progress answers for the whole stream (watch id -1) only prove liveness
    }
    if (response.canceled) {
      const compactRevision = Number(response.compact_revision ?? 0);
      this.end(
        compactRevision > 0
          ? { kind: 'compacted', compactRevision }
          : { kind: 'canceled', reason: response.cancel_reason || 'cancelled by the server' },
      );
      return;
    }
    if (response.events.length === 0) return;
    this.fragments.push(...response.events);
    if (response.fragment) return; // more of this revision follows
    const events = this.fragments;
    this.fragments = [];
    this.handlers.onEvents(events);
  }

  private checkLiveness(livenessMs: number): void {
    if (this.done || !this.stream) return;
    const now = Date.now();
    if (this.probeSentAt !== undefined) {
      if (now - this.probeSentAt > this.conn.timeoutMs) {
        this.end({
          kind: 'broken',
          error: new EtcdUnavailableError(`watch on ${this.range.description}: etcd sent nothing for ${now - this.lastMessageAt} ms`),
        });
      }
      return;
    }
    if (now - this.lastMessageAt >= livenessMs) {
      this.probeSentAt = now;
      this.stream.write({ progress_request: {} });
    }
  }

  private end(end: WatchEnd): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      // Cancelling makes grpc-js emit a CANCELLED error; keep a listener so it is not unhandled.
      stream.on('error', () => undefined);
      stream.cancel();
    }
    this.finish(end);
  }

  private translate(error: unknown): RollcallError {
    return translateEtcdError(error, { operation: `watch ${this.range.description}`, endpoints: this.conn.endpoints });
  }
}
