// The dev harness entry (a real etcd for tests and `rollcall etcd`): re-exports only.
export * from './etcd-binary.js';
export * from './etcd-process.js';
export * from './etcd-cluster.js';
export * from './free-port.js';
export * from './wait-until.js';
export * from './data-dir.js';
export { reapAllSync, reapOnSignals } from './exit-safety-net.js';
export { isHealthy, memberStatus, type HttpTls, type MemberStatus } from './etcd-http.js';
