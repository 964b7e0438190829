/**
 * The etcd writes of the provider half, each one transaction so that ownership is decided by etcd
 * and never by a read followed by a write:
 *
 * - claim: put the record under our lease if the key does not exist (create_revision == 0) or is
 *   already attached to one of our leases (the current one, or one this registrar held before a
 *   loss that etcd may not have expired yet). Otherwise fail with DuplicateInstanceError naming the
 *   holder's lease. etcd compares are a conjunction, so the OR is a chain of nested transactions.
 *   With `mayCreate: false` (an update of a registered key) a key that is gone is not created
 *   again: it fails with KeyNotFoundError, because someone removed it (or its lease expired) and
 *   the ownership guard decides what that means.
 * - takeOver (`replace: true`): put unconditionally, whoever held the key.
 * - putIfOwned / deleteIfOwned (leaving, deregister): only while the key is on our current lease,
 *   so an instance that was replaced cannot touch its successor's key.
 *
 * Every call goes through EtcdConnection.call (deadline + typed errors).
 */
import { type IRequestOp, type IResponseOp, type ITxnRequest, type ITxnResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/index.js';
import { leaseHex } from '../etcd/lease-id.js';
import { DuplicateInstanceError, KeyNotFoundError } from '../errors.js';

/** A committed write: the revision etcd gave it and the lease the key is now on. */
export interface WriteResult {
  readonly revision: number;
  readonly leaseId: string;
}

export class InstanceWriter {
  constructor(private readonly conn: EtcdConnection) {}

  /** Puts `value` under `leaseId` unless another lease holds the key (or, without `mayCreate`, it is gone). */
  async claim(key: string, value: string, leaseId: string, owned: readonly string[], options: { mayCreate?: boolean; signal?: AbortSignal } = {}): Promise<WriteResult> {
    const k = Buffer.from(key);
    const put: IRequestOp = { request_put: { key: k, value: Buffer.from(value), lease: leaseId } };
    let failure: IRequestOp[] = [{ request_range: { key: k } }];
    const leases = [leaseId, ...owned.filter((id) => id !== leaseId)];
    for (const id of [...leases].reverse()) {
      failure = [{ request_txn: { compare: [{ key: k, target: 'Lease', result: 'Equal', lease: id }], success: [put], failure } }];
    }
    const request: ITxnRequest =
      options.mayCreate === false
        ? (failure[0]?.request_txn as ITxnRequest)
        : { compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }], success: [put], failure };
    const response = await this.conn.call(`register ${key}`, () => this.conn.client.kv.txn(request), options.signal);
    let level: ITxnResponse | undefined = response;
    while (level && !level.succeeded) {
      const first: IResponseOp | undefined = level.responses[0];
      if (first?.response_range) {
        const holder = first.response_range.kvs[0];
        if (holder === undefined) {
          throw new KeyNotFoundError(`${key} is no longer in etcd (removed by someone else, or its lease expired); not creating it again`, {
            details: { key, leaseId },
          });
        }
        throw new DuplicateInstanceError(
          `${key} is already registered under lease ${leaseHex(holder.lease)}, not ours (${leaseHex(leaseId)}); pass replace: true (CLI: --replace) to take it over`,
          { details: { key, holderLease: holder.lease, leaseId } },
        );
      }
      level = first?.response_txn;
    }
    return { revision: Number(response.header.revision), leaseId };
  }

  /** Puts unconditionally, whoever held the key. */
  async takeOver(key: string, value: string, leaseId: string, signal?: AbortSignal): Promise<WriteResult> {
    const response = await this.conn.call(
      `register ${key} (replace)`,
      () => this.conn.client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), lease: leaseId }),
      signal,
    );
    return { revision: Number(response.header.revision), leaseId };
  }

  /** Puts only while the key is attached to `leaseId`. False when it is not (gone or taken over). */
  async putIfOwned(key: string, value: string, leaseId: string, signal?: AbortSignal): Promise<boolean> {
    const k = Buffer.from(key);
    const response = await this.conn.call(
      `put ${key} if on lease ${leaseHex(leaseId)}`,
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
      `delete ${key} if on lease ${leaseHex(leaseId)}`,
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

