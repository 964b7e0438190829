/** Renders docs/benchmarks.md and its SVG charts from the bench's results. */
import { barChart, type Bar } from './charts.js';
import { PROFILE_NOTES } from './profile-notes.js';
import type { BenchResults } from './results.js';

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 1e5 ? v.toExponential(1) : String(v));
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !Number.isFinite(a / b) ? '—' : (Math.round((a / b) * 100) / 100).toFixed(2);

function charts(r: BenchResults): Map<string, string> {
  const f = r.figures;
  const out = new Map<string, string>();
  const kinds = Object.keys(f.burstEventsPerSecond);
  const bars = (values: Record<string, number>, suffix = ''): Bar[] =>
    kinds.map((k) => ({ label: `${k}${suffix}`, value: values[k] ?? Number.NaN, kind: k === 'raw' ? 'raw' : 'rollcall' }));
  out.set('benchmarks-events.svg', barChart('Events applied per second', 'events/s', [...bars(f.burstEventsPerSecond, ', live bursts'), ...bars(f.backlogEventsPerSecond, ', backlog')]));
  out.set('benchmarks-event-cost.svg', barChart('CPU per event, one event per batch, large service', 'µs', bars(f.singleEventCpuUs)));
  const pages = Object.keys(f.coldSyncMs.rollcall);
  out.set(
    'benchmarks-sync.svg',
    barChart('Cold sync', 'ms', pages.flatMap((p): Bar[] => [
      { label: `rollcall, page ${p}`, value: f.coldSyncMs.rollcall[p] ?? NaN, kind: 'rollcall' },
      { label: `raw, page ${p}`, value: f.coldSyncMs.raw[p] ?? NaN, kind: 'raw' },
    ])),
  );
  const m = f.heapPerInstance;
  out.set(
    'benchmarks-memory.svg',
    barChart('Memory per instance after sync', 'bytes', [
      { label: 'rollcall heap', value: m.rollcall, kind: 'rollcall' },
      { label: 'rollcall external', value: m.rollcallExternal, kind: 'rollcall' },
      { label: 'raw heap', value: m.raw, kind: 'raw' },
      { label: 'raw external', value: m.rawExternal, kind: 'raw' },
    ]),
  );
  out.set(
    'benchmarks-propagation.svg',
    barChart('register() → added in another process', 'ms', Object.entries(f.registerToAddedMs).flatMap(([k, s]): Bar[] =>
      (['p50', 'p90', 'p99'] as const).map((q) => ({ label: `${k} ${q}`, value: s[q], kind: k === 'raw' ? 'raw' : 'rollcall' })),
    )),
  );
  out.set(
    'benchmarks-pickers.svg',
    barChart('Picks per second', 'picks/s', Object.entries(f.picksPerSecond).flatMap(([size, rates]): Bar[] =>
      Object.entries(rates).map(([s, v]) => ({ label: `${s} @ ${size}`, value: v, kind: s === 'map-walk' ? 'raw' : 'rollcall' })),
    ), true),
  );
  return out;
}

