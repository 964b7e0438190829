/**
 * The etcd writes of the provider half, each one transaction so that ownership is decided by etcd
 * and never by a read followed by a write:
 *
 * - claim: put the record under our lease if the key does not exist (create_revision == 0) or is
 *   already attached to one of our leases (the current one, or one this registrar held before a
 *   loss that etcd may not have expired yet). Otherwise fail with DuplicateInstanceError naming the
 *   holder's lease. etcd compares are a conjunction, so the OR is a chain of nested transactions.
 * - takeOver (`replace: true`): put unconditionally, whoever held the key.
 * - putIfOwned / deleteIfOwned (leaving, deregister): only while the key is on our current lease,
 *   so an instance that was replaced cannot touch its successor's key.
 *
 * Every call goes through EtcdConnection.call (deadline + typed errors).
 */
import { type IRequestOp, type IResponseOp, type ITxnRequest, type ITxnResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/index.js';
import { DuplicateInstanceError } from '../errors.js';

export class InstanceWriter {
  constructor(private readonly conn: EtcdConnection) {}

  /** Puts `value` under `leaseId` unless another lease holds the key. */
  async claim(key: string, value: string, leaseId: string, owned: readonly string[], signal?: AbortSignal): Promise<void> {
    const k = Buffer.from(key);
    const put: IRequestOp = { request_put: { key: k, value: Buffer.from(value), lease: leaseId } };
    let failure: IRequestOp[] = [{ request_range: { key: k } }];
    const leases = [leaseId, ...owned.filter((id) => id !== leaseId)];
    for (const id of leases.reverse()) {
      failure = [{ request_txn: { compare: [{ key: k, target: 'Lease', result: 'Equal', lease: id }], success: [put], failure } }];
    }
    const request: ITxnRequest = {
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [put],
      failure,
    };
    const response = await this.conn.call(`register ${key}`, () => this.conn.client.kv.txn(request), signal);
    let level: ITxnResponse | undefined = response;
    while (level && !level.succeeded) {
      const first: IResponseOp | undefined = level.responses[0];
      if (first?.response_range) {
        const holder = first.response_range.kvs[0]?.lease ?? '0';
        throw new DuplicateInstanceError(
          `${key} is already registered under lease ${holder}, not ours (${leaseId}); pass replace: true to take it over`,
          { details: { key, holderLease: holder, leaseId } },
        );
      }
      level = first?.response_txn;
    }
  }

  /** Puts unconditionally; returns the lease the key was attached to before ("0" when none or new). */
  async takeOver(key: string, value: string, leaseId: string, signal?: AbortSignal): Promise<string> {
    const response = await this.conn.call(
      `register ${key} (replace)`,
      () => this.conn.client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), lease: leaseId, prev_kv: true }),
      signal,
    );
    return response.prev_kv?.lease ?? '0';
  }

  /** Puts only while the key is attached to `leaseId`. False when it is not (gone or taken over). */
  async putIfOwned(key: string, value: string, leaseId: string, signal?: AbortSignal): Promise<boolean> {
    const k = Buffer.from(key);
    const response = await this.conn.call(
      `put ${key} if on lease ${leaseId}`,
      () =>
        this.conn.client.kv.txn({
          compare: [{ key: k, target: 'Lease', result: 'Equal', lease: leaseId }],
          success: [{ request_put: { key: k, value: Buffer.from(value), lease: leaseId } }],
        }),
      signal,
    );
    return response.succeeded;
  }

  /** Deletes only while the key is attached to `leaseId`. False when it is not. */
  async deleteIfOwned(key: string, leaseId: string, signal?: AbortSignal): Promise<boolean> {
    const k = Buffer.from(key);
    const response = await this.conn.call(
      `delete ${key} if on lease ${leaseId}`,
      () =>
        this.conn.client.kv.txn({
          compare: [{ key: k, target: 'Lease', result: 'Equal', lease: leaseId }],
          success: [{ request_delete_range: { key: k } }],
        }),
      signal,
    );
    return response.succeeded;
  }
}

