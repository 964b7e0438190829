/**
 * `npm run bench`: starts a throwaway etcd (tmpfs data dir, free loopback ports) with the dev
 * harness, measures every figure of issue 15 for rollcall and for a bare etcd3 consumer in the
 * same run, and writes benchmarks.json, benchmarks.md and the SVG charts it embeds.
 *
 * Environment: BENCH_SCALE=full|tiny (default full), BENCH_OUT=<dir> (default docs/ of the repo).
 * Run with --expose-gc (the npm script does) so memory figures are taken after a full GC.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { EtcdProcess, findEtcd, reapOnSignals } from '../src/dev/index.js';
import { DEFAULT_PAGE_SIZE } from '../src/watch/index.js';
import { benchEvents } from './catalog-bench.js';
import { benchPickers } from './pickers-bench.js';
import { benchPropagation } from './propagation-bench.js';
import { renderReport } from './report.js';
import { judgeGoals, type BenchResults } from './results.js';
import { benchScale } from './scale.js';
import { machineInfo, round } from './stats.js';
import { benchSync } from './sync-bench.js';

const started = performance.now();
const scale = benchScale();
const here = dirname(fileURLToPath(import.meta.url));
// build/bench/main.js -> the repository root is two levels up.
const outDir = resolve(process.env['BENCH_OUT'] ?? join(here, '..', '..', 'docs'));
const log = (text: string): void => {
  process.stderr.write(`bench: ${text} (${round((performance.now() - started) / 1000, 1)} s)\n`);
};

// A Ctrl-C'd bench leaves no etcd or data dir behind.
reapOnSignals();
const etcd = await EtcdProcess.start({ extraArgs: ['--quota-backend-bytes=4294967296'] });
let results: BenchResults;
try {
  const endpoint = etcd.endpoints[0] as string;
  const machine = machineInfo(findEtcd());
  log(`scale ${scale.name}, etcd at ${endpoint}, load ${machine.loadAverage.join(' ')}`);
  const pickers = benchPickers(scale);
  log('pickers done');
  const events = await benchEvents(endpoint, scale, ['raw', 'rollcall', 'rollcall+picker']);
  log('events done');
  const sync = await benchSync(endpoint, scale, DEFAULT_PAGE_SIZE);
  log('cold sync and memory done');
  const propagation = await benchPropagation(endpoint, scale);
  log('propagation, keepalives and crashes done');
  const figures: BenchResults['figures'] = {
    burstEventsPerSecond: events.burstEventsPerSecond,
    backlogEventsPerSecond: events.backlogEventsPerSecond,
    burstLagMs: events.burstLagMs,
    singleEventCpuUs: events.singleEventCpuUs,
    coldSyncMs: { rollcall: sync.rollcallMs, raw: sync.rawMs, defaultPageSize: sync.defaultPageSize },
    heapPerInstance: sync.heapPerInstance,
    registerToAddedMs: propagation.registerToAddedMs,
    picksPerSecond: pickers.picksPerSecond,
    pickerUpdateMs: pickers.updateMs,
    hashMovedShare: pickers.hashMoved,
    keepalivePerSecond: propagation.keepalivePerSecond,
    crashToRemovedMs: propagation.crashToRemovedMs,
  };
  results = {
    scale: scale.name,
    machine,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    durationS: round((performance.now() - started) / 1000, 1),
    figures,
    goals: judgeGoals(figures),
  };
} finally {
  await etcd.stop();
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
for (const [name, text] of renderReport(results)) writeFileSync(join(outDir, name), text);
log(`wrote ${outDir}/benchmarks.md and benchmarks.json`);
