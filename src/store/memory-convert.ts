/**
 * Turns backend entries and changes into what a MemoryStore handle returns: namespace stripped,
 * values copied (each KVPair owns its bytes, as with EtcdStore), failed writes as typed errors.
 */
import { KeyExistsError, KeyModifiedError, KeyNotFoundError, LeaseLostError } from '../errors.js';
import { KVPair } from './kv-pair.js';
import type { Change, Entry, WriteResult } from './memory-backend.js';
import type { ChangeEvent } from './watch-events.js';

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

/** The error for a failed conditional write, naming the key (without namespace) and revisions. */
export function failureToError(
  failure: Extract<WriteResult<unknown>, { ok: false }>,
  key: string,
  expected: number | null | undefined,
  lease?: string,
): Error {
  const found = failure.current?.modRevision;
  switch (failure.reason) {
    case 'exists':
      return new KeyExistsError(`key "${key}" already exists (modRevision ${String(found)})`, {
        details: { key, modRevision: found },
      });
    case 'modified':
      return new KeyModifiedError(
        `key "${key}" was modified: expected modRevision ${String(expected)}, found ${String(found)}`,
        { details: { key, expected, modRevision: found } },
      );
    case 'not-found':
      return new KeyNotFoundError(`key "${key}" does not exist (expected modRevision ${String(expected)})`, {
        details: { key, expected },
      });
    case 'no-lease':
      return new LeaseLostError(`lease ${String(lease)} not found: it expired or was revoked`, {
        details: { key, lease },
      });
  }
}
