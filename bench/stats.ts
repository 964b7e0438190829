/** Small measuring helpers shared by the bench's figures. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** The q-quantile (0..1) of `samples` by nearest rank; NaN when empty. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Wall-clock ms since an arbitrary origin shared by every process on this machine. */
export function machineNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Full garbage collection when node runs with --expose-gc (the bench always does). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

/** heapUsed and external after a full GC (`external` already includes `arrayBuffers`: Buffers). */
export function memoryNow(): { heap: number; external: number } {
  collectGarbage();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external };
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly node: string;
  readonly etcd: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
  readonly date: string;
}

export function machineInfo(etcdBinary: string): MachineInfo {
  let etcd = 'unknown';
  try {
    etcd = /etcd Version: (\S+)/.exec(execFileSync(etcdBinary, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    // An etcd that cannot say its version still ran the bench; the report says unknown.
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    etcd,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg().map((l) => round(l, 2)),
    date: new Date().toISOString(),
  };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Two significant digits, for figures that vary by several percent from run to run. */
export function sig2(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = 1 - Math.floor(Math.log10(Math.abs(value)));
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/** Runs `fn` repeatedly for about `ms` and returns calls per second. */
export function rate(ms: number, fn: () => void): number {
  for (let i = 0; i < 1000; i += 1) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 1000; i += 1) fn();
    calls += 1000;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (calls / elapsed) * 1000;
}
