/**
 * A one-shot, codec-checked read of the instances under the prefix (or one service), at one
 * etcd revision: what `services`, `instances`, `pick` and `drain` show. No watch is started.
 * Values the codec rejects come back in `invalid`, for the command to report and skip.
 */
import { decodeInstance, KeyLayout, type Instance, type InstanceStatus } from '../codec/index.js';
import { EtcdConnection, type ConnectionOptions } from '../etcd/index.js';
import type { MalformedValueError } from '../errors.js';
import { listRange, prefixRange } from '../watch/index.js';

export interface InstanceListing {
  readonly revision: number;
  /** Valid instances, sorted by service, then id. */
  readonly instances: readonly Instance[];
  readonly invalid: readonly MalformedValueError[];
}

export async function listInstances(conn: EtcdConnection, layout: KeyLayout, service?: string): Promise<InstanceListing> {
  const range = prefixRange(service === undefined ? layout.root : layout.servicePrefix(service));
  const listing = await listRange(conn, range);
  const instances: Instance[] = [];
  const invalid: MalformedValueError[] = [];
  for (const kv of listing.kvs) {
    const decoded = decodeInstance(layout, kv);
    if (decoded.ok) instances.push(decoded.instance);
    else invalid.push(decoded.error);
  }
  instances.sort((a, b) => (a.service === b.service ? compare(a.id, b.id) : compare(a.service, b.service)));
  return { revision: listing.revision, instances, invalid };
}

/** What `instances --status/--zone/--tag` keep: every given criterion must hold (all tags present). */
export interface InstanceFilter {
  readonly status?: InstanceStatus;
  readonly zone?: string;
  readonly tags?: readonly string[];
}

export function matchesFilter(instance: Instance, filter: InstanceFilter): boolean {
  if (filter.status !== undefined && instance.status !== filter.status) return false;
  if (filter.zone !== undefined && instance.zone !== filter.zone) return false;
  return (filter.tags ?? []).every((tag) => instance.tags.includes(tag));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Opens a connection, runs `use`, always closes it. */
export async function withConnection<T>(options: ConnectionOptions, use: (conn: EtcdConnection) => Promise<T>): Promise<T> {
  const conn = EtcdConnection.create(options);
  try {
    return await use(conn);
  } finally {
    conn.close();
  }
}
