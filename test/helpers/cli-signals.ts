/**
 * For the e2e signal tests (test/e2e/cli-signals*.test.ts): run the built CLI with the signal
 * probe (signal-probe.ts) armed at one moment, and check that nothing was left behind.
 *
 *   const cli = startProbed(t, ['register', 'api', 'h:1', '--endpoints', url], 'after-grant');
 *   assert.deepEqual(await cli.waitExit(), { code: 0, signal: null });
 *   await assertProbeFired(cli, 'after-grant');
 *   assert.equal(await leaseCount(url), 0);
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { cleanEnv, etcdctl, startRollcall, type RunningCli } from './cli.js';
import { processGone, waitFor } from './etcd.js';

const PROBE = new URL('./signal-probe.js', import.meta.url).href;

/** `rollcall …args` with the probe sending `signal` to it at `moment` (see signal-probe.ts). */
export function startProbed(t: TestContext, args: readonly string[], moment: string, signal: NodeJS.Signals = 'SIGINT'): RunningCli {
  const env = { ...cleanEnv(), NODE_OPTIONS: `--import=${PROBE}`, SIGNAL_PROBE_AT: moment, SIGNAL_PROBE_SIGNAL: signal };
  return startRollcall(t, args, env);
}

/** The CLI's exit; on timeout the error carries what it printed so far. */
export async function exitOf(cli: RunningCli, timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  try {
    return await cli.waitExit(timeoutMs);
  } catch (error) {
    const { stdout, stderr } = cli.output;
    throw new Error(`pid ${cli.pid} did not exit within ${timeoutMs} ms; stdout: ${stdout.slice(-600)}; stderr: ${stderr.slice(-600)}`, { cause: error });
  }
}

/** The probe really fired (else the test would pass without testing its moment). */
export function assertProbeFired(cli: RunningCli, moment: string): void {
  assert.match(cli.output.stderr, new RegExp(`signal-probe: fired ${escape(moment)}`), `probe did not fire at ${moment}; stderr: ${cli.output.stderr}`);
}

/**
 * The CLI exited cleanly (code 0), or, when signalled before Node ran its first line, died of that
 * signal: both are fine right after spawn, as long as nothing was left (checked by the caller).
 */
export function assertCleanOrKilledEarly(exit: { code: number | null; signal: NodeJS.Signals | null }, signal: NodeJS.Signals): void {
  assert.ok(
    (exit.code === 0 && exit.signal === null) || (exit.code === null && exit.signal === signal),
    `expected exit 0 or death by ${signal}, got ${JSON.stringify(exit)}`,
  );
}

/** How many leases etcd has (`etcdctl lease list`). */
export async function leaseCount(endpoint: string): Promise<number> {
  const out = await etcdctl(endpoint, 'lease', 'list');
  const found = /found (\d+) leases/.exec(out);
  assert.ok(found, `unexpected etcdctl lease list output: ${out}`);
  return Number(found[1]);
}

/** Revokes every lease etcd has: cleanup after a test that may have left one. */
export async function revokeAllLeases(endpoint: string): Promise<void> {
  const ids = (await etcdctl(endpoint, 'lease', 'list')).split('\n').slice(1).filter((line) => /^[0-9a-f]+$/.test(line));
  for (const id of ids) await etcdctl(endpoint, 'lease', 'revoke', id).catch(() => undefined);
}

/** The keys under `prefix` (etcdctl get --prefix --keys-only). */
export async function keysUnder(endpoint: string, prefix: string): Promise<string[]> {
  const out = await etcdctl(endpoint, 'get', prefix, '--prefix', '--keys-only');
  return out.split('\n').filter((line) => line !== '');
}

export interface EtcdSeen {
  readonly pid: number;
  readonly dataDir: string;
}

/** The etcd process serving 127.0.0.1:`port` (found through /proc), if one runs. */
export function etcdOnPort(port: number): EtcdSeen | undefined {
  const listen = `--listen-client-urls=http://127.0.0.1:${port}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (!argv.includes(listen)) continue;
    const dataDir = argv.find((arg) => arg.startsWith('--data-dir='))?.slice('--data-dir='.length) ?? '';
    return { pid: Number(entry), dataDir };
  }
  return undefined;
}

/**
 * Cleans up after a CLI that may have leaked its etcd: SIGKILLs it, waits until it is gone (so it
 * cannot write its data dir again), then removes that dir. For t.after(), once the CLI has ended.
 */
export async function reapEtcd(seen: EtcdSeen | undefined): Promise<void> {
  if (seen === undefined) return;
  if (!processGone(seen.pid)) {
    process.kill(seen.pid, 'SIGKILL');
    await waitFor(() => processGone(seen.pid), { timeoutMs: 10_000, message: `leaked etcd pid ${seen.pid} to die` });
  }
  if (seen.dataDir.includes('rollcall-etcd-')) rmSync(seen.dataDir, { recursive: true, force: true });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
