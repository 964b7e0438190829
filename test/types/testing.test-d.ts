// Type tests of `rollcall/testing`: MemoryStore is a Store the test controls through its
// backend; the etcd harness starts real etcd processes and clusters.
import type { Store } from '../../src/index.js';
import {
  crashStore,
  EtcdCluster,
  EtcdProcess,
  MemoryBackend,
  MemoryStore,
  reapOnSignals,
  waitUntil,
  type EtcdProcessOptions,
} from '../../src/testing/index.js';
import { expectType } from './expect-type.js';

const backend = new MemoryBackend();
const store: Store = new MemoryStore({ backend, sessionTtl: 5 });
expectType<MemoryBackend>(new MemoryStore({ backend }).backend);
expectType<Promise<void>>(store.close());
declare const lease: string;
backend.expireLease(lease);
expectType<Promise<void>>(crashStore(store));
// @ts-expect-error the crash hook is not on the public class: only crashStore() reaches it
void new MemoryStore({ backend }).crash();

expectType<void>(reapOnSignals());
expectType<Promise<EtcdProcess>>(EtcdProcess.start({ startTimeoutMs: 10_000 }));
declare const etcd: EtcdProcess;
expectType<string>(etcd.clientUrl);
expectType<Promise<void>>(etcd.stop());
expectType<Promise<EtcdCluster>>(EtcdCluster.start({ size: 3 }));
expectType<Promise<number>>(waitUntil(() => 1, { timeoutMs: 1000 }));
// @ts-expect-error not an option
expectType<EtcdProcessOptions>({ port: 2379 });
