/**
 * Shared by the etcd-store-*.test.ts suites: an EtcdStore closed when the test ends, and a child
 * process (test/fixtures/store-holder-child.ts) holding a lock or leadership, SIGKILLed by pid
 * when the test ends if still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { EtcdStore, type EtcdStoreOptions } from '../../src/store/index.js';
import { waitFor } from '../helpers/etcd.js';

const CHILD = fileURLToPath(new URL('../fixtures/store-holder-child.js', import.meta.url));

/** An EtcdStore closed (errors tolerated: some tests stop etcd) when `t` ends. */
export function etcdStore(t: TestContext, options: EtcdStoreOptions): EtcdStore {
  const store = new EtcdStore({ timeoutMs: 2000, ...options });
  t.after(async () => {
    await store.close().catch(() => undefined);
  });
  return store;
}

export interface HolderChild {
  readonly process: ChildProcess;
  readonly key: string;
  readonly lease: string;
  readonly createRevision: number;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface HolderSettings {
  endpoints: string[];
  namespace: string;
  mode: 'lock' | 'campaign';
  name: string;
  value?: string;
  ttl: number;
}

/** Starts a holder child and waits (bounded) until it holds. */
export async function startHolder(t: TestContext, settings: HolderSettings): Promise<HolderChild> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, ROLLCALL_STORE_CHILD: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: 10_000,
    message: `store holder child ready (stderr: ${stderr})`,
  });
  const ready = JSON.parse(line) as { key: string; lease: string; createRevision: number };
  return { process: child, ...ready, exit };
}
