// `npm run bench` at tiny scale, so the bench cannot rot: it starts its own throwaway etcd, runs
// every figure for rollcall and raw etcd3, and writes the JSON, the markdown and the charts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FIGURE_NAMES, type BenchResults } from '../../bench/results.js';

const BENCH = fileURLToPath(new URL('../../bench/main.js', import.meta.url));
const DEADLINE_MS = 150_000;

/** True when `value` holds at least one number (figures are nested records of numbers). */
function hasNumbers(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasNumbers);
}

describe('npm run bench (BENCH_SCALE=tiny)', () => {
  it('writes benchmarks.json with every figure, and benchmarks.md with the charts it embeds', async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'rollcall-bench-smoke-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    // Its own process group: the bench forks writers and consumers, all stopped with it.
    const child = spawn(process.execPath, ['--expose-gc', BENCH], {
      env: { ...process.env, BENCH_SCALE: 'tiny', BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), DEADLINE_MS);
    t.after(() => {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    });
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, `bench failed:\n${stderr}`);

    const results = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8')) as BenchResults;
    assert.equal(results.scale, 'tiny');
    for (const name of FIGURE_NAMES) assert.ok(hasNumbers(results.figures[name]), `figure ${name} is missing or empty`);
    for (const kind of ['rollcall', 'rollcall+picker', 'raw']) assert.equal(typeof results.figures.burstEventsPerSecond[kind], 'number', kind);
    assert.ok(results.goals.length >= 10, 'every goal is judged');
    assert.ok(results.machine.cores > 0 && results.machine.node.startsWith('v'), 'the machine is described');

    const markdown = readFileSync(join(out, 'benchmarks.md'), 'utf8');
    const charts = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1] as string);
    assert.ok(charts.length >= 5, 'the markdown embeds the charts');
    for (const chart of charts) {
      assert.ok(existsSync(join(out, chart)), `${chart} is written`);
      assert.match(readFileSync(join(out, chart), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
  });
});
