/**
 * Writes an operator makes to an instance someone else registered (`rollcall drain`, `undrain`,
 * `deregister`, the dashboard's drain buttons): read the key, change the record through the codec
 * (every other field and the lease kept), write back in a compare-and-swap on the key's mod
 * revision. A registrar write that lands between our read and our write is never overwritten: we
 * read again and retry, a few times. One place for these so the CLI and the dashboard never talk
 * to etcd's KV API directly.
 */
import { decodeInstance, encodeInstance, type InstanceStatus, type KeyLayout } from '../codec/index.js';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { EtcdRequestError, KeyNotFoundError, NoInstanceError } from '../errors.js';
import { toWatchedKV, type WatchedKV } from '../watch/watched-kv.js';

/** Read-modify-write attempts before giving up on a key that keeps changing. */
const ATTEMPTS = 5;

/** The key as etcd holds it now, or undefined. */
async function readKey(conn: EtcdConnection, key: string): Promise<WatchedKV | undefined> {
  const read = await conn.call(`get ${key}`, () => conn.client.kv.range({ key: Buffer.from(key) }));
  const raw = read.kvs[0];
  return raw === undefined ? undefined : toWatchedKV(raw);
}

/** Puts `value` on the key's lease only if the key is still as read (`kv`); the new revision, or undefined. */
async function putIfUnchanged(conn: EtcdConnection, what: string, key: string, kv: WatchedKV, value: string): Promise<number | undefined> {
  const k = Buffer.from(key);
  const response = await conn.call(what, () =>
    conn.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(kv.modRevision) }],
      success: [{ request_put: { key: k, value: Buffer.from(value), lease: kv.lease } }],
    }),
  );
  return response.succeeded ? Number(response.header.revision) : undefined;
}

/** Deletes the key only if it is still at `modRevision`. */
async function deleteIfUnchanged(conn: EtcdConnection, key: string, modRevision: number): Promise<boolean> {
  const k = Buffer.from(key);
  const response = await conn.call(`delete ${key}`, () =>
    conn.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(modRevision) }],
      success: [{ request_delete_range: { key: k } }],
    }),
  );
  return response.succeeded;
}

function keptChanging(key: string): EtcdRequestError {
  return new EtcdRequestError(`${key} kept changing; gave up after ${ATTEMPTS} attempts`, { details: { key } });
}

/**
 * Sets the instance at `key` to `status` on its own lease. Returns the lease id, or 'already' when
 * it had that status. KeyNotFoundError when there is no key; the codec's error for a value that is
 * not a valid instance.
 */
export async function setInstanceStatus(conn: EtcdConnection, layout: KeyLayout, key: string, status: InstanceStatus): Promise<string> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const kv = await readKey(conn, key);
    if (kv === undefined) throw new KeyNotFoundError(`no instance at ${key}`, { details: { key } });
    const decoded = decodeInstance(layout, kv);
    if (!decoded.ok) throw decoded.error;
    if (decoded.instance.status === status) return 'already';
    if ((await putIfUnchanged(conn, `set ${key} ${status}`, key, kv, encodeInstance({ ...decoded.instance, status }))) !== undefined) return kv.lease;
  }
  throw keptChanging(key);
}

export interface Deregistered {
  /** Decimal lease id the key was on ("0": none). */
  readonly lease: string;
  /** False when the value was not a valid instance (deleted without a `leaving` status). */
  readonly valid: boolean;
}

/**
 * Removes the instance at `key` as its own clean stop would: status `leaving` (CAS), then delete
 * (CAS on that write's revision), so catalogs report it `deregistered`. A value that is not a
 * valid instance is deleted as it is. NoInstanceError when there is no key.
 */
export async function deregisterInstance(conn: EtcdConnection, layout: KeyLayout, key: string): Promise<Deregistered> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const kv = await readKey(conn, key);
    if (kv === undefined) {
      const parsed = layout.parse(key);
      throw new NoInstanceError(`no instance at ${key}`, parsed.ok ? { details: { service: parsed.service } } : {});
    }
    const decoded = decodeInstance(layout, kv);
    let deleteAt: number | undefined = kv.modRevision;
    if (decoded.ok && decoded.instance.status !== 'leaving') {
      deleteAt = await putIfUnchanged(conn, `mark ${key} leaving`, key, kv, encodeInstance({ ...decoded.instance, status: 'leaving' }));
      if (deleteAt === undefined) continue;
    }
    if (await deleteIfUnchanged(conn, key, deleteAt)) return { lease: kv.lease, valid: decoded.ok };
  }
  throw keptChanging(key);
}
