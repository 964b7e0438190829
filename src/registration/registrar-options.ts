/**
 * Options of the Registrar (one per process, owns the lease) and of each registration, with the
 * one function per kind that applies defaults and validates. Everything invalid is rejected here,
 * before any etcd call: names with InvalidNameError, everything else with InvalidConfigError.
 * docs/registration.md documents the same fields for users.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { InvalidConfigError } from '../errors.js';
import { addressProblem, DEFAULT_PREFIX, nameProblem, type JsonValue } from '../codec/index.js';
import type { ClientSource } from '../etcd/index.js';

export interface RegistrarOptions extends ClientSource {
  /** Key prefix: instances live at `<prefix>/<service>/<id>`. Default `services`. */
  prefix?: string;
  /**
   * Lease time-to-live in whole seconds. Keys vanish at most this long after the process dies
   * (etcd may raise a very small TTL to its minimum, about 2 s). Keepalives go every TTL/3.
   * Default 10.
   */
  ttl?: number;
  /**
   * Opt-in: on SIGINT/SIGTERM mark every registration `draining`, wait `drainMs`, close (status
   * `leaving`, revoke), then remove rollcall's handlers and re-send the signal to the process so
   * the default behaviour (or the application's own handlers) takes over. Default false.
   */
  handleSignals?: boolean;
  /** With `handleSignals`: how long instances stay `draining` before they are removed. Default 0. */
  drainMs?: number;
}

export interface ResolvedRegistrarOptions {
  readonly prefix: string;
  readonly ttl: number;
  readonly handleSignals: boolean;
  readonly drainMs: number;
}

export const DEFAULT_TTL_SECONDS = 10;
export const DEFAULT_HEALTH_INTERVAL_MS = 5000;

/** What a registration publishes, besides its service, id and address. */
export interface InstanceFields {
  /** Relative weight for weighted balancing, a positive integer. Default 1. */
  weight?: number;
  /** Zone or locality, for zone-aware picking. Default: none. */
  zone?: string;
  /** Version of the service build. Default: none. */
  version?: string;
  /** Free-form labels. Default []. */
  tags?: readonly string[];
  /** The application's own JSON metadata object. Default {}. */
  meta?: Readonly<Record<string, JsonValue>>;
}

export interface RegisterOptions extends InstanceFields {
  /** Service name: one key segment (no `/`, whitespace or control characters, ≤ 128 chars). */
  service: string;
  /** Dial target stored as the Go endpoint's `Addr`, usually `host:port`. */
  address: string;
  /** Instance id, one key segment. Default `<hostname>-<pid>-<8 hex chars>`. */
  id?: string;
  /**
   * Take over the key if another live lease holds it (a restarted instance whose previous
   * process's lease has not expired yet). Default false: such a key fails with
   * DuplicateInstanceError.
   */
  replace?: boolean;
  /**
   * Local health check. Run once before the first write and then every `healthIntervalMs`;
   * `false`, a throw or no answer within `healthTimeoutMs` mark the instance `draining`, `true`
   * marks it `up` again unless it was drained on purpose. Its `signal` aborts at the deadline and
   * when the registration ends. Every change is a `health` event. Default: none.
   * httpHealthCheck() and commandHealthCheck() build Consul-style checks.
   */
  healthCheck?: (signal: AbortSignal) => Promise<boolean>;
  /** Period of `healthCheck`, ms. Default 5000. */
  healthIntervalMs?: number;
  /** Deadline of one check, ms. Default: `healthIntervalMs`. */
  healthTimeoutMs?: number;
  /** Aborts the registration; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** `reg.update()` takes a subset of the published fields, plus status. */
export interface UpdateOptions extends InstanceFields {
  /** `up` or `draining`. `draining` set here counts as drained on purpose (see `drain()`). */
  status?: 'up' | 'draining';
  signal?: AbortSignal;
}

export function resolveRegistrarOptions(options: RegistrarOptions): ResolvedRegistrarOptions {
  const ttl = options.ttl ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1) {
    throw new InvalidConfigError(`ttl must be a whole number of seconds ≥ 1, got ${String(ttl)}`, { details: { ttl } });
  }
  const drainMs = options.drainMs ?? 0;
  if (!Number.isFinite(drainMs) || drainMs < 0) {
    throw new InvalidConfigError(`drainMs must be a number of milliseconds ≥ 0, got ${String(drainMs)}`, { details: { drainMs } });
  }
  if (options.handleSignals !== undefined && typeof options.handleSignals !== 'boolean') {
    throw new InvalidConfigError('handleSignals must be a boolean');
  }
  return { prefix: options.prefix ?? DEFAULT_PREFIX, ttl, handleSignals: options.handleSignals ?? false, drainMs };
}

