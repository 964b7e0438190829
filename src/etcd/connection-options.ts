/**
 * How rollcall reaches etcd. Every part (Registrar, Catalog, Store, CLI) takes these options,
 * resolved once per object by `resolveConnectionOptions`, which is the only place their defaults
 * and environment variables are read (and PEM files loaded). Environment variables follow one
 * rule (./env.ts): unset, empty or whitespace means not set; anything else must be valid or the
 * error names the variable.
 */
import { readFileSync } from 'node:fs';
import { InvalidConfigError } from '../errors.js';
import { readEnv, readEnvNumber } from './env.js';

/** etcd endpoints, comma-separated; read when `endpoints` is not given. */
export const ENV_ENDPOINTS = 'ROLLCALL_ENDPOINTS';
/** etcdctl's own endpoints variable, read after ENV_ENDPOINTS so one setting serves both tools. */
export const ENV_ETCDCTL_ENDPOINTS = 'ETCDCTL_ENDPOINTS';
/** Deadline of each etcd call in ms; read when `timeoutMs` is not given (Registrar, Catalog, Store, CLI). */
export const ENV_TIMEOUT_MS = 'ROLLCALL_TIMEOUT_MS';

/** PEM material, given inline (string or bytes) or as `{ path }` to a file. */
export type PemSource = string | Uint8Array | { path: string };

export interface TlsOptions {
  /** CA bundle that signed etcd's server certificate. Required for TLS. */
  ca: PemSource;
  /** Client certificate, for etcd started with --client-cert-auth. Needs `key`. */
  cert?: PemSource;
  /** Private key of the client certificate. */
  key?: PemSource;
}

export interface AuthOptions {
  username: string;
  password: string;
}

export interface ConnectionOptions {
  /**
   * etcd client URLs (`http://host:port`, `https://host:port`, or bare `host:port`).
   * Default: env `ROLLCALL_ENDPOINTS`, then `ETCDCTL_ENDPOINTS` (comma-separated), then
   * `127.0.0.1:2379`. A bare `host:port` gets `https://` when `tls` is set, else `http://`.
   */
  endpoints?: string | readonly string[];
  /** TLS material. Default: none (plain text). */
  tls?: TlsOptions;
  /** User/password authentication. Default: none. */
  auth?: AuthOptions;
  /**
   * Deadline for each unary etcd call and for connecting, in ms. etcd3's own `dialTimeout` is
   * declared but never used, so rollcall enforces this itself. Default: env
   * `ROLLCALL_TIMEOUT_MS`, then 5000.
   */
  timeoutMs?: number;
}

export interface ResolvedConnectionOptions {
  readonly endpoints: readonly string[];
  readonly tls?: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  readonly auth?: AuthOptions;
  readonly timeoutMs: number;
}

export const DEFAULT_ENDPOINT = '127.0.0.1:2379';
export const DEFAULT_TIMEOUT_MS = 5000;

/** Applies defaults and environment variables, validates, and loads PEM files. */
export function resolveConnectionOptions(
  options: ConnectionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConnectionOptions {
  const raw = options.endpoints ?? readEnv(env, ENV_ENDPOINTS) ?? readEnv(env, ENV_ETCDCTL_ENDPOINTS) ?? DEFAULT_ENDPOINT;
  const list = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((e) => e.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidConfigError('no etcd endpoint given', { details: { endpoints: raw } });
  const scheme = options.tls ? 'https://' : 'http://';
  const endpoints = list.map((e) => normalizeEndpoint(e, scheme));

  const timeoutMs = resolveTimeoutMs(options.timeoutMs, env);
  if (options.auth && (!options.auth.username || typeof options.auth.password !== 'string')) {
    throw new InvalidConfigError('auth needs a non-empty username and a password');
  }
  return {
    endpoints,
    timeoutMs,
    ...(options.auth ? { auth: { username: options.auth.username, password: options.auth.password } } : {}),
    ...(options.tls ? { tls: loadTls(options.tls) } : {}),
  };
}

/**
 * `timeoutMs` given, else ROLLCALL_TIMEOUT_MS, else DEFAULT_TIMEOUT_MS: the one timeout rule of
 * connections and stores alike.
 */
export function resolveTimeoutMs(given: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const timeoutMs = given ?? readEnvNumber(env, ENV_TIMEOUT_MS, (ms) => ms > 0, 'a positive number of milliseconds') ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`, { details: { timeoutMs } });
  }
  return timeoutMs;
}

function normalizeEndpoint(endpoint: string, scheme: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : scheme + endpoint;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new InvalidConfigError(`invalid etcd endpoint "${endpoint}"`, { cause, details: { endpoint } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidConfigError(`etcd endpoint "${endpoint}" must use http or https`, { details: { endpoint } });
  }
  if (!url.port) throw new InvalidConfigError(`etcd endpoint "${endpoint}" needs a port`, { details: { endpoint } });
  return `${url.protocol}//${url.host}`;
}

function loadTls(tls: TlsOptions): NonNullable<ResolvedConnectionOptions['tls']> {
  if (!tls.ca) throw new InvalidConfigError('tls.ca is required for TLS');
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new InvalidConfigError('tls.cert and tls.key go together: give both or neither');
  }
  return {
    ca: loadPem(tls.ca, 'tls.ca'),
    ...(tls.cert ? { cert: loadPem(tls.cert, 'tls.cert') } : {}),
    ...(tls.key ? { key: loadPem(tls.key, 'tls.key') } : {}),
  };
}

function loadPem(source: PemSource, field: string): Buffer {
  if (typeof source === 'string') return Buffer.from(source);
  if (source instanceof Uint8Array) return Buffer.from(source);
  try {
    return readFileSync(source.path);
  } catch (cause) {
    throw new InvalidConfigError(`cannot read ${field} from ${source.path}`, { cause, details: { path: source.path } });
  }
}
