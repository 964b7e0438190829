/**
 * Stage timing for the propagation figure, for rollcall and a bare etcd3 client alike: wraps the
 * etcd3 client's own prototypes (both use them), so the same stages are timed on both sides
 * without touching either. Bench-only: never loaded by the figures of `npm run bench`.
 *
 * - timeWrites(): when a put or transaction naming a key is handed to etcd3 (`sent`) and when
 *   etcd's answer resolved it (`acked`).
 * - timeWatchMessages(): when a watch message carrying a key's event arrived (`received`), before
 *   any listener (rollcall's watch layer, etcd3's Watcher) sees it.
 */
import type { EventEmitter } from 'node:events';
import { KVClient, WatchClient, type IPutRequest, type ITxnRequest, type IWatchResponse } from 'etcd3';
import { machineNow } from './stats.js';

export interface StageMarks {
  sent?: number;
  acked?: number;
  received?: number;
}

const marks = new Map<string, StageMarks>();
let writesTimed = false;
let watchesTimed = false;

/** The marks of `key` so far; forgotten once taken. */
export function takeMarks(key: string): StageMarks {
  const found = marks.get(key) ?? {};
  marks.delete(key);
  return found;
}

/** Forgets every mark (writes of a close, deletes of a revoke: never taken). */
export function clearMarks(): void {
  marks.clear();
}

function mark(key: string, stage: keyof StageMarks): void {
  let found = marks.get(key);
  if (!found) marks.set(key, (found = {}));
  found[stage] ??= machineNow();
}

/** The key a put names, or the first put of a transaction (rollcall's claim puts in its first branch). */
function writtenKey(request: IPutRequest | ITxnRequest): string | undefined {
  const key = 'success' in request ? request.success?.[0]?.request_put?.key : (request as IPutRequest).key;
  return key === undefined ? undefined : key.toString('utf8');
}

export function timeWrites(): void {
  if (writesTimed) return;
  writesTimed = true;
  const { put, txn } = KVClient.prototype;
  const timed = <R, T>(original: (this: KVClient, request: R, options?: T) => Promise<unknown>) =>
    function (this: KVClient, request: R, options?: T): Promise<unknown> {
      const key = writtenKey(request as IPutRequest | ITxnRequest);
      if (key !== undefined) mark(key, 'sent');
      const answer = original.call(this, request, options);
      if (key !== undefined) answer.then(() => mark(key, 'acked'), () => undefined);
      return answer;
    };
  KVClient.prototype.put = timed(put) as typeof put;
  KVClient.prototype.txn = timed(txn) as typeof txn;
}

export function timeWatchMessages(): void {
  if (watchesTimed) return;
  watchesTimed = true;
  const { watch } = WatchClient.prototype;
  WatchClient.prototype.watch = async function (this: WatchClient, options) {
    const stream = await watch.call(this, options);
    // First in line: the time the message arrived, not when a later listener got to it.
    (stream as unknown as EventEmitter).prependListener('data', (response: IWatchResponse) => {
      for (const event of response.events) mark(event.kv.key.toString('utf8'), 'received');
    });
    return stream;
  };
}
