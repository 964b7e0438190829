/**
 * Only the cold-sync and memory figures of `npm run bench`, at a size chosen on the command line:
 * for measuring a change to the watch layer, the codec or the catalog without the whole bench.
 * Starts its own throwaway etcd like the full bench, prints the figures as JSON on stdout.
 *
 *   node --expose-gc build/bench/sync-main.js [instances] [services] [page sizes, comma-separated]
 *
 * Defaults: the full bench's 100,000 instances in 1,000 services at pages of 1,000, 5,000, 10,000.
 */
import { EtcdProcess, reapOnSignals } from '../src/dev/index.js';
import { DEFAULT_PAGE_SIZE } from '../src/watch/index.js';
import { benchScale } from './scale.js';
import { benchSync } from './sync-bench.js';

const full = benchScale('full');
const [instances, services, pages] = process.argv.slice(2);
const scale = {
  ...full,
  syncInstances: instances === undefined ? full.syncInstances : Number(instances),
  syncServices: services === undefined ? full.syncServices : Number(services),
  pageSizes: pages === undefined ? full.pageSizes : pages.split(',').map(Number),
};
if (!Number.isInteger(scale.syncInstances / scale.syncServices) || scale.pageSizes.some((p) => !(p > 0))) {
  throw new Error('usage: sync-main.js [instances] [services dividing instances] [page sizes, e.g. 1000,5000]');
}

// A Ctrl-C'd bench leaves no etcd or data dir behind.
reapOnSignals();
const etcd = await EtcdProcess.start({ extraArgs: ['--quota-backend-bytes=4294967296'] });
try {
  const sync = await benchSync(etcd.endpoints[0] as string, scale, DEFAULT_PAGE_SIZE);
  const memory = sync.heapPerInstance;
  const perInstance = { rollcall: memory.rollcall + memory.rollcallExternal, raw: memory.raw + memory.rawExternal };
  const syncRatio = (sync.rollcallMs[String(DEFAULT_PAGE_SIZE)] ?? Number.NaN) / Math.min(...Object.values(sync.rawMs));
  process.stdout.write(
    `${JSON.stringify(
      {
        instances: scale.syncInstances,
        services: scale.syncServices,
        ...sync,
        memoryRatio: Math.round((perInstance.rollcall / perInstance.raw) * 100) / 100,
        coldSyncRatio: Math.round(syncRatio * 100) / 100,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await etcd.stop();
}
