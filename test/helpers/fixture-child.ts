/**
 * A test fixture run as a child process (a registrar, a lock holder…): spawned with its settings
 * as JSON in an environment variable, ready once it prints a JSON line on stdout, and SIGKILLed by
 * pid when the test ends if it is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { waitFor } from './etcd.js';

export interface FixtureChild<Ready> {
  readonly process: ChildProcess;
  /** What the child printed as its first JSON line. */
  readonly ready: Ready;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A node script run as a child process, SIGKILLed by pid when the test ends if still running. */
export interface NodeChild {
  readonly process: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far. */
  stdout(): string;
  stderr(): string;
}

export function spawnNodeChild(t: TestContext, script: string, env: Record<string, string>): NodeChild {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid as number, 'SIGKILL');
      await exit;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { process: child, exit, stdout: () => stdout, stderr: () => stderr };
}

export async function startFixtureChild<Ready>(
  t: TestContext,
  script: string,
  env: Record<string, string>,
  what: string,
  options: { readyTimeoutMs?: number } = {},
): Promise<FixtureChild<Ready>> {
  const child = spawnNodeChild(t, script, env);
  const line = await waitFor(() => child.stdout().split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: options.readyTimeoutMs ?? 10_000,
    message: `${what} ready (stderr: ${child.stderr()})`,
  });
  return { process: child.process, ready: JSON.parse(line) as Ready, exit: child.exit };
}
