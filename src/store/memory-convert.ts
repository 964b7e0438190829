/**
 * Turns backend entries and changes into what a MemoryStore handle returns: namespace stripped,
 * values copied (each KVPair owns its bytes, as with EtcdStore), failed writes as the shared
 * typed errors (./write-errors.ts).
 */
import { KVPair } from './kv-pair.js';
import type { Change, Entry, Expected, WriteResult } from './memory-backend.js';
import type { ChangeEvent } from './watch-events.js';
import { compareFailed, unknownLease } from './write-errors.js';

export function toKVPair(entry: Entry, namespace: string): KVPair {
  return new KVPair({
    key: entry.key.slice(namespace.length),
    value: entry.value.slice(),
    createRevision: entry.createRevision,
    modRevision: entry.modRevision,
    version: entry.version,
    lease: entry.lease,
  });
}

export function toChangeEvent(change: Change, namespace: string): ChangeEvent {
  const key = change.key.slice(namespace.length);
  const prevKv = change.prev ? { prevKv: toKVPair(change.prev, namespace) } : {};
  if (change.type === 'put' && change.entry) {
    return { type: 'put', key, kv: toKVPair(change.entry, namespace), revision: change.revision, ...prevKv };
  }
  return { type: 'delete', key, revision: change.revision, ...prevKv };
}

/** The error for a failed write, naming the key (without namespace) and revisions. */
export function writeFailure(
  failure: Extract<WriteResult<unknown>, { ok: false }>,
  key: string,
  expected: Expected,
  lease?: string,
): Error {
  if (failure.reason === 'no-lease') return unknownLease(key, String(lease));
  return compareFailed(key, expected ?? null, failure.current?.modRevision);
}
