/**
 * Cold sync and memory: syncInstances instances in syncServices services. For each page size,
 * Catalog.open() to resolved next to a bare paged range + parse at the same page size; then the
 * heap (and external memory) each instance costs once synced, for the catalog and for a bare Map
 * of parsed values.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { Catalog } from '../src/index.js';
import { putAll, rawList, servicePairs, wipe } from './etcd-support.js';
import type { BenchScale } from './scale.js';
import { memoryNow, round, sig2 } from './stats.js';

export interface SyncFigures {
  /** page size -> ms for Catalog.open() / the bare listing. */
  readonly rollcallMs: Record<string, number>;
  readonly rawMs: Record<string, number>;
  /** The page size the catalog uses by default, and the memory figures measured with it. */
  readonly defaultPageSize: number;
  readonly heapPerInstance: { rollcall: number; rollcallExternal: number; raw: number; rawExternal: number };
}

const PREFIX = 'bench-sync';

export async function benchSync(endpoint: string, scale: BenchScale, defaultPageSize: number): Promise<SyncFigures> {
  const client = new Etcd3({ hosts: endpoint });
  const rollcallMs: Record<string, number> = {};
  const rawMs: Record<string, number> = {};
  try {
    await wipe(client, PREFIX);
    const perService = scale.syncInstances / scale.syncServices;
    const pairs: [string, string][] = [];
    for (let s = 0; s < scale.syncServices; s += 1) pairs.push(...servicePairs(PREFIX, `svc-${String(s).padStart(4, '0')}`, perService));
    await putAll(client, pairs);
    // Best of two for each: the machine is shared, the minimum is the least disturbed run.
    for (const pageSize of scale.pageSizes) {
      const times = { rollcall: Infinity, raw: Infinity };
      for (let attempt = 0; attempt < 2; attempt += 1) {
        let start = performance.now();
        const catalog = await Catalog.open({ endpoints: [endpoint], prefix: PREFIX, watch: { pageSize }, timeoutMs: 60_000 });
        times.rollcall = Math.min(times.rollcall, performance.now() - start);
        await catalog.close();
        start = performance.now();
        const listed = await rawList(client, PREFIX, pageSize);
        times.raw = Math.min(times.raw, performance.now() - start);
        if (listed !== scale.syncInstances) throw new Error(`bare listing found ${listed} of ${scale.syncInstances} keys`);
      }
      rollcallMs[String(pageSize)] = sig2(times.rollcall);
      rawMs[String(pageSize)] = sig2(times.raw);
    }
    const heapPerInstance = await measureMemory(client, endpoint, scale.syncInstances);
    return { rollcallMs, rawMs, defaultPageSize, heapPerInstance };
  } finally {
    await wipe(client, PREFIX).catch(() => undefined);
    client.close();
  }
}

/**
 * grpc-js holds the last response of a call (a whole page) until its HTTP/2 stream has closed, a
 * moment after the call resolved; each side is measured once that is over, so that neither
 * counts a page of response as its own.
 */
const SETTLE_MS = 250;

async function measureMemory(client: Etcd3, endpoint: string, n: number): Promise<SyncFigures['heapPerInstance']> {
  let before = memoryNow();
  const catalog = await Catalog.open({ endpoints: [endpoint], prefix: PREFIX, timeoutMs: 60_000 });
  await delay(SETTLE_MS);
  let after = memoryNow();
  const rollcall = { heap: (after.heap - before.heap) / n, external: (after.external - before.external) / n };
  if (catalog.services().length === 0) throw new Error('catalog synced nothing');
  await catalog.close();
  before = memoryNow();
  const kept = new Map<string, unknown>();
  await rawList(client, PREFIX, 5_000, kept);
  await delay(SETTLE_MS);
  after = memoryNow();
  const raw = { heap: (after.heap - before.heap) / n, external: (after.external - before.external) / n };
  if (kept.size !== n) throw new Error(`bare map holds ${kept.size} of ${n}`);
  return {
    rollcall: round(rollcall.heap),
    rollcallExternal: round(Math.max(0, rollcall.external)),
    raw: round(raw.heap),
    rawExternal: round(Math.max(0, raw.external)),
  };
}
