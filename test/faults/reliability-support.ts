/**
 * Shared by the reliability-*.test.ts scenarios: a fleet of registrars, catalogs recorded for the
 * history check, and the two checks every scenario ends with — every catalog equal to etcd's
 * actual keys, and every catalog's emitted changes explained by etcd's revision history (by each
 * cluster's history in turn when the cluster was replaced).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Etcd3 } from 'etcd3';
import type { EtcdCluster } from '../../src/dev/index.js';
import type { Catalog, CatalogOptions } from '../../src/discovery/index.js';
import type { Registrar } from '../../src/registration/index.js';
import { openCatalog, record, truthOf, viewOf, type Recorder } from '../helpers/catalog.js';
import { eventually } from '../helpers/etcd.js';
import type { EmittedChange } from '../helpers/history-checker.js';
import type { EpochHistory } from '../helpers/history-epochs.js';
import { checkCatalogsAgainstHistory, recordCatalog, type HistoryRecorder } from '../helpers/history-recorder.js';
import { registrar } from '../fixtures/registration-support.js';

/** `member`'s endpoint first, then the others: a client starts on `member`. */
export function endpointsFrom(cluster: EtcdCluster, member: number): string[] {
  return [cluster.member(member).clientUrl, ...cluster.endpointsExcept(member)];
}

export interface Fleet {
  readonly registrars: Registrar[];
  /** Lease id of each registrar once registered. */
  readonly leases: string[];
  /** `service/id` of every instance registered. */
  readonly instances: string[];
  /** Every `lost` event, as `registrar i: message`. */
  readonly lost: string[];
}

/** `count` registrars on `endpoints`, each registering `perRegistrar` instances of `service`. */
export async function startFleet(
  t: TestContext,
  endpoints: string[],
  options: { prefix: string; ttl: number; count: number; perRegistrar: number; service?: string },
): Promise<Fleet> {
  const service = options.service ?? 'svc';
  const fleet: Fleet = { registrars: [], leases: [], instances: [], lost: [] };
  for (let i = 0; i < options.count; i += 1) {
    const r = registrar(t, endpoints, { ttl: options.ttl, timeoutMs: 2000, prefix: options.prefix });
    r.on('lost', (error) => fleet.lost.push(`registrar ${i}: ${error.message}`));
    fleet.registrars.push(r);
  }
  await Promise.all(
    fleet.registrars.map(async (r, i) => {
      for (let j = 0; j < options.perRegistrar; j += 1) {
        await r.register({ service, id: `r${i}-${j}`, address: `10.0.${i}.${j}:80` });
        fleet.instances.push(`${service}/r${i}-${j}`);
      }
    }),
  );
  fleet.leases.push(...fleet.registrars.map((r) => r.leaseId as string));
  fleet.instances.sort();
  return fleet;
}

export interface Watched {
  readonly catalog: Catalog;
  /** Log and events (see test/helpers/catalog.ts). */
  readonly log: Recorder;
  /** Changes with revisions, for the history check. */
  readonly changes: EmittedChange[];
}

/**
 * Opens a recorded catalog. Open it before anything is registered: changes emitted by open()
 * itself are not recorded, so the record must start from an empty prefix.
 */
export async function watchCatalog(t: TestContext, options: CatalogOptions, how: { log?: boolean } = {}): Promise<Watched> {
  const catalog = await openCatalog(t, options);
  assert.deepEqual(catalog.services({ includeLost: true }), [], 'a recorded catalog opens on an empty prefix');
  // Without the log (which keeps every change object) only the compact history record grows,
  // so a heap measurement sees mostly the catalog itself.
  const log: Recorder = how.log === false ? { log: [], changes: [], warnings: [], stale: [], synced: [], since: () => [] } : record(catalog);
  return { catalog, log, changes: recordCatalog(catalog) };
}

/** Every catalog ends equal to etcd's valid instances under `prefix` (bounded wait); returns ms it took. */
export async function assertConverged(client: Etcd3, prefix: string, watched: readonly Watched[], timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  await eventually(
    async () => {
      const truth = await truthOf(client, prefix);
      for (const [i, w] of watched.entries()) assert.deepEqual(viewOf(w.catalog), truth, `catalog ${i} equals etcd's keys`);
    },
    { timeoutMs, intervalMs: 100 },
  );
  return Date.now() - started;
}

/** Every live instance of the fleet is still in etcd (none lost), and no registrar declared a loss. */
export async function assertNothingLost(client: Etcd3, prefix: string, fleet: Fleet): Promise<void> {
  assert.deepEqual(fleet.lost, [], 'no registrar declared its lease lost');
  const truth = await truthOf(client, prefix);
  const missing = fleet.instances.filter((i) => !truth.has(i));
  assert.deepEqual(missing, [], 'every registered instance is still in etcd');
}

/** The history check of every catalog (see test/helpers/history-checker.ts). */
export async function assertHistoryExplains(
  t: TestContext,
  client: Etcd3,
  prefix: string,
  watched: readonly Watched[],
  recorder?: HistoryRecorder,
): Promise<void> {
  const problems = await checkCatalogsAgainstHistory(
    t,
    client,
    prefix,
    watched.map((w) => w.changes),
    recorder,
  );
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} catalog change(s) not explained by etcd's history`);
}

/** The history check across clusters replaced on the same ports, one epoch each (see test/helpers/history-epochs.ts). */
export async function assertEpochsExplain(t: TestContext, epochs: EpochHistory): Promise<void> {
  const problems = await epochs.check(t);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} catalog change(s) not explained by the clusters' histories`);
}

/** Removals a catalog reported, as `removed service/id reason`. */
export function removals(w: Watched): string[] {
  return w.log.log.filter((line) => line.startsWith('removed '));
}

/** Heap used after a full GC (node started without --expose-gc: turned on here). */
export async function heapAfterGc(): Promise<number> {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
