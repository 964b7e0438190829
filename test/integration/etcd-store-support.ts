/**
 * Shared by the etcd-store-*.test.ts suites: an EtcdStore closed when the test ends, and a child
 * process (test/fixtures/store-holder-child.ts) holding a lock or leadership, SIGKILLed by pid
 * when the test ends if still running.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { EtcdStore, type EtcdStoreOptions } from '../../src/store/index.js';
import { startFixtureChild } from '../helpers/fixture-child.js';

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
  const child = await startFixtureChild<{ key: string; lease: string; createRevision: number }>(
    t,
    CHILD,
    { ROLLCALL_STORE_CHILD: JSON.stringify(settings) },
    'store holder child',
  );
  return { process: child.process, ...child.ready, exit: child.exit };
}