/** Checks the published fields given to register() or update(); throws InvalidConfigError. */
export function checkInstanceFields(fields: InstanceFields, where: string): void {
  const fail = (message: string, value: unknown): never => {
    throw new InvalidConfigError(`${where}: ${message}`, { details: { value } });
  };
  if (fields.weight !== undefined && (!Number.isInteger(fields.weight) || fields.weight < 1)) {
    fail(`weight must be a positive integer, got ${String(fields.weight)}`, fields.weight);
  }
  if (fields.zone !== undefined && typeof fields.zone !== 'string') fail('zone must be a string', fields.zone);
  if (fields.version !== undefined && typeof fields.version !== 'string') fail('version must be a string', fields.version);
  if (fields.tags !== undefined && (!Array.isArray(fields.tags) || !fields.tags.every((t) => typeof t === 'string'))) {
    fail('tags must be an array of strings', fields.tags);
  }
  if (fields.meta !== undefined && (typeof fields.meta !== 'object' || fields.meta === null || Array.isArray(fields.meta))) {
    fail('meta must be a JSON object', fields.meta);
  }
}

export interface ResolvedRegisterOptions {
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly replace: boolean;
  readonly healthCheck?: (signal: AbortSignal) => Promise<boolean>;
  readonly healthIntervalMs: number;
  readonly healthTimeoutMs: number;
}

/** Validates register() options (names are checked by KeyLayout when the key is built). */
export function resolveRegisterOptions(options: RegisterOptions): ResolvedRegisterOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidConfigError('register() needs an options object');
  const where = `register ${String(options.service)}`;
  const problem = addressProblem(options.address);
  if (problem) {
    throw new InvalidConfigError(`${where}: address ${JSON.stringify(options.address)} ${problem}`, {
      details: { service: options.service, address: options.address },
    });
  }
  checkInstanceFields(options, where);
  if (options.healthCheck !== undefined && typeof options.healthCheck !== 'function') {
    throw new InvalidConfigError(`${where}: healthCheck must be a function returning Promise<boolean>`);
  }
  const healthIntervalMs = options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
  if (!Number.isFinite(healthIntervalMs) || healthIntervalMs <= 0) {
    throw new InvalidConfigError(`${where}: healthIntervalMs must be a positive number, got ${String(healthIntervalMs)}`);
  }
  const healthTimeoutMs = options.healthTimeoutMs ?? healthIntervalMs;
  if (!Number.isFinite(healthTimeoutMs) || healthTimeoutMs <= 0) {
    throw new InvalidConfigError(`${where}: healthTimeoutMs must be a positive number, got ${String(healthTimeoutMs)}`);
  }
  return {
    service: options.service,
    id: options.id ?? defaultInstanceId(),
    address: options.address,
    replace: options.replace ?? false,
    healthIntervalMs,
    healthTimeoutMs,
    ...(options.healthCheck ? { healthCheck: options.healthCheck } : {}),
  };
}

/** `<hostname>-<pid>-<8 hex>`, reduced to characters that are always a valid key segment. */
export function defaultInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'host';
  const id = `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
  return nameProblem(id) === undefined ? id : `instance-${process.pid}-${randomBytes(4).toString('hex')}`;
}
