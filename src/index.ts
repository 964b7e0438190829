// The public API of `rollcall`, exported by name: what is listed here is stable and documented in
// docs/. Everything else under src/ is internal and may change in any release. Test doubles and
// the etcd harness live in `rollcall/testing` (./testing/index.ts); integrations get their own
// subpaths (`rollcall/grpc`, `rollcall/http`, `rollcall/metrics`, `rollcall/dashboard`) so that
// `import 'rollcall'` never loads their peer dependencies.

// Errors: every error rollcall throws or emits (docs/errors.md).
export {
  RollcallError,
  hasErrorCode,
  ROLLCALL_ERROR_CODES,
  InvalidNameError,
  InvalidConfigError,
  MalformedValueError,
  EtcdUnavailableError,
  EtcdAuthError,
  EtcdTlsError,
  EtcdRequestError,
  CompactedError,
  WatchCanceledError,
  DuplicateInstanceError,
  LeaseLostError,
  LeaseNotFoundError,
  HealthCheckError,
  NoInstanceError,
  HashKeyRequiredError,
  KeyModifiedError,
  KeyExistsError,
  KeyNotFoundError,
  LockLostError,
  ClosedError,
  CacheFileError,
  ListenerError,
  EtcdBinaryNotFoundError,
  EtcdProcessError,
  WaitTimeoutError,
  type RollcallErrorCode,
  type RollcallErrorByCode,
  type ErrorDetails,
  type InvalidNameDetails,
  type MalformedValueDetails,
  type EtcdCallDetails,
  type EtcdUnavailableDetails,
  type CompactedDetails,
  type WatchCanceledDetails,
  type DuplicateInstanceDetails,
  type LeaseLostDetails,
  type LeaseNotFoundDetails,
  type HealthCheckDetails,
  type NoInstanceDetails,
  type HashKeyRequiredDetails,
  type KeyConflictDetails,
  type LockLostDetails,
  type ClosedDetails,
  type CacheFileDetails,
  type ListenerDetails,
  type EtcdBinaryNotFoundDetails,
  type WaitTimeoutDetails,
} from './errors.js';

// Connecting to etcd: options shared by Registrar, Catalog and EtcdStore.
export {
  DEFAULT_ENDPOINT,
  DEFAULT_TIMEOUT_MS,
  ENV_ENDPOINTS,
  ENV_ETCDCTL_ENDPOINTS,
  ENV_TIMEOUT_MS,
  type AuthOptions,
  type ClientSource,
  type ConnectionOptions,
  type PemSource,
  type TlsOptions,
} from './etcd/index.js';
export type { BackoffOptions } from './etcd/backoff.js';

// The instance record (docs/wire-format.md).
export { DEFAULT_PREFIX, INSTANCE_STATUSES, type Instance, type InstanceStatus, type JsonValue } from './codec/index.js';

// Registration (docs/registration.md).
export {
  Registrar,
  Registration,
  LeaseState,
  DEFAULT_TTL_SECONDS,
  DEFAULT_HEALTH_INTERVAL_MS,
  type RegistrationState,
  type LeaseLossReason,
  type RegistrarEvents,
  type RegistrarOptions,
  type RegisterOptions,
  type UpdateOptions,
  type InstanceFields,
} from './registration/index.js';

// Discovery (docs/discovery.md).
export {
  Catalog,
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_CACHE_WRITE_DELAY_MS,
  type CatalogOptions,
  type CatalogWatchOptions,
  type CatalogEvents,
  type CatalogInstance,
  type CatalogChange,
  type ChangeCause,
  type RemovedReason,
  type InstanceAdded,
  type InstanceUpdated,
  type InstanceRemoved,
  type InstanceRecovered,
  type InstanceQuery,
  type StaleInfo,
  type SyncedInfo,
  type CatalogPickerOptions,
} from './discovery/index.js';

// Balancing (docs/balancers.md).
export {
  createPicker,
  PICKER_STRATEGIES,
  DEFAULT_PICKER_STRATEGY,
  DEFAULT_OUTLIER_OPTIONS,
  RandomPicker,
  RoundRobinPicker,
  WeightedPicker,
  LeastLoadedPicker,
  HashPicker,
  type CreatePickerOptions,
  type InstanceHandle,
  type NoInstanceReason,
  type OutlierOptions,
  type PanicInfo,
  type Picker,
  type PickerFilter,
  type PickerOptions,
  type PickerStrategy,
} from './balance/index.js';

// The key/value Store (docs/store.md). MemoryStore is in `rollcall/testing`.
export {
  EtcdStore,
  KVPair,
  StoreState,
  DEFAULT_ELECTION_PREFIX,
  DEFAULT_LOCK_PREFIX,
  DEFAULT_SESSION_TTL,
  DEFAULT_STORE_TIMEOUT_MS,
  ENV_STORE_NAMESPACE,
  ENV_STORE_SESSION_TTL,
  type EtcdStoreOptions,
  type Store,
  type StoreEvents,
  type StoreOptions,
  type StoreValue,
  type KVPairFields,
  type Session,
  type SessionOptions,
  type Lock,
  type Leadership,
  type ListOptions,
  type PutOptions,
  type OperationOptions,
  type WaitOptions,
  type WatchOptions,
  type ChangeEvent,
  type PutEvent,
  type DeleteEvent,
  type KeySnapshot,
  type TreeSnapshot,
  type KeyWatchEvent,
  type TreeWatchEvent,
} from './store/index.js';

// Diagnostics channels (docs/diagnostics.md): subscribe with node:diagnostics_channel.
export { CHANNEL_NAMES, type ChannelName, type DiagnosticsPayloads, type LeaseOwner } from './diagnostics/channels.js';
