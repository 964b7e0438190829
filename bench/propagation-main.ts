/**
 * Only the register() -> `added` figure of `npm run bench`, run several times against one
 * throwaway etcd: for checking a change to the registrar, the catalog or the watch layer without
 * the whole bench. Prints one JSON line per run (both sides, same run, interleaved) on stdout.
 *
 *   node --expose-gc build/bench/propagation-main.js [runs=3] [samples per side=full scale's] [--stages]
 *
 * --stages also splits each side's time (etcd3-timing.ts): call -> handed to etcd3 (`sent`),
 * sent -> acknowledged, sent -> the watch message arriving in the consumer's process, and that
 * arrival -> the event emitted there.
 */
import { loadavg } from 'node:os';
import { EtcdProcess, reapOnSignals } from '../src/dev/index.js';
import { PROPAGATION_WARMUP } from './propagation-bench.js';
import { samplePropagation, SIDES, type PropagationSample, type Side } from './propagation-samples.js';
import { benchScale } from './scale.js';
import { quantile, round } from './stats.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runs = Number(positional[0] ?? 3);
const samples = Number(positional[1] ?? benchScale('full').propagationSamples);
const stages = process.argv.includes('--stages');
if (!(runs > 0) || !(samples > 0)) throw new Error('usage: propagation-main.js [runs] [samples per side] [--stages]');

type Percentiles = { p50: number; p90: number; p99: number };

function percentiles(values: readonly number[]): Percentiles {
  return { p50: round(quantile(values, 0.5), 2), p90: round(quantile(values, 0.9), 2), p99: round(quantile(values, 0.99), 2) };
}

/** Stage -> percentiles, over the samples that have both marks. */
function stageTable(list: readonly PropagationSample[]): Record<string, Percentiles> {
  const span = (from: (s: PropagationSample) => number | undefined, to: (s: PropagationSample) => number | undefined): Percentiles =>
    percentiles(list.flatMap((s) => {
      const a = from(s);
      const b = to(s);
      return a === undefined || b === undefined ? [] : [b - a];
    }));
  return {
    'call->sent': span((s) => s.start, (s) => s.sent),
    'sent->acked': span((s) => s.sent, (s) => s.acked),
    'acked->returned': span((s) => s.acked, (s) => s.returned),
    'sent->received': span((s) => s.sent, (s) => s.received),
    'received->emitted': span((s) => s.received, (s) => s.emitted),
  };
}

// A Ctrl-C'd bench leaves no etcd or data dir behind.
reapOnSignals();
const etcd = await EtcdProcess.start({ extraArgs: ['--quota-backend-bytes=4294967296'] });
try {
  for (let run = 1; run <= runs; run += 1) {
    const loadBefore = round(loadavg()[0] as number, 1);
    const sampled = await samplePropagation(etcd.endpoints[0] as string, { samples, warmup: PROPAGATION_WARMUP, stages });
    const total = {} as Record<Side, Percentiles>;
    for (const side of SIDES) total[side] = percentiles(sampled[side].map((s) => s.emitted - s.start));
    const ratio = (q: keyof Percentiles): number => round(total.rollcall[q] / total.raw[q], 2);
    const line = {
      run,
      samplesPerSide: samples,
      load: [loadBefore, round(loadavg()[0] as number, 1)],
      ...total,
      ratio: { p50: ratio('p50'), p90: ratio('p90'), p99: ratio('p99') },
      ...(stages ? { stages: Object.fromEntries(SIDES.map((side) => [side, stageTable(sampled[side])])) } : {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
} finally {
  await etcd.stop();
}
