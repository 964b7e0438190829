/**
 * The Store contract: one suite every Store implementation must pass, written against the Store
 * interface only. An implementation's test file calls defineStoreContract with a harness that
 * makes clients; see memory-store.test.ts.
 *
 * Each test works in its own namespace (so a shared etcd needs no wiping between tests) and
 * closes every store it opened.
 */
import { after, before, describe, type TestContext } from 'node:test';
import type { Store } from '../../src/store/index.js';
import { defineElectionContract } from './store-contract-election.js';
import { defineKvContract } from './store-contract-kv.js';
import { defineLifecycleContract } from './store-contract-lifecycle.js';
import { defineLockContract } from './store-contract-lock.js';
import { defineSignalContract } from './store-contract-signals.js';
import { defineWatchContract } from './store-contract-watch.js';

export interface StoreHarness {
  /**
   * A new client of the shared backend (one MemoryBackend, one etcd cluster), with this
   * namespace applied and every other option at its default (lock and election prefixes
   * included). Each call must behave like a separate process: own leases, own close().
   */
  newStore(options: { namespace: string }): Promise<Store>;
  /**
   * Simulates `store`'s process crashing: its leases expire without a clean release, so its
   * locks pass on. Tests needing it are skipped when absent.
   */
  killClient?(store: Store): Promise<void>;
  /** Runs once before the suite (start a server...). */
  setup?(): Promise<void>;
  /** Runs once after the suite. */
  teardown?(): Promise<void>;
  /** Upper bound in ms for each thing a test waits for, TTL expiry included. Default 15000. */
  deadlineMs?: number;
}

/** What each contract part gets: store factories scoped to the running test. */
export class ContractEnv {
  readonly harness: StoreHarness;
  readonly ms: number;
  readonly #suite: string;
  #counter = 0;

  constructor(suite: string, harness: StoreHarness) {
    this.#suite = suite.replace(/[^A-Za-z0-9_-]/g, '_');
    this.harness = harness;
    this.ms = harness.deadlineMs ?? 15000;
  }

  /**
   * A fresh namespace for test `t` and a factory of clients in it; every client is closed when
   * the test ends.
   */
  scope(t: TestContext): { namespace: string; store(namespace?: string): Promise<Store> } {
    this.#counter += 1;
    const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const namespace = `contract/${this.#suite}/${this.#counter}-${unique}/`;
    const opened: Store[] = [];
    t.after(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });
    return {
      namespace,
      store: async (other = namespace) => {
        const store = await this.harness.newStore({ namespace: other });
        opened.push(store);
        return store;
      },
    };
  }
}

export function defineStoreContract(name: string, harness: StoreHarness): void {
  describe(`Store contract: ${name}`, () => {
    const env = new ContractEnv(name, harness);
    if (harness.setup) before(() => harness.setup?.());
    if (harness.teardown) after(() => harness.teardown?.());
    defineKvContract(env);
    defineWatchContract(env);
    defineLockContract(env);
    defineElectionContract(env);
    defineLifecycleContract(env);
    defineSignalContract(env);
  });
}
