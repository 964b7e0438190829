/**
 * Pickers, with no etcd: picks/s of every strategy at each size next to the seeds' O(n) map walk
 * (a weighted choice by walking a Map of instances), the cost of one update() (what a catalog
 * batch pays per picker), and for hash the share of keys that move when one of N instances leaves.
 */
import { performance } from 'node:perf_hooks';
import { createPicker, PICKER_STRATEGIES, type Picker, type PickerStrategy } from '../src/balance/index.js';
import type { Instance } from '../src/codec/index.js';
import type { BenchScale } from './scale.js';
import { collectGarbage, rate, sig2 } from './stats.js';

export interface PickerFigures {
  /** size -> strategy (or "map-walk") -> picks per second. */
  readonly picksPerSecond: Record<string, Record<string, number>>;
  /** size -> strategy -> ms for one update() with the whole set, one instance changed. */
  readonly updateMs: Record<string, Record<string, number>>;
  /** N -> share of 10,000 keys whose instance changed when one of N left (ideal 1/N). */
  readonly hashMoved: Record<string, number>;
}

export function fakeInstances(n: number, service = 'bench'): Instance[] {
  const out: Instance[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = `i-${String(i).padStart(7, '0')}`;
    out.push({
      service,
      id,
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`,
      status: 'up',
      weight: 1 + (i % 4),
      tags: [],
      meta: {},
      key: `bench/${service}/${id}`,
      lease: '0',
      modRevision: i + 1,
      createRevision: i + 1,
    });
  }
  return out;
}

/** The seeds' picker: walk the Map until the running weight passes a random point. */
function mapWalk(instances: readonly Instance[]): () => Instance {
  const map = new Map(instances.map((i) => [i.key, i]));
  return () => {
    let total = 0;
    for (const i of map.values()) total += i.weight;
    let point = Math.random() * total;
    let last: Instance | undefined;
    for (const i of map.values()) {
      last = i;
      point -= i.weight;
      if (point < 0) return i;
    }
    return last as Instance;
  };
}

export function benchPickers(scale: BenchScale): PickerFigures {
  const picksPerSecond: Record<string, Record<string, number>> = {};
  const updateMs: Record<string, Record<string, number>> = {};
  const keys = Array.from({ length: 4096 }, (_, i) => `user-${i}`);
  for (const size of scale.pickerSizes) {
    const instances = fakeInstances(size);
    const changed = instances.slice();
    const forRates: Record<string, number> = {};
    const forUpdates: Record<string, number> = {};
    for (const strategy of PICKER_STRATEGIES) {
      const picker = createPicker({ strategy, service: 'bench' });
      picker.update(instances);
      // The garbage of building 100,000 instances and pickers would otherwise be collected in
      // whichever strategy's window comes first.
      collectGarbage();
      forRates[strategy] = sig2(pickRate(picker, scale.pickMs, keys));
      forUpdates[strategy] = sig2(timeUpdates(picker, instances, changed));
    }
    forRates['map-walk'] = sig2(rate(scale.pickMs, mapWalk(instances)));
    picksPerSecond[String(size)] = forRates;
    updateMs[String(size)] = forUpdates;
  }
  const hashMoved: Record<string, number> = {};
  for (const n of scale.hashMovedSizes) hashMoved[String(n)] = movedShare(n);
  return { picksPerSecond, updateMs, hashMoved };
}

/**
 * picks/s, with one call site per strategy as in an application (a call site picks from one
 * picker): one closure shared by the five strategies would measure V8's megamorphic dispatch
 * between five picker classes rather than the pick.
 */
function pickRate(picker: Picker, ms: number, keys: readonly string[]): number {
  let k = 0;
  switch (picker.strategy) {
    case 'random':
      return rate(ms, () => picker.pick());
    case 'round-robin':
      return rate(ms, () => picker.pick());
    case 'weighted':
      return rate(ms, () => picker.pick());
    case 'least-loaded':
      return rate(ms, () => picker.pick());
    case 'hash':
      return rate(ms, () => picker.pick(keys[k++ & 4095]));
  }
}

/** ms per update() when one instance's weight changes between calls (a one-event batch). */
function timeUpdates(picker: { update(i: readonly Instance[]): void }, base: readonly Instance[], work: Instance[]): number {
  // Updates cost about a millisecond now: enough rounds that one GC pause does not set the figure.
  const rounds = base.length >= 50_000 ? 20 : 50;
  const start = performance.now();
  for (let r = 0; r < rounds; r += 1) {
    const at = (r * 7919) % base.length;
    const original = base[at] as Instance;
    work[at] = { ...original, weight: original.weight + 1 + r };
    picker.update(work);
  }
  return (performance.now() - start) / rounds;
}

function movedShare(n: number): number {
  const instances = fakeInstances(n);
  const picker = createPicker({ strategy: 'hash' as PickerStrategy, service: 'bench' });
  picker.update(instances);
  const keys = Array.from({ length: 10_000 }, (_, i) => `session-${i}`);
  const before = keys.map((key) => picker.pick(key).id);
  picker.update(instances.filter((_, i) => i !== Math.floor(n / 2)));
  let moved = 0;
  keys.forEach((key, i) => {
    if (picker.pick(key).id !== before[i]) moved += 1;
  });
  return moved / keys.length;
}
