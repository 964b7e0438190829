/** The bench's JSON document: every figure of issue 15, and the goals judged from them. */
import type { EventFigures } from './catalog-bench.js';
import type { PickerFigures } from './pickers-bench.js';
import type { PropagationFigures } from './propagation-bench.js';
import type { MachineInfo } from './stats.js';
import type { SyncFigures } from './sync-bench.js';

export const FIGURE_NAMES = [
  'burstEventsPerSecond',
  'backlogEventsPerSecond',
  'burstLagMs',
  'singleEventCpuUs',
  'coldSyncMs',
  'heapPerInstance',
  'registerToAddedMs',
  'picksPerSecond',
  'pickerUpdateMs',
  'hashMovedShare',
  'keepalivePerSecond',
  'crashToRemovedMs',
] as const;

export interface Goal {
  readonly goal: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchResults {
  readonly scale: string;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly durationS: number;
  readonly figures: {
    burstEventsPerSecond: EventFigures['burstEventsPerSecond'];
    backlogEventsPerSecond: EventFigures['backlogEventsPerSecond'];
    burstLagMs: EventFigures['burstLagMs'];
    singleEventCpuUs: EventFigures['singleEventCpuUs'];
    coldSyncMs: { rollcall: SyncFigures['rollcallMs']; raw: SyncFigures['rawMs']; defaultPageSize: number };
    heapPerInstance: SyncFigures['heapPerInstance'];
    registerToAddedMs: PropagationFigures['registerToAddedMs'];
    picksPerSecond: PickerFigures['picksPerSecond'];
    pickerUpdateMs: PickerFigures['updateMs'];
    hashMovedShare: PickerFigures['hashMoved'];
    keepalivePerSecond: PropagationFigures['keepalivePerSecond'];
    crashToRemovedMs: PropagationFigures['crashToRemovedMs'];
  };
  readonly goals: readonly Goal[];
}

const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

/** Judges issue 15's goals from the figures (at the largest picker size measured). */
export function judgeGoals(f: BenchResults['figures']): Goal[] {
  const goals: Goal[] = [];
  const memRollcall = f.heapPerInstance.rollcall + f.heapPerInstance.rollcallExternal;
  const memRaw = f.heapPerInstance.raw + f.heapPerInstance.rawExternal;
  goals.push({ goal: 'memory per instance (heap + external)', target: '≤ 1.5× raw', measured: `${memRollcall} B vs ${memRaw} B = ${ratio(memRollcall, memRaw)}×`, met: memRollcall <= 1.5 * memRaw });
  const syncRollcall = f.coldSyncMs.rollcall[String(f.coldSyncMs.defaultPageSize)] ?? Number.NaN;
  const syncRaw = Math.min(...Object.values(f.coldSyncMs.raw));
  goals.push({ goal: 'cold sync (default page size vs best bare listing)', target: '≤ 1.2× raw', measured: `${syncRollcall} ms vs ${syncRaw} ms = ${ratio(syncRollcall, syncRaw)}×`, met: syncRollcall <= 1.2 * syncRaw });
  const prop = f.registerToAddedMs;
  const p50 = ratio(prop['rollcall']?.p50 ?? NaN, prop['raw']?.p50 ?? NaN);
  const p99 = ratio(prop['rollcall']?.p99 ?? NaN, prop['raw']?.p99 ?? NaN);
  goals.push({ goal: 'register() → added elsewhere, p50', target: '≤ 1.2× raw', measured: `${prop['rollcall']?.p50} ms vs ${prop['raw']?.p50} ms = ${p50}×`, met: p50 <= 1.2 });
  goals.push({ goal: 'register() → added elsewhere, p99', target: '≤ 1.5× raw', measured: `${prop['rollcall']?.p99} ms vs ${prop['raw']?.p99} ms = ${p99}×`, met: p99 <= 1.5 });
  const sizes = Object.keys(f.picksPerSecond).map(Number).sort((a, b) => a - b);
  const largest = String(sizes[sizes.length - 1]);
  const picks = f.picksPerSecond[largest] ?? {};
  for (const [strategy, target] of [['round-robin', 5e7], ['random', 5e7], ['weighted', 5e6], ['least-loaded', 5e6]] as const) {
    const value = picks[strategy] ?? 0;
    goals.push({ goal: `${strategy} picks/s at ${largest}`, target: `≥ ${target.toExponential(0)}`, measured: value.toExponential(1), met: value >= target });
  }
  const small = f.picksPerSecond[String(sizes[0])]?.['hash'] ?? NaN;
  const big = picks['hash'] ?? NaN;
  goals.push({ goal: `hash picks/s flat in n (${sizes[0]} → ${largest})`, target: 'O(log n): ≥ 0.3× of the small size', measured: `${small.toExponential(1)} → ${big.toExponential(1)}`, met: big >= 0.3 * small });
  for (const [n, share] of Object.entries(f.hashMovedShare)) {
    goals.push({ goal: `hash: keys moved when 1 of ${n} leaves`, target: `≈ 1/${n} (≤ 2/${n})`, measured: share.toFixed(4), met: share <= 2 / Number(n) });
  }
  const single = f.singleEventCpuUs;
  goals.push({
    goal: 'one event on a large service, CPU per event (with a picker)',
    target: '≤ 5× raw (O(changes), not O(service size))',
    measured: `${single['rollcall+picker']} µs vs ${single['raw']} µs = ${ratio(single['rollcall+picker'] ?? NaN, single['raw'] ?? NaN)}×`,
    met: (single['rollcall+picker'] ?? Infinity) <= 5 * (single['raw'] ?? 0),
  });
  return goals;
}
