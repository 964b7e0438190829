// The discovery module's public surface: the Catalog, its options, events and instance type.
export { Catalog } from './catalog.js';
export {
  resolveCatalogOptions,
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_CACHE_WRITE_DELAY_MS,
  type CatalogOptions,
  type CatalogWatchOptions,
  type ResolvedCatalogOptions,
} from './catalog-options.js';
export type {
  CatalogEvents,
  CatalogInstance,
  CatalogChange,
  ChangeCause,
  RemovedReason,
  InstanceAdded,
  InstanceUpdated,
  InstanceRemoved,
  InstanceRecovered,
  InstanceQuery,
  StaleInfo,
  SyncedInfo,
} from './catalog-events.js';
export type { CatalogPickerOptions } from './picker-registry.js';
