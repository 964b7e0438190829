/**
 * One watch on one key range, from a start revision until it ends, on the connection's shared
 * Watch stream (./shared-watch-stream.ts). It reports complete revisions only (fragments are
 * joined), says exactly why it ended (compacted, cancelled, broken, closed), and passes on the
 * progress notifications etcd sends while the range is quiet. Deciding what to do next is the
 * follower's job.
 */
import type { IEvent, IResponseHeader, IWatchCreateRequest, IWatchResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import type { RollcallError } from '../errors.js';
import type { KeyRange } from './key-range.js';
import { sharedWatchStream, type SharedWatchStream, type StreamWatcher } from './shared-watch-stream.js';

export type WatchEnd =
  | { readonly kind: 'compacted'; readonly compactRevision: number }
  | { readonly kind: 'canceled'; readonly reason: string }
  | { readonly kind: 'broken'; readonly error: RollcallError }
  | { readonly kind: 'closed' };

export interface WatchSessionHandlers {
  /** The server accepted the watch; `header.revision` is etcd's current revision. */
  onCreated(header: IResponseHeader): void;
  /** Events of one or more complete revisions, in order. */
  onEvents(events: readonly IEvent[], headerRevision: number): void;
  /** Any message arrived: etcd is alive. */
  onContact(): void;
  /**
   * etcd says this watch has been sent every event up to `revision` (a progress notification
   * for this watch, never one for the whole stream): the range did not change in between.
   */
  onProgress?(revision: number): void;
}

export interface WatchSessionOptions {
  /** After this long without a message on the stream, ask for progress; default 5000 ms. */
  readonly livenessMs?: number;
}

export class WatchSession {
  /** Settles once, when the session ends for any reason; never rejects. */
  readonly ended: Promise<WatchEnd>;
  private finish!: (end: WatchEnd) => void;
  private readonly stream: SharedWatchStream;
  private readonly watcher: StreamWatcher;
  private fragments: IEvent[] = [];
  private done = false;

  constructor(
    conn: EtcdConnection,
    private readonly range: KeyRange,
    private readonly startRevision: number,
    private readonly handlers: WatchSessionHandlers,
    options: WatchSessionOptions = {},
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.stream = sharedWatchStream(conn);
    this.watcher = {
      description: range.description,
      livenessMs: options.livenessMs ?? 5000,
      createRequest: () => this.createRequest(),
      onCreated: (header) => {
        if (!this.done) this.handlers.onCreated(header);
      },
      onResponse: (response) => this.onResponse(response),
      onContact: () => {
        if (!this.done) this.handlers.onContact();
      },
      onBroken: (error) => this.end({ kind: 'broken', error }),
    };
    this.stream.attach(this.watcher);
  }

  /** Ends the session on our side (its watch is cancelled); `ended` settles with `closed`. */
  close(): void {
    this.end({ kind: 'closed' });
  }

  private createRequest(): IWatchCreateRequest {
    return {
      key: this.range.key,
      start_revision: this.startRevision,
      progress_notify: true,
      fragment: true,
      ...(this.range.rangeEnd ? { range_end: this.range.rangeEnd } : {}),
    };
  }

  private onResponse(response: IWatchResponse): void {
    if (this.done) return;
    if (response.canceled) {
      const compactRevision = Number(response.compact_revision ?? 0);
      this.end(
        compactRevision > 0
          ? { kind: 'compacted', compactRevision }
          : { kind: 'canceled', reason: response.cancel_reason || 'cancelled by the server' },
      );
      return;
    }
    if (response.events.length === 0) {
      // A progress notification; never trusted in the middle of a fragmented revision.
      if (this.fragments.length === 0) this.handlers.onProgress?.(Number(response.header.revision));
      return;
    }
    this.fragments.push(...response.events);
    if (response.fragment) return; // more of this revision follows
    const events = this.fragments;
    this.fragments = [];
    this.handlers.onEvents(events, Number(response.header.revision));
  }

  private end(end: WatchEnd): void {
    if (this.done) return;
    this.done = true;
    this.stream.detach(this.watcher);
    this.finish(end);
  }
}
