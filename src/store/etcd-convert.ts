/**
 * Turns etcd answers into what an EtcdStore returns: namespace stripped, values copied into
 * private Uint8Arrays, revisions as numbers, lease ids as decimal strings. (Failed writes become
 * the errors of ./write-errors.ts, shared with MemoryStore.)
 */
import type { IKeyValue, IResponseHeader } from 'etcd3';
import type { RangeChange } from '../watch/range-follower.js';
import { toWatchedKV, type WatchedKV } from '../watch/watched-kv.js';
import { KVPair } from './kv-pair.js';
import type { ChangeEvent } from './watch-events.js';

/** A key as the follower or a listing holds it, relative to `namespace`, with its own bytes. */
export function fromWatched(kv: WatchedKV, namespace: string): KVPair {
  return new KVPair({
    key: kv.key.slice(namespace.length),
    value: new Uint8Array(kv.value),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
  });
}

export function fromRaw(raw: IKeyValue, namespace: string): KVPair {
  return fromWatched(toWatchedKV(raw), namespace);
}

/**
 * The key as a successful put left it. etcd's PutResponse carries only the header and the
 * previous version, which is enough: the put's revision is the header's, and create revision
 * and version follow from the previous key (none: a create).
 */
export function written(
  key: string,
  value: Uint8Array,
  lease: string,
  header: IResponseHeader,
  prev: IKeyValue | null | undefined,
): KVPair {
  const revision = Number(header.revision);
  const existed = prev !== null && prev !== undefined && Number(prev.create_revision) > 0;
  return new KVPair({
    key,
    value: value.slice(),
    createRevision: existed ? Number(prev.create_revision) : revision,
    modRevision: revision,
    version: existed ? Number(prev.version) + 1 : 1,
    lease,
  });
}

/** A change the follower reported, as a store event (namespace stripped). */
export function toChangeEvent(change: RangeChange, namespace: string): ChangeEvent {
  const prevKv = change.prev ? { prevKv: fromWatched(change.prev, namespace) } : {};
  if (change.type === 'put') {
    const kv = fromWatched(change.kv, namespace);
    return { type: 'put', key: kv.key, kv, revision: change.revision, ...prevKv };
  }
  return { type: 'delete', key: change.key.slice(namespace.length), revision: change.revision, ...prevKv };
}
