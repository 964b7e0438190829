/**
 * The few Store operations the lock and election recipes (./fair-queue.ts, ./lock.ts,
 * ./election.ts) are built on. Both backends run the same recipe code, so a backend gets fair
 * locks and elections by implementing these with the guarantees below (MemoryStore and EtcdStore
 * implement them as part of Store).
 *
 * Guarantees the recipes rely on:
 * - `session(ttl)`: a lease kept alive until `close()`; `lost` aborts only once the lease is
 *   gone (or cannot be confirmed within its TTL). `close()` revokes it, deleting its keys in one
 *   revision, and resolves after that revision is committed.
 * - `atomicPut(key, value, null, { lease })`: create-only, one request (etcd: Txn
 *   `create_revision == 0` then Put). The returned KVPair carries the new createRevision.
 * - `list(prefix)`: every key under the prefix at one revision, with create revisions
 *   (etcd: one Range). The recipes order contenders by createRevision, not by key.
 * - `get(key)`: used to re-read the leader key when a proclaim races.
 * - `watch(key)` / `watchTree(prefix)`: a snapshot, then every later change with no gap
 *   (etcd: Range at revision R, Watch from R + 1). The iteration ends only when the signal
 *   aborts or the store closes; any other failure must throw, never end silently.
 * - After close(), all of them reject with ClosedError.
 *
 * Keys are relative to the namespace; the recipes never see it.
 */
import { InvalidNameError, type RollcallError } from '../errors.js';
import type { Store } from './store.js';

/** How the recipes report a problem they handled themselves: the store emits it as `warning`. */
export const REPORT_WARNING = Symbol('rollcall.store.reportWarning');

export type KvPrimitives = Pick<Store, 'get' | 'list' | 'atomicPut' | 'watch' | 'watchTree' | 'session'> & {
  [REPORT_WARNING](error: RollcallError): void;
};

/**
 * The key prefix of lock or election `name`'s queue: `<prefix><segment>/`, where the name is made
 * one key segment by percent-encoding `%` as `%25` and `/` as `%2F` (nothing else). A `/` left as
 * is would put `a/b`'s keys under `a/`, in `a`'s queue; encoding `%` too keeps the mapping
 * reversible (`a%2Fb` and `a/b` stay apart). Names without either character are used verbatim, so
 * Go's `concurrency.NewMutex(session, "<prefix><name>")` still shares their queue.
 */
export function queuePrefix(prefix: string, name: unknown, what: 'lock' | 'election'): string {
  if (typeof name !== 'string' || name === '') {
    throw new InvalidNameError(`${what} name must be a non-empty string, got ${JSON.stringify(name)}`, {
      details: { kind: `${what} name`, name },
    });
  }
  return `${prefix}${name.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'))}/`;
}

/** Queue keys end with the lease id in lower-case hex, as Go's concurrency package writes them. */
export function queueKey(prefix: string, lease: string): string {
  return prefix + BigInt(lease).toString(16);
}
