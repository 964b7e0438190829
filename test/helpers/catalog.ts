/**
 * Catalog test helpers: open a catalog that is closed when the test ends (with fast retry and
 * liveness settings), record what it reports, write instances the way a registrar would (raw
 * etcd3 puts of the codec's value, optionally on a lease), run the real `etcdctl`, and read
 * etcd's own view of a prefix to compare against.
 */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { Etcd3 } from 'etcd3';
import { decodeInstance, encodeInstance, KeyLayout, type InstanceStatus } from '../../src/codec/index.js';
import { Catalog, type CatalogChange, type CatalogOptions, type StaleInfo, type SyncedInfo } from '../../src/discovery/index.js';
import type { RollcallError } from '../../src/errors.js';
import { toWatchedKV } from '../../src/watch/index.js';
import { waitFor } from './etcd.js';

/** Fast settings for tests: short deadlines, quick reconnects, a quick liveness probe. */
export const FAST: CatalogOptions = {
  timeoutMs: 2000,
  staleIntervalMs: 200,
  cacheWriteDelayMs: 20,
  watch: { livenessMs: 500, backoff: { baseMs: 50, maxMs: 300 } },
};

export interface Recorder {
  /** Every change as `type service/id` (+ ` reason` for removed), in order. */
  readonly log: string[];
  readonly changes: CatalogChange[];
  readonly warnings: RollcallError[];
  readonly stale: StaleInfo[];
  readonly synced: SyncedInfo[];
  /** Log entries from index `from` on. */
  since(from: number): string[];
}

export function record(catalog: Catalog): Recorder {
  const log: string[] = [];
  const changes: CatalogChange[] = [];
  const warnings: RollcallError[] = [];
  const stale: StaleInfo[] = [];
  const synced: SyncedInfo[] = [];
  const push = (change: CatalogChange): void => {
    changes.push(change);
    log.push(describeChange(change));
  };
  catalog.on('added', push);
  catalog.on('updated', push);
  catalog.on('removed', push);
  catalog.on('recovered', push);
  catalog.on('warning', (w) => warnings.push(w));
  catalog.on('stale', (s) => stale.push(s));
  catalog.on('synced', (s) => synced.push(s));
  return { log, changes, warnings, stale, synced, since: (from) => log.slice(from) };
}

export function describeChange(change: CatalogChange): string {
  switch (change.type) {
    case 'added':
      return `added ${change.service}/${change.instance.id}`;
    case 'removed':
      return `removed ${change.service}/${change.instance.id} ${change.reason}`;
    default:
      return `${change.type} ${change.service}/${change.current.id}`;
  }
}

/** Opens a catalog with FAST settings (overridable), closed when `t` ends. */
export async function openCatalog(t: TestContext, options: CatalogOptions): Promise<Catalog> {
  const catalog = await Catalog.open({ ...FAST, ...options });
  t.after(() => catalog.close());
  return catalog;
}

export interface InstanceSpec {
  status?: InstanceStatus;
  weight?: number;
  address?: string;
  zone?: string;
  /** Lease id to attach the key to. */
  lease?: string;
}

/** Writes an instance record the way a registrar does. Returns the key. */
export async function putInstance(client: Etcd3, prefix: string, service: string, id: string, spec: InstanceSpec = {}): Promise<string> {
  const key = new KeyLayout(prefix).instanceKey(service, id);
  const value = encodeInstance({
    service,
    id,
    address: spec.address ?? `10.1.0.${(id.length % 250) + 1}:8080`,
    status: spec.status ?? 'up',
    weight: spec.weight ?? 1,
    tags: [],
    meta: {},
    ...(spec.zone === undefined ? {} : { zone: spec.zone }),
  });
  const put = client.put(key).value(value);
  await (spec.lease === undefined ? put : put.lease(spec.lease));
  return key;
}

/** Grants a lease with no keepalive; returns its id. */
export async function grantLease(client: Etcd3, ttlSeconds: number): Promise<string> {
  const granted = await client.leaseClient.leaseGrant({ TTL: ttlSeconds });
  return String(granted.ID);
}

export async function revokeLease(client: Etcd3, id: string): Promise<void> {
  await client.leaseClient.leaseRevoke({ ID: id });
}

/** etcd's own view of `prefix`: `service/id -> address status` for every valid instance. */
export async function truthOf(client: Etcd3, prefix: string): Promise<Map<string, string>> {
  const layout = new KeyLayout(prefix);
  const response = await client.kv.range({ key: Buffer.from(layout.root), range_end: Buffer.from(`${layout.prefix}0`) });
  const out = new Map<string, string>();
  for (const raw of response.kvs) {
    const decoded = decodeInstance(layout, toWatchedKV(raw));
    if (decoded.ok) out.set(`${decoded.instance.service}/${decoded.instance.id}`, `${decoded.instance.address} ${decoded.instance.status}`);
  }
  return out;
}

/** The catalog's live view in the same form as truthOf(). */
export function viewOf(catalog: Catalog): Map<string, string> {
  const out = new Map<string, string>();
  for (const service of catalog.services()) {
    for (const i of catalog.instances(service)) out.set(`${service}/${i.id}`, `${i.address} ${i.status}`);
  }
  return out;
}

/**
 * Runs the real `etcdctl` with `args` against `endpoint` and resolves with its stdout; rejects on a
 * non-zero exit. The process is killed by pid if it is still running when the test ends.
 */
export async function etcdctl(t: TestContext, endpoint: string, ...args: string[]): Promise<string> {
  const child = spawn('etcdctl', [`--endpoints=${endpoint}`, '--command-timeout=5s', ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  t.after(() => {
    if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      exited = true;
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`etcdctl ${args.join(' ')} exited with ${String(code)}: ${stderr}`);
  return stdout;
}

/** Waits until the recorder's log contains every entry of `expected` (from index `from`). */
export async function waitForLog(recorder: Recorder, expected: readonly string[], from = 0, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => expected.every((e) => recorder.since(from).includes(e)), {
    timeoutMs,
    message: `catalog events ${JSON.stringify(expected)} (seen ${JSON.stringify(recorder.since(from))})`,
  });
}
