/**
 * Options of rollcall/http, field by field with their defaults, and the one function that fills
 * the defaults in and checks them. A bad value throws InvalidConfigError when the interceptor is
 * built, never on the request path.
 */
import { DEFAULT_PREFIX, normalizePrefix } from '../codec/index.js';
import type { CatalogPoolOptions } from '../discovery/catalog-pool.js';
import { InvalidConfigError } from '../errors.js';
import type { CreatePickerOptions } from '../balance/index.js';

/** Methods retried on a connection error without an `idempotency-key` header (RFC 9110 idempotent methods). */
export const IDEMPOTENT_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export interface ServiceInterceptorOptions extends CatalogPoolOptions, Omit<CreatePickerOptions, 'service'> {
  /** Key prefix the services are registered under (the Registrar's `prefix`). Default `services`. */
  prefix?: string;
  /**
   * A host ending in this suffix names the service before it: with `.rollcall`,
   * `http://api.rollcall/users` goes to service `api`. Default: none.
   */
  hostSuffix?: string;
  /** Hosts that name services, exactly (`['api', 'billing']`). Default: none. */
  services?: readonly string[];
  /**
   * Request header whose value is the key of the `hash` strategy (e.g. `x-user-id`). A request
   * without it goes to any instance. Default: none.
   */
  hashHeader?: string;
  /**
   * The Host header sent to the instance when the caller set none: `service` sends the host the
   * caller wrote (`api`, `api.rollcall:8080`), `instance` the instance's address. Default `service`.
   */
  hostHeader?: 'service' | 'instance';
  /** Most tries per request, the first included; 1 turns retries off. Default 3. */
  maxAttempts?: number;
  /**
   * Per-try timeout in ms: from dispatching a try until the response headers arrive (queueing and
   * connecting included). A try that runs out is abandoned, counted as a failure of that instance
   * and, when the request may be retried, tried again elsewhere. 0 turns it off. Default 30_000.
   */
  tryTimeoutMs?: number;
}

export interface ResolvedHttpOptions {
  readonly prefix: string;
  readonly hostSuffix: string | undefined;
  readonly services: ReadonlySet<string> | undefined;
  readonly hashHeader: string | undefined;
  readonly hostHeader: 'service' | 'instance';
  readonly maxAttempts: number;
  readonly tryTimeoutMs: number;
  readonly picker: CreatePickerOptions;
  readonly pool: CatalogPoolOptions;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_TRY_TIMEOUT_MS = 30_000;

export function resolveHttpOptions(options: ServiceInterceptorOptions = {}): ResolvedHttpOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidConfigError(`rollcall/http options must be an object, got ${typeof options}`);
  }
  const {
    prefix, hostSuffix, services, hashHeader, hostHeader, maxAttempts, tryTimeoutMs,
    strategy, preferZone, filter, random, now, outlier, panicThreshold, onPanic,
    ...pool
  } = options;
  if (hostSuffix !== undefined && (typeof hostSuffix !== 'string' || !/^\.[a-z0-9.-]+$/i.test(hostSuffix))) {
    throw invalid('hostSuffix', hostSuffix, 'a host suffix starting with "." such as ".rollcall"');
  }
  if (services !== undefined && (!Array.isArray(services) || services.some((s) => typeof s !== 'string' || s === ''))) {
    throw invalid('services', services, 'an array of service names');
  }
  if (hashHeader !== undefined && (typeof hashHeader !== 'string' || hashHeader === '')) {
    throw invalid('hashHeader', hashHeader, 'a header name');
  }
  if (hostHeader !== undefined && hostHeader !== 'service' && hostHeader !== 'instance') {
    throw invalid('hostHeader', hostHeader, '"service" or "instance"');
  }
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw invalid('maxAttempts', maxAttempts, 'an integer of at least 1');
  }
  if (tryTimeoutMs !== undefined && !(typeof tryTimeoutMs === 'number' && Number.isFinite(tryTimeoutMs) && tryTimeoutMs >= 0)) {
    throw invalid('tryTimeoutMs', tryTimeoutMs, 'a number of ms, 0 for none');
  }
  const picker: CreatePickerOptions = { strategy, preferZone, filter, random, now, outlier, panicThreshold, onPanic };
  for (const key of Object.keys(picker) as (keyof CreatePickerOptions)[]) if (picker[key] === undefined) delete picker[key];
  return {
    prefix: normalizePrefix(prefix ?? DEFAULT_PREFIX),
    hostSuffix: hostSuffix?.toLowerCase(),
    // URL parsing lower-cases hosts, so names are matched lower-cased too.
    services: services === undefined ? undefined : new Set(services.map((s) => s.toLowerCase())),
    hashHeader: hashHeader?.toLowerCase(),
    hostHeader: hostHeader ?? 'service',
    maxAttempts: maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    tryTimeoutMs: tryTimeoutMs ?? DEFAULT_TRY_TIMEOUT_MS,
    picker,
    pool,
  };
}

function invalid(field: string, value: unknown, expected: string): InvalidConfigError {
  return new InvalidConfigError(`rollcall/http option ${field} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`, {
    details: { field, value },
  });
}
