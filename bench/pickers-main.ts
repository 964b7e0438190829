/**
 * The pickers part of the bench alone, with no etcd: `node --expose-gc build/bench/pickers-main.js`
 * prints the figures of docs/benchmarks.md's "Pickers" section as JSON (BENCH_SCALE as for main.ts).
 * It writes nothing: the report is rendered from a full run.
 */
import { benchPickers } from './pickers-bench.js';
import { benchScale } from './scale.js';

process.stdout.write(`${JSON.stringify(benchPickers(benchScale()), null, 2)}\n`);
