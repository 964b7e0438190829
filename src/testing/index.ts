// `rollcall/testing`: what a user's own tests need. MemoryStore (the Store contract in-process, with
// a MemoryBackend the test controls: expire a lease, share state between handles) and the real-etcd
// harness rollcall's own suite runs on: a throwaway etcd (EtcdProcess) or a loopback cluster
// (EtcdCluster) on free ports with a temp data dir, always stopped and cleaned up. Example:
//
//   import { EtcdProcess, reapOnSignals } from 'rollcall/testing';
//   reapOnSignals();                        // a Ctrl-C'd test run leaves no etcd behind
//   const etcd = await EtcdProcess.start(); // needs the etcd binary (ROLLCALL_ETCD_BIN or PATH)
//   try { /* new Registrar({ endpoints: etcd.clientUrl }) ... */ } finally { await etcd.stop(); }
export { MemoryStore, MemoryBackend, type MemoryStoreOptions } from '../store/index.js';
export { crashStore } from './crash-store.js';
export {
  EtcdProcess,
  EtcdCluster,
  findEtcd,
  findEtcdctl,
  ETCD_BIN_ENV,
  reapOnSignals,
  reapAllSync,
  waitUntil,
  freePort,
  type EtcdProcessOptions,
  type EtcdClusterOptions,
  type EtcdExit,
  type EtcdTlsOptions,
  type MemberStatus,
  type Probe,
  type WaitUntilOptions,
} from '../dev/index.js';
