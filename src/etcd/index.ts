export { EtcdConnection, type ClientSource } from './etcd-connection.js';
export {
  resolveConnectionOptions,
  resolveTimeoutMs,
  DEFAULT_ENDPOINT,
  DEFAULT_TIMEOUT_MS,
  ENV_ENDPOINTS,
  ENV_ETCDCTL_ENDPOINTS,
  ENV_TIMEOUT_MS,
  type ConnectionOptions,
  type ResolvedConnectionOptions,
  type TlsOptions,
  type AuthOptions,
  type PemSource,
} from './connection-options.js';
export { withDeadline, type DeadlineContext } from './deadline.js';
export { translateEtcdError, isPermanentEtcdError, isLeaseNotFound } from './translate-error.js';
export { Backoff, pause, type BackoffOptions } from './backoff.js';
export { KeepAliveChannel } from './keepalive-channel.js';
export { leaseHex } from './lease-id.js';
