/**
 * Reading a whole range consistently: every page is pinned to the revision of the first page, so
 * a listing of 100k keys is one snapshot even while writers keep going. Also the cheap check that
 * lets a follower resume a watch instead of relisting.
 */
import type { IRangeRequest, IRangeResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { CompactedError } from '../errors.js';
import type { KeyRange } from './key-range.js';
import type { KeepPolicy, KeptKV } from './kept-kv.js';
import { toWatchedKV, type WatchedKV } from './watched-kv.js';

export interface RangeListing {
  /** The revision every page was read at: the listing equals etcd's state at this revision. */
  readonly revision: number;
  readonly kvs: readonly WatchedKV[];
}

/**
 * Keys per range page. Measured while tuning (20,000 instance records, two runs): pages of 5,000
 * listed in about half the time of pages of 1,000 (a round trip and a revision-pinned read per
 * page); 10,000 gained nothing more while each response buffer grows (~1.5 MB at 5,000 records).
 * docs/benchmarks.md has the page sizes side by side from the last full bench run.
 */
export const DEFAULT_PAGE_SIZE = 5000;
const SORT_TARGET_MOD = 3;
const SORT_ORDER_DESCEND = 2;

/**
 * How a range request reaches etcd. By default through the connection's client (any member); a
 * follower passes its Watch stream's reader, so the listing or history check that precedes a
 * watch is answered by the member the watch then runs on.
 */
export type RangeRead = (operation: string, request: IRangeRequest, signal?: AbortSignal) => Promise<IRangeResponse>;

export interface RangeReadOptions {
  readonly signal?: AbortSignal;
  readonly read?: RangeRead;
}

function connectionRead(conn: EtcdConnection): RangeRead {
  return (operation, request, signal) => conn.call(operation, () => conn.client.kv.range(request), signal);
}

export async function listRange(
  conn: EtcdConnection,
  range: KeyRange,
  options: RangeReadOptions & { pageSize?: number } = {},
): Promise<RangeListing> {
  const kvs: WatchedKV[] = [];
  const revision = await listPages(conn, range, (page) => {
    for (const kv of page) kvs.push(kv);
  }, options);
  return { revision, kvs };
}

/**
 * listRange() a page at a time: `onPage` gets each page's key-values in key order, while etcd
 * reads and sends the next page (it is asked for before `onPage` runs). Resolves with the
 * revision every page was read at. `onPage` must not throw.
 */
export async function listPages(
  conn: EtcdConnection,
  range: KeyRange,
  onPage: (kvs: readonly WatchedKV[]) => void,
  options: RangeReadOptions & { pageSize?: number } = {},
): Promise<number> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const read = options.read ?? connectionRead(conn);
  const ask = (key: Buffer, revision: number | undefined): Promise<IRangeResponse> => {
    const request: IRangeRequest = { key, limit: range.rangeEnd ? pageSize : 0 };
    if (range.rangeEnd) request.range_end = range.rangeEnd;
    if (revision !== undefined) request.revision = revision;
    return read(`list ${range.description}`, request, options.signal).catch((error: unknown) => {
      throw asCompacted(error, range, revision);
    });
  };
  let revision: number | undefined;
  let next: Promise<IRangeResponse> | undefined = ask(range.key, undefined);
  try {
    while (next !== undefined) {
      const page: IRangeResponse = await next;
      next = undefined;
      revision ??= Number(page.header.revision);
      const last = page.kvs[page.kvs.length - 1];
      // The next page starts just after the last key read.
      if (page.more && last) {
        next = ask(Buffer.concat([last.key, KEY_SUFFIX]), revision);
        // Let the request go out first: grpc-js starts a call over several ticks, and HTTP/2
        // writes are flushed from the event loop, not while onPage keeps the thread busy.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // Values stay views into the page's response buffer: a listing is read once and let go;
      // whoever keeps a value copies it (a follower's KEEP_VALUES, the Store's KVPair).
      onPage(page.kvs.map(toWatchedKV));
    }
  } finally {
    // Only if onPage threw: the page asked for is not wanted, nor its failure.
    next?.catch(() => undefined);
  }
  return revision ?? 0;
}

/** Appended to a key: the smallest key after it. */
const KEY_SUFFIX = Buffer.from([0]);

/**
 * True when etcd still holds the history the cache was built from: at `revision`, the range has
 * as many keys as the cache and the most recently written one matches. A wiped, restored or
 * replaced etcd fails this check (or answers "compacted"), and the caller relists.
 */
export async function historyMatches<K extends KeptKV>(
  conn: EtcdConnection,
  range: KeyRange,
  revision: number,
  cache: ReadonlyMap<string, K>,
  policy: KeepPolicy<K>,
  options: RangeReadOptions = {},
): Promise<boolean> {
  const read = options.read ?? connectionRead(conn);
  const request: IRangeRequest = {
    key: range.key,
    revision,
    limit: 1,
    sort_target: SORT_TARGET_MOD,
    sort_order: SORT_ORDER_DESCEND,
  };
  if (range.rangeEnd) request.range_end = range.rangeEnd;
  let response;
  try {
    response = await read(`check history of ${range.description}`, request, options.signal);
  } catch (error) {
    if (asCompacted(error, range, revision) instanceof CompactedError) return false;
    throw error;
  }
  if (Number(response.count) !== cache.size) return false;
  const top = response.kvs[0];
  if (!top) return cache.size === 0;
  let newest: K | undefined;
  for (const kv of cache.values()) if (!newest || kv.modRevision > newest.modRevision) newest = kv;
  return newest !== undefined && policy.same(newest, policy.keep(toWatchedKV(top)));
}

const COMPACTED = /required revision has been compacted|revision has been compacted|future revision/i;

/** etcd answers a read at a compacted (or not yet existing) revision with a plain error: name it. */
function asCompacted(error: unknown, range: KeyRange, revision: number | undefined): unknown {
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
  if (revision !== undefined && COMPACTED.test(message)) {
    return new CompactedError(`revision ${revision} of ${range.description} is no longer available`, {
      cause: error,
      details: { revision, range: range.description },
    });
  }
  return error;
}
