/**
 * EtcdStore's key operations, one etcd request each (two for a put with `ttl`: grant, then put),
 * every one through `conn.call` (deadline, typed errors). Keys given here are already validated
 * and relative to the namespace; this module adds the namespace and strips it from answers.
 *
 * Compare-and-swap is one Txn: compare `mod_revision == previous.modRevision` (or
 * `create_revision == 0` for create-only), then Put or DeleteRange; the else branch reads the key
 * in the same transaction, so the error says exactly why the compare failed (exists, modified, gone)
 * as of that revision.
 */
import type { ICompare, IRequestOp, ITxnResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { CompactedError } from '../errors.js';
import { isLeaseNotFound } from '../etcd/translate-error.js';
import { grantLease, revokeLease } from '../etcd/lease-calls.js';
import { prefixEnd, type KeyRange } from '../watch/key-range.js';
import { listRange } from '../watch/list-range.js';
import { fromRaw, fromWatched, written } from './etcd-convert.js';
import type { KVPair } from './kv-pair.js';
import { compareFailed, unknownLease } from './write-errors.js';

/** `Compare.result` EQUAL and `Compare.target` CREATE / MOD, as etcd's rpc.proto numbers them. */
const EQUAL = 0;
const TARGET_CREATE = 1;
const TARGET_MOD = 2;
/** A listing whose pinned revision is compacted between pages starts over, this many times. */
const LIST_ATTEMPTS = 3;

export class EtcdKv {
  constructor(
    private readonly conn: EtcdConnection,
    private readonly namespace: string,
  ) {}

  /** The full etcd key of a key relative to the namespace. */
  full(key: string): Buffer {
    return Buffer.from(this.namespace + key);
  }

  /** The etcd range of every key under `prefix` (relative); `''` with no namespace is every key. */
  range(prefix: string): KeyRange {
    const key = this.full(prefix);
    if (key.length === 0) return { key: Buffer.from([0]), rangeEnd: Buffer.from([0]), description: 'every key' };
    const end = prefixEnd(key);
    return { key, rangeEnd: end, description: `prefix ${this.namespace + prefix}` };
  }

  async get(key: string, signal?: AbortSignal): Promise<KVPair | null> {
    const response = await this.conn.call(
      `get ${this.namespace + key}`,
      () => this.conn.client.kv.range({ key: this.full(key) }),
      signal,
    );
    const raw = response.kvs[0];
    return raw ? fromRaw(raw, this.namespace) : null;
  }

  /** Put (with `expected`: compare-and-swap). `lease` is a decimal id or "0". */
  async put(key: string, value: Uint8Array, lease: string, expected?: number | null, signal?: AbortSignal): Promise<KVPair> {
    const request: IRequestOp = {
      request_put: { key: this.full(key), value: Buffer.from(value), lease, prev_kv: true },
    };
    const operation = `${expected === undefined ? 'put' : 'atomicPut'} ${this.namespace + key}`;
    try {
      if (expected === undefined) {
        const response = await this.conn.call(operation, () => this.conn.client.kv.put(request.request_put ?? {}), signal);
        return written(key, value, lease, response.header, response.prev_kv);
      }
      const response = await this.#cas(operation, key, expected, request, signal);
      const put = response.responses[0]?.response_put;
      return written(key, value, lease, response.header, put?.prev_kv);
    } catch (error) {
      if (lease !== '0' && isLeaseNotFound(error)) {
        throw unknownLease(key, lease, error);
      }
      throw error;
    }
  }

  async delete(key: string, signal?: AbortSignal): Promise<boolean> {
    const response = await this.conn.call(
      `delete ${this.namespace + key}`,
      () => this.conn.client.kv.deleteRange({ key: this.full(key) }),
      signal,
    );
    return Number(response.deleted) > 0;
  }

  async atomicDelete(key: string, expected: number, signal?: AbortSignal): Promise<void> {
    const op: IRequestOp = { request_delete_range: { key: this.full(key) } };
    await this.#cas(`atomicDelete ${this.namespace + key}`, key, expected, op, signal);
  }

  /** Every key under `prefix`, sorted by key, read at one revision (paged, pinned). `limit` > 0: the first ones, one read. */
  async list(prefix: string, limit: number, signal?: AbortSignal): Promise<KVPair[]> {
    const range = this.range(prefix);
    if (limit > 0) {
      const response = await this.conn.call(
        `list ${range.description}`,
        () => this.conn.client.kv.range({ key: range.key, range_end: range.rangeEnd, limit }),
        signal,
      );
      return response.kvs.map((raw) => fromRaw(raw, this.namespace));
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        const listing = await listRange(this.conn, range, signal ? { signal } : {});
        return listing.kvs.map((kv) => fromWatched(kv, this.namespace));
      } catch (error) {
        // The pinned revision was compacted between two pages: a fresh listing is still one snapshot.
        if (!(error instanceof CompactedError) || attempt >= LIST_ATTEMPTS) throw error;
      }
    }
  }

  /** Deletes every key under `prefix` in one revision; returns how many. */
  async deleteTree(prefix: string, signal?: AbortSignal): Promise<number> {
    const range = this.range(prefix);
    const response = await this.conn.call(
      `deleteTree ${range.description}`,
      () => this.conn.client.kv.deleteRange({ key: range.key, range_end: range.rangeEnd }),
      signal,
    );
    return Number(response.deleted);
  }

  /** Grants a lease of `ttl` seconds that nobody keeps alive (put with `ttl`). */
  async grantTtlLease(ttl: number): Promise<string> {
    return (await grantLease(this.conn, ttl)).leaseId;
  }

  /** Revokes a lease granted for a put that then failed; errors are swallowed (it expires anyway). */
  async dropLease(lease: string): Promise<void> {
    await revokeLease(this.conn, lease).catch(() => undefined);
  }

  /** One Txn: compare, then `op`; else read the key and throw the matching error. */
  async #cas(operation: string, key: string, expected: number | null, op: IRequestOp, signal: AbortSignal | undefined): Promise<ITxnResponse> {
    const full = this.full(key);
    const compare: ICompare =
      expected === null
        ? { key: full, target: TARGET_CREATE, result: EQUAL, create_revision: 0 }
        : { key: full, target: TARGET_MOD, result: EQUAL, mod_revision: expected };
    const response = await this.conn.call(
      operation,
      () => this.conn.client.kv.txn({ compare: [compare], success: [op], failure: [{ request_range: { key: full } }] }),
      signal,
    );
    if (response.succeeded) return response;
    const current = response.responses[0]?.response_range?.kvs[0];
    throw compareFailed(key, expected, current ? Number(current.mod_revision) : undefined);
  }
}

