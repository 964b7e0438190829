/**
 * Options of a Catalog, and the one function that applies their defaults and checks them.
 * Everything invalid is rejected here, before any etcd call: service names and the prefix with
 * InvalidNameError, everything else with InvalidConfigError. docs/discovery.md documents the same
 * fields for users.
 */
import { InvalidConfigError } from '../errors.js';
import { assertValidName, KeyLayout, MAX_VALUE_BYTES } from '../codec/index.js';
import { resolveConnectionOptions, type BackoffOptions, type ClientSource, type ResolvedConnectionOptions } from '../etcd/index.js';

/** How each watch on etcd behaves; the RangeFollower's options. */
export interface CatalogWatchOptions {
  /** Keys per page when listing. Default 5000. */
  pageSize?: number;
  /** Ask a silent watch stream for progress after this long, ms. Default 5000. */
  livenessMs?: number;
  /** Reconnect backoff. Default 100 ms doubling to 10 s, full jitter. */
  backoff?: BackoffOptions;
}

export interface CatalogOptions extends ClientSource {
  /** Key prefix: instances live at `<prefix>/<service>/<id>`. Default `services`. */
  prefix?: string;
  /**
   * Services to follow (one watch each on `<prefix>/<service>/`). Default: every service under
   * the prefix, with one watch on `<prefix>/`.
   */
  services?: readonly string[];
  /**
   * How long an instance whose key vanished without a `leaving` status stays visible (with
   * `inGroup: false`) through `instances(service, { includeLost: true })`, and how long it can
   * come back as `recovered` rather than `added`. 0 forgets it at once. Default 60 000.
   */
  gracePeriodMs?: number;
  /**
   * File to persist the catalog to (atomically, debounced). When etcd cannot be reached at
   * `open()`, the catalog starts from this file, marked stale, instead of failing. Default: none.
   */
  cacheFile?: string;
  /** Debounce of cache file writes, ms. Default 1000. */
  cacheWriteDelayMs?: number;
  /** Values larger than this many bytes are invalid (skipped with a warning). Default 65 536. */
  maxValueBytes?: number;
  /** While stale, `stale` is emitted again every this many ms. Default: `timeoutMs`. */
  staleIntervalMs?: number;
  /** Watch tuning. Defaults as documented on CatalogWatchOptions. */
  watch?: CatalogWatchOptions;
  /**
   * Cancels `Catalog.open()`: it rejects with `signal.reason` and what it started is closed. Only
   * the open: aborting later does not close the catalog.
   */
  signal?: AbortSignal;
}

export interface ResolvedCatalogOptions {
  readonly layout: KeyLayout;
  /** Sorted and without duplicates; undefined when following the whole prefix. */
  readonly services: readonly string[] | undefined;
  readonly gracePeriodMs: number;
  readonly cacheFile: string | undefined;
  readonly cacheWriteDelayMs: number;
  readonly maxValueBytes: number;
  readonly staleIntervalMs: number;
  readonly timeoutMs: number;
  readonly watch: Readonly<CatalogWatchOptions>;
  /** The connection's options, resolved here once (env read, PEM files loaded) for the catalog's client. */
  readonly connection: ResolvedConnectionOptions;
}

export const DEFAULT_GRACE_PERIOD_MS = 60_000;
export const DEFAULT_CACHE_WRITE_DELAY_MS = 1000;

/** Applies defaults (and the connection's environment variables) and validates. Throws, never rejects. */
export function resolveCatalogOptions(options: CatalogOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedCatalogOptions {
  if (options === null || typeof options !== 'object') throw new InvalidConfigError('Catalog.open() needs an options object');
  const connection = resolveConnectionOptions(options, env);
  const { timeoutMs } = connection;
  const layout = new KeyLayout(options.prefix);

  let services: string[] | undefined;
  if (options.services !== undefined) {
    if (!Array.isArray(options.services)) throw new InvalidConfigError('services must be an array of service names');
    for (const name of options.services) assertValidName('service name', name);
    services = [...new Set(options.services)].sort();
    if (services.length === 0) {
      throw new InvalidConfigError('services is empty: list at least one service, or omit it to follow every service');
    }
  }

  const gracePeriodMs = nonNegative('gracePeriodMs', options.gracePeriodMs, DEFAULT_GRACE_PERIOD_MS);
  const cacheWriteDelayMs = nonNegative('cacheWriteDelayMs', options.cacheWriteDelayMs, DEFAULT_CACHE_WRITE_DELAY_MS);
  const staleIntervalMs = positive('staleIntervalMs', options.staleIntervalMs, timeoutMs);
  const maxValueBytes = positive('maxValueBytes', options.maxValueBytes, MAX_VALUE_BYTES);
  if (options.cacheFile !== undefined && (typeof options.cacheFile !== 'string' || options.cacheFile === '')) {
    throw new InvalidConfigError('cacheFile must be a non-empty path', { details: { cacheFile: options.cacheFile } });
  }
  const watch = options.watch ?? {};
  if (typeof watch !== 'object' || watch === null) throw new InvalidConfigError('watch must be an object');
  if (watch.pageSize !== undefined) positive('watch.pageSize', watch.pageSize, 1);
  if (watch.livenessMs !== undefined) positive('watch.livenessMs', watch.livenessMs, 1);

  return {
    layout,
    services,
    gracePeriodMs,
    cacheFile: options.cacheFile,
    cacheWriteDelayMs,
    maxValueBytes,
    staleIntervalMs,
    timeoutMs,
    watch: { ...watch },
    connection,
  };
}

function nonNegative(field: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved < 0) {
    throw new InvalidConfigError(`${field} must be a number of milliseconds ≥ 0, got ${String(value)}`, { details: { [field]: value } });
  }
  return resolved;
}

function positive(field: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved <= 0) {
    throw new InvalidConfigError(`${field} must be a positive number, got ${String(value)}`, { details: { [field]: value } });
  }
  return resolved;
}
