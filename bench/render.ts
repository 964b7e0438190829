/**
 * Re-renders benchmarks.md and the charts from an existing benchmarks.json (after editing the
 * report's text), without measuring again: `node build/bench/render.js [dir]` (default docs/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';

const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs'));
const results = JSON.parse(readFileSync(join(dir, 'benchmarks.json'), 'utf8')) as BenchResults;
for (const [name, text] of renderReport(results)) writeFileSync(join(dir, name), text);
