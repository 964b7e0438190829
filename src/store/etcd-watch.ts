/**
 * EtcdStore's watch() and watchTree(): one RangeFollower (src/watch/) per iteration, its batches
 * turned into store events pushed to the iteration's sink (BaseStore owns the queue and its end).
 * No watch loop of its own: listing at one revision, watching from revision + 1, resuming from the
 * last applied revision and relisting on compaction are the follower's.
 *
 * How batches become events:
 * - the first listing ('initial') -> one snapshot, at the listing's revision;
 * - live changes ('watch')        -> put/delete events, in revision order;
 * - a relist's difference ('resync', after a compaction or a cancelled watch while away) -> the
 *   difference as put/delete events sorted by revision: every changed or new key once with its
 *   latest version (revision = its modRevision), every vanished key as a delete at the relist's
 *   revision. Intermediate versions, and keys created and deleted while away, are collapsed away;
 *   applying the events to the state so far gives etcd's state at the relist's revision. If the
 *   difference would go back in revision (etcd was wiped or restored), a new snapshot is yielded
 *   instead: the contract's "second snapshot", meaning "the state is now this".
 *
 * Errors: the iteration throws EtcdUnavailableError when the first listing does not succeed
 * within `timeoutMs`, and at once on an error retrying cannot fix (credentials, TLS, the client
 * closed underneath). Outages after the first listing are waited out (the follower resumes).
 */
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { isPermanentEtcdError } from '../etcd/translate-error.js';
import type { RollcallError } from '../errors.js';
import type { KeyRange } from '../watch/key-range.js';
import { RangeFollower, type ChangeBatch } from '../watch/range-follower.js';
import { fromWatched, toChangeEvent } from './etcd-convert.js';
import type { WatchSink } from './base-store.js';
import type { ChangeEvent, KeyWatchEvent, TreeWatchEvent } from './watch-events.js';

export interface EtcdWatchTarget {
  readonly conn: EtcdConnection;
  readonly namespace: string;
  readonly range: KeyRange;
  /** True for watchTree (snapshot of every key), false for watch(key). */
  readonly tree: boolean;
  readonly timeoutMs: number;
}

/** Starts following `target` into `sink`; returns the function that stops it (idempotent). */
export function followEtcdRange(target: EtcdWatchTarget, sink: WatchSink): () => void {
  const follower = new RangeFollower(target.conn, target.range, { backoff: { baseMs: 100, maxMs: 2000 } });
  let lastRevision = 0;

  const snapshot = (revision: number): KeyWatchEvent | TreeWatchEvent => {
    const kvs = [...follower.snapshot().values()].map((kv) => fromWatched(kv, target.namespace));
    if (target.tree) return { type: 'snapshot', kvs, revision };
    return { type: 'snapshot', kv: kvs[0] ?? null, revision };
  };

  const onBatch = (batch: ChangeBatch): void => {
    if (batch.cause === 'initial') {
      sink.push(snapshot(batch.revision));
    } else {
      const events = batch.changes.map((c) => toChangeEvent(c, target.namespace));
      if (batch.cause === 'resync') events.sort(byRevisionThenKey);
      if (events.some((e) => e.revision <= lastRevision)) sink.push(snapshot(batch.revision));
      else for (const event of events) sink.push(event);
    }
    lastRevision = batch.revision;
  };
  const onRetry = ({ error }: { error: RollcallError }): void => {
    if (isPermanentEtcdError(error)) sink.fail(error);
  };

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    follower.off('batch', onBatch);
    follower.off('retry', onRetry);
    follower.close();
  };
  follower.on('batch', onBatch);
  follower.on('retry', onRetry);
  follower.start();
  follower.waitForSync(target.timeoutMs).catch((error: unknown) => {
    if (!stopped) sink.fail(error);
  });
  return stop;
}

function byRevisionThenKey(a: ChangeEvent, b: ChangeEvent): number {
  if (a.revision !== b.revision) return a.revision - b.revision;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
