/**
 * How big each figure of the bench is. `full` is what docs/benchmarks.md reports (the sizes of
 * issue 15); `tiny` runs every figure in a few seconds so the test suite can check the bench
 * still works (test/integration/bench-smoke.test.ts). BENCH_SCALE picks one; default full.
 */
export interface BenchScale {
  readonly name: 'full' | 'tiny';
  /** Instances of the one service that receives bursts. */
  readonly burstInstances: number;
  /** Puts per burst (each instance rewritten burstPuts / burstInstances times). */
  readonly burstPuts: number;
  /** Sequential one-put batches to a burstInstances-sized service (cost per event). */
  readonly singleEvents: number;
  /** Instances and services of the cold sync. */
  readonly syncInstances: number;
  readonly syncServices: number;
  /** Page sizes tried for the cold sync. */
  readonly pageSizes: readonly number[];
  /** register() -> added samples. */
  readonly propagationSamples: number;
  /** Picker sizes, and how long each picks/s measurement runs. */
  readonly pickerSizes: readonly number[];
  readonly pickMs: number;
  /** Instance counts N for the hash picker's share of keys moved when one of N leaves. */
  readonly hashMovedSizes: readonly number[];
  /** Instances registered for the keepalive count, and how long it is counted. */
  readonly keepaliveInstances: number;
  readonly keepaliveMs: number;
  /** Crashed instances whose removal is timed, and the TTLs tried. */
  readonly crashInstances: number;
  readonly crashTtls: readonly number[];
}

const FULL: BenchScale = {
  name: 'full',
  burstInstances: 10_000,
  burstPuts: 20_000,
  singleEvents: 300,
  syncInstances: 100_000,
  syncServices: 1_000,
  pageSizes: [1_000, 5_000, 10_000],
  propagationSamples: 1_000,
  pickerSizes: [1_000, 100_000],
  pickMs: 300,
  hashMovedSizes: [10, 100, 1_000],
  keepaliveInstances: 10_000,
  keepaliveMs: 6_000,
  crashInstances: 20,
  crashTtls: [2, 5],
};

const TINY: BenchScale = {
  name: 'tiny',
  burstInstances: 200,
  burstPuts: 400,
  singleEvents: 10,
  syncInstances: 1_000,
  syncServices: 10,
  pageSizes: [1_000, 5_000],
  propagationSamples: 10,
  pickerSizes: [100, 500],
  pickMs: 20,
  hashMovedSizes: [10, 50],
  keepaliveInstances: 20,
  keepaliveMs: 1_500,
  crashInstances: 3,
  crashTtls: [1],
};

export function benchScale(name = process.env['BENCH_SCALE'] ?? 'full'): BenchScale {
  if (name === 'tiny') return TINY;
  if (name === 'full') return FULL;
  throw new Error(`BENCH_SCALE must be full or tiny, not ${JSON.stringify(name)}`);
}
