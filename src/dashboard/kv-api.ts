/**
 * The keys view's API: `/api/kv?prefix=` lists keys with their values (as JSON, text or hex),
 * lease, TTL left, revisions and version; the write routes put (with a TTL), delete a key,
 * delete a prefix (the request must repeat the prefix as confirmation) and drain/undrain an
 * instance. Every write goes straight to etcd; the dashboard keeps no state of its own.
 */
import type { IKeyValue } from 'etcd3';
import { setInstanceStatus as writeInstanceStatus } from '../registration/operator-writes.js';
import { KeyLayout, type InstanceStatus } from '../codec/index.js';
import { leaseHex, type EtcdConnection } from '../etcd/index.js';
import { prefixEnd } from '../watch/index.js';
import { HttpError, stringField } from './http-util.js';
import { leaseTtls } from './services-api.js';

/** At most this many keys per listing: the view is for looking, not for dumping a keyspace. */
export const KV_LIST_LIMIT = 500;
const fatal = new TextDecoder('utf-8', { fatal: true });

export interface KeyRow {
  readonly key: string;
  /** `json` (valid JSON text), `text` (valid UTF-8), or `binary`. */
  readonly kind: 'json' | 'text' | 'binary';
  /** The value as text (binary: empty). */
  readonly text: string;
  readonly hex: string;
  readonly size: number;
  /** Lease id in hex, '' when none. */
  readonly lease: string;
  readonly ttlLeft: number | null;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

export async function listKeys(conn: EtcdConnection, prefix: string): Promise<{ prefix: string; revision: number; more: boolean; keys: KeyRow[] }> {
  const key = Buffer.from(prefix);
  const rangeEnd = prefix === '' ? Buffer.from([0]) : prefixEnd(key);
  const answer = await conn.call(`list ${prefix}`, () =>
    conn.client.kv.range({ key: prefix === '' ? Buffer.from([0]) : key, range_end: rangeEnd, limit: KV_LIST_LIMIT }),
  );
  const ttls = await leaseTtls(conn, answer.kvs.map((kv) => kv.lease));
  return {
    prefix,
    revision: Number(answer.header.revision),
    more: answer.more,
    keys: answer.kvs.map((kv) => keyRow(kv, ttls)),
  };
}

function keyRow(kv: IKeyValue, ttls: ReadonlyMap<string, number>): KeyRow {
  const value = kv.value;
  let text = '';
  let kind: KeyRow['kind'] = 'binary';
  try {
    text = fatal.decode(value);
    kind = 'text';
    if (text.trim() !== '') {
      JSON.parse(text);
      kind = 'json';
    }
  } catch {
    // Not UTF-8 (binary) or not JSON (text): `kind` already says which.
  }
  return {
    key: kv.key.toString('utf8'),
    kind,
    text,
    hex: value.toString('hex'),
    size: value.length,
    lease: kv.lease === '0' ? '' : leaseHex(kv.lease),
    ttlLeft: ttls.get(kv.lease) ?? null,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  };
}

/** `{ key, value, ttl? }`: puts `value` (text), on a new lease of `ttl` seconds when given. */
export async function putKey(conn: EtcdConnection, body: Record<string, unknown>): Promise<{ key: string; revision: number; lease: string }> {
  const key = stringField(body, 'key') as string;
  const value = stringField(body, 'value') as string;
  if (key === '') throw new HttpError(400, 'key is empty');
  const ttl = body['ttl'];
  if (ttl !== undefined && ttl !== null && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1)) throw new HttpError(400, '"ttl" must be a whole number of seconds, at least 1');
  let lease = '0';
  if (typeof ttl === 'number') {
    const grant = await conn.call(`grant ${ttl} s lease`, () => conn.client.leaseClient.leaseGrant({ TTL: ttl, ID: 0 }));
    lease = grant.ID;
  }
  const answer = await conn.call(`put ${key}`, () => conn.client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), lease }));
  return { key, revision: Number(answer.header.revision), lease: lease === '0' ? '' : leaseHex(lease) };
}

export async function deleteKey(conn: EtcdConnection, key: string): Promise<{ deleted: number }> {
  if (key === '') throw new HttpError(400, 'key is empty');
  const answer = await conn.call(`delete ${key}`, () => conn.client.kv.deleteRange({ key: Buffer.from(key) }));
  return { deleted: Number(answer.deleted) };
}

/** Deletes every key under `prefix`; `confirm` must equal it, so no stray request wipes a tree. */
export async function deletePrefix(conn: EtcdConnection, prefix: string, confirm: string | null): Promise<{ deleted: number }> {
  if (prefix === '') throw new HttpError(400, 'refusing to delete the whole keyspace: give a non-empty prefix');
  if (confirm !== prefix) throw new HttpError(400, 'confirm the prefix delete: send confirm equal to the prefix');
  const key = Buffer.from(prefix);
  const answer = await conn.call(`delete prefix ${prefix}`, () => conn.client.kv.deleteRange({ key, range_end: prefixEnd(key) }));
  return { deleted: Number(answer.deleted) };
}

/** Drains (or undrains) the instance `service/id` under `prefix`, keeping its lease. */
export async function setInstanceStatus(conn: EtcdConnection, prefix: string, service: string, id: string, status: InstanceStatus): Promise<{ key: string; status: InstanceStatus; changed: boolean }> {
  const layout = new KeyLayout(prefix);
  const key = layout.instanceKey(service, id);
  const result = await writeInstanceStatus(conn, layout, key, status);
  return { key, status, changed: result !== 'already' };
}