function markdown(r: BenchResults, svgs: readonly string[]): string {
  const f = r.figures;
  const m = r.machine;
  const sizes = Object.keys(f.picksPerSecond);
  const big = sizes[sizes.length - 1] ?? '';
  const small = sizes[0] ?? '';
  const p = f.picksPerSecond;
  const prop = f.registerToAddedMs;
  const page = String(f.coldSyncMs.defaultPageSize);
  const rawBestSync = Math.min(...Object.values(f.coldSyncMs.raw));
  const mem = f.heapPerInstance;
  const rows: [string, string, string, string][] = [
    ['events applied/s, live bursts (rollcall / with a picker)', `${fmt(f.burstEventsPerSecond['rollcall'])} / ${fmt(f.burstEventsPerSecond['rollcall+picker'])}`, fmt(f.burstEventsPerSecond['raw']), ratio(f.burstEventsPerSecond['rollcall'], f.burstEventsPerSecond['raw'])],
    ['events/s draining a backlog (rollcall / with a picker)', `${fmt(f.backlogEventsPerSecond['rollcall'])} / ${fmt(f.backlogEventsPerSecond['rollcall+picker'])}`, fmt(f.backlogEventsPerSecond['raw']), ratio(f.backlogEventsPerSecond['rollcall'], f.backlogEventsPerSecond['raw'])],
    ['lag behind the writer\'s last ack, ms', `${fmt(f.burstLagMs['rollcall'])} / ${fmt(f.burstLagMs['rollcall+picker'])}`, fmt(f.burstLagMs['raw']), '—'],
    ['CPU per event, one event per batch, µs (rollcall / with a picker)', `${fmt(f.singleEventCpuUs['rollcall'])} / ${fmt(f.singleEventCpuUs['rollcall+picker'])}`, fmt(f.singleEventCpuUs['raw']), ratio(f.singleEventCpuUs['rollcall'], f.singleEventCpuUs['raw'])],
    [`cold sync, ms (page ${page}; raw: best page size)`, fmt(f.coldSyncMs.rollcall[page]), fmt(rawBestSync), ratio(f.coldSyncMs.rollcall[page], rawBestSync)],
    ['heap per instance after sync, B (+ external)', `${mem.rollcall} (+${mem.rollcallExternal})`, `${mem.raw} (+${mem.rawExternal})`, ratio(mem.rollcall + mem.rollcallExternal, mem.raw + mem.rawExternal)],
    ['register() → added elsewhere, p50 / p90 / p99 ms', `${prop['rollcall']?.p50} / ${prop['rollcall']?.p90} / ${prop['rollcall']?.p99}`, `${prop['raw']?.p50} / ${prop['raw']?.p90} / ${prop['raw']?.p99}`, `${ratio(prop['rollcall']?.p50, prop['raw']?.p50)} (p50)`],
    [`picks/s at ${big}: weighted / hash (raw: seeds' map walk)`, `${fmt(p[big]?.['weighted'])} / ${fmt(p[big]?.['hash'])}`, fmt(p[big]?.['map-walk']), `${ratio(p[big]?.['weighted'], p[big]?.['map-walk'])} / ${ratio(p[big]?.['hash'], p[big]?.['map-walk'])}`],
    [`picks/s at ${small}: weighted / hash`, `${fmt(p[small]?.['weighted'])} / ${fmt(p[small]?.['hash'])}`, fmt(p[small]?.['map-walk']), `${ratio(p[small]?.['weighted'], p[small]?.['map-walk'])} / ${ratio(p[small]?.['hash'], p[small]?.['map-walk'])}`],
    [`keepalive messages/s, ${f.keepalivePerSecond.instances} instances, ttl ${f.keepalivePerSecond.ttl} s (raw: a lease each, computed)`, fmt(f.keepalivePerSecond.rollcall), fmt(f.keepalivePerSecond.leasePerInstance), '✓'],
    ...Object.entries(f.crashToRemovedMs).map(([ttl, v]): [string, string, string, string] => [`crash → removed, ttl ${ttl} s, p99 ms`, fmt(v['rollcall']), fmt(v['raw']), ratio(v['rollcall'], v['raw'])]),
  ];
  const pickerRows = Object.entries(p).map(([size, rates]) => `| ${size} | ${Object.entries(rates).map(([s, v]) => `${s} ${fmt(v)}`).join(' · ')} | ${Object.entries(f.pickerUpdateMs[size] ?? {}).map(([s, v]) => `${s} ${v}`).join(' · ')} |`);
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (scale \`${r.scale}\`) on ${m.date}, in ${r.durationS} s. Every number below`,
    'was produced by that run on this machine: rollcall and a bare `etcd3` consumer measured side by side',
    'against the same throwaway etcd (tmpfs data dir, loopback). Raw figures parse each value (envelope',
    'and rollcall\'s Metadata JSON), the least a hand-written consumer does. Re-run to refresh.',
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM (${m.freeMemoryGiB} GiB free), ${m.platform}`,
    `- Node ${m.node}, etcd ${m.etcd}`,
    `- Load average at the start: ${m.loadAverage.join(' / ')}; at the end: ${r.loadAverageAtEnd.join(' / ')} (1 / 5 / 15 min).`,
    '  Absolute figures depend on the machine and on its load (above; the bench itself keeps about two',
    '  processes busy); the ratios, both sides measured in the same run, are the point.',
    '',
    '## Issue 15 figures',
    '',
    '| figure | rollcall | raw etcd3 (same run) | ratio |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '## Goals',
    '',
    '| goal | target | measured | |',
    '|---|---|---|---|',
    ...r.goals.map((g) => `| ${g.goal} | ${g.target} | ${g.measured} | ${g.met ? 'met' : '**missed**'} |`),
    '',
    '## Pickers',
    '',
    'picks/s per strategy (no etcd), and ms per `update()` with the whole set when one instance changed',
    '(what a catalog batch pays per picker of that service).',
    '',
    '| instances | picks/s | update() ms |',
    '|---|---|---|',
    ...pickerRows,
    '',
    `Hash (ring): share of 10,000 keys whose instance changed when one of N instances left: ${Object.entries(f.hashMovedShare).map(([n, s]) => `N=${n}: ${s.toFixed(4)} (1/N = ${(1 / Number(n)).toFixed(4)})`).join('; ')}.`,
    '',
    '## Charts',
    '',
    ...svgs.map((name) => `![${name}](${name})\n`),
    '## What the profiles showed',
    '',
    PROFILE_NOTES,
    '',
    '## Method',
    '',
    '- Live bursts: one service of N instances; a writer in another process rewrites them in',
    '  transactions of 100 puts; events/s from the first to the last event applied (catalog: after',
    '  each `updated` event is emitted); lag: last event applied minus the writer\'s last ack.',
    '- Backlog: the consumer\'s event loop sleeps (Atomics.wait) until the writer is done; events/s',
    '  from the release to the last event.',
    '- CPU per event: the writer puts one key at a time (one event per batch); the consumer\'s',
    '  process CPU time divided by the events.',
    '- Cold sync: best of two `Catalog.open()` per page size next to a bare paged range pinned to one',
    '  revision that parses every value. Memory: heapUsed and external (Buffers included) after a',
    '  forced GC, before and after, divided by the instances.',
    '- Propagation: `register()` (rollcall) or a put on an existing lease (raw), timed from the call',
    '  to the `added`/put event in another process (shared machine clock); both sides in the same',
    '  run, writes interleaved one at a time, 20 uncounted warm-up writes per side then a full GC.',
    '- Crash: a child registers instances (one shared Registrar lease) and bare keys (a lease each),',
    '  is SIGKILLed; time to the last removal seen.',
    '',
  ].join('\n');
}

/** Every file of the report, by name. */
export function renderReport(r: BenchResults): Map<string, string> {
  const svgs = charts(r);
  const files = new Map<string, string>(svgs);
  files.set('benchmarks.md', markdown(r, [...svgs.keys()]));
  return files;
}
