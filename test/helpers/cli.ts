/**
 * Running the BUILT CLI (`node dist/cli/main.js`, from `npm run build`) in e2e tests:
 *
 *   const r = await rollcall(['instances', 'api', '--endpoints', url]);    // runs to completion (bounded)
 *   const reg = startRollcall(t, ['register', 'api', 'h:1', ...]);          // long-running, killed when t ends
 *   await reg.waitForLine(/"event":"registered"/);
 *   reg.child.kill('SIGTERM'); assert.deepEqual(await reg.waitExit(), { code: 0, signal: null });
 *
 * Every process started here is killed by pid when its test ends (or when the bounded run times
 * out); waits are bounded and poll, never sleep as synchronisation.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import { findEtcdctl } from '../../src/dev/index.js';
import { waitFor } from './etcd.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly ms: number;
}

/** Runs `rollcall …args` to completion; SIGKILLed (and the test fails) after `timeoutMs`. */
export function rollcall(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const started = Date.now();
  const env = options.env ?? cleanEnv();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rollcall ${args.join(' ')} did not exit within ${options.timeoutMs ?? 20_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The environment without etcd endpoint variables, so tests use only what they pass. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['ROLLCALL_ENDPOINTS'];
  delete env['ETCDCTL_ENDPOINTS'];
  delete env['ROLLCALL_TIMEOUT_MS'];
  return env;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly output: { stdout: string; stderr: string };
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stdoutLines(): string[];
  /** Resolves with the first stdout line matching `pattern` (bounded). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  waitExit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a long-running `rollcall …args`; SIGKILLed by pid when `t` ends if still running. */
export function startRollcall(t: TestContext, args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: RunningCli = {
    child,
    pid: child.pid ?? -1,
    output: { stdout: '', stderr: '' },
    exit: undefined,
    stdoutLines: () => run.output.stdout.split('\n').filter((line) => line !== ''),
    waitForLine: async (pattern, timeoutMs = 15_000) => {
      const found = await waitFor(
        () => {
          const line = run.stdoutLines().find((l) => pattern.test(l));
          return line !== undefined ? { line } : run.exit !== undefined ? { line: undefined } : undefined;
        },
        { timeoutMs, message: `a stdout line matching ${pattern} (stdout so far: ${run.output.stdout.slice(-400)})` },
      );
      if (found.line === undefined) throw new Error(`exited ${JSON.stringify(run.exit)} before printing ${pattern}; stderr: ${run.output.stderr}`);
      return found.line;
    },
    waitExit: (timeoutMs = 15_000) => waitFor(() => run.exit, { timeoutMs, message: `rollcall ${args[0]} to exit` }),
  };
  child.stdout.on('data', (chunk: Buffer) => (run.output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.output.stderr += chunk.toString()));
  child.once('exit', (code, signal) => (run.exit = { code, signal }));
  t.after(() => {
    if (run.exit === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
  return run;
}

const execFileAsync = promisify(execFile);

/** The real etcdctl against `endpoint`; resolves with stdout. */
export async function etcdctl(endpoint: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(findEtcdctl(), [`--endpoints=${endpoint}`, ...args], {
    env: { ...cleanEnv(), ETCDCTL_API: '3' },
    timeout: 10_000,
  });
  return stdout;
}
