/**
 * Options every Store implementation accepts. Backend-specific options (EtcdStore's endpoints,
 * TLS, auth; MemoryStore's backend) live with the implementation and extend this type.
 * `resolveStoreOptions` is the one place defaults and environment variables are read, with the
 * same rules as the connection's (src/etcd/env.ts: unset, empty or whitespace means not set;
 * anything else must be valid, or the error names the variable).
 */
import { InvalidConfigError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, resolveTimeoutMs } from '../etcd/connection-options.js';
import { readEnv, readEnvNumber } from '../etcd/env.js';

/** Key namespace of a Store; read when `namespace` is not given. */
export const ENV_STORE_NAMESPACE = 'ROLLCALL_STORE_NAMESPACE';
/** Default session TTL of a Store in whole seconds; read when `sessionTtl` is not given. */
export const ENV_STORE_SESSION_TTL = 'ROLLCALL_STORE_SESSION_TTL';

export interface StoreOptions {
  /**
   * Prefix put in front of every key, transparently: `put('a')` with namespace `app/` writes
   * `app/a`, and keys come back as `a`. Used verbatim (no `/` added). Lock and election keys
   * live inside it too. Default: env `ROLLCALL_STORE_NAMESPACE`, then `''` (no prefix).
   */
  namespace?: string;
  /**
   * Deadline for each single request, in ms. It bounds get/put/list/..., not waits: lock(),
   * campaign() and watches wait until their signal aborts. MemoryStore answers at once and only
   * validates it. Default: env `ROLLCALL_TIMEOUT_MS` (shared with the etcd connection), then 5000.
   */
  timeoutMs?: number;
  /**
   * Lease TTL in whole seconds for sessions, locks and campaigns that do not give their own `ttl`:
   * how long others wait for a crashed holder before its key expires. Default: env
   * `ROLLCALL_STORE_SESSION_TTL`, then 60 (etcd's concurrency.Session default).
   */
  sessionTtl?: number;
  /**
   * Key prefix of locks: lock `name` queues under `<lockPrefix><name>/`. Default
   * `__rollcall/lock/`. With the same prefix, Go's `concurrency.NewMutex(session,
   * "<lockPrefix><name>")` takes part in the same queue.
   */
  lockPrefix?: string;
  /**
   * Key prefix of elections: election `name` queues under `<electionPrefix><name>/`. Default
   * `__rollcall/election/`; Go's `concurrency.NewElection` interoperates the same way.
   */
  electionPrefix?: string;
}

export interface ResolvedStoreOptions {
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly sessionTtl: number;
  readonly lockPrefix: string;
  readonly electionPrefix: string;
}

/** Same as the connection's DEFAULT_TIMEOUT_MS: one timeout default everywhere. */
export const DEFAULT_STORE_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;
export const DEFAULT_SESSION_TTL = 60;
export const DEFAULT_LOCK_PREFIX = '__rollcall/lock/';
export const DEFAULT_ELECTION_PREFIX = '__rollcall/election/';

/** Applies defaults and environment variables and validates; throws InvalidConfigError. */
export function resolveStoreOptions(
  options: StoreOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedStoreOptions {
  const namespace = options.namespace ?? readEnv(env, ENV_STORE_NAMESPACE) ?? '';
  if (typeof namespace !== 'string') throw new InvalidConfigError('namespace must be a string');

  // The connection's rule exactly: a Store and a Registrar given the same environment agree.
  const timeoutMs = resolveTimeoutMs(options.timeoutMs, env);
  const sessionTtl =
    options.sessionTtl ?? readEnvNumber(env, ENV_STORE_SESSION_TTL, (ttl) => Number.isInteger(ttl) && ttl >= 1, 'a whole number of seconds >= 1') ?? DEFAULT_SESSION_TTL;
  checkTtl(sessionTtl, 'sessionTtl');

  const lockPrefix = options.lockPrefix ?? DEFAULT_LOCK_PREFIX;
  const electionPrefix = options.electionPrefix ?? DEFAULT_ELECTION_PREFIX;
  for (const [field, value] of [['lockPrefix', lockPrefix], ['electionPrefix', electionPrefix]] as const) {
    if (typeof value !== 'string' || value === '') throw new InvalidConfigError(`${field} must be a non-empty string`);
  }
  // Overlapping prefixes would let a lock named like an election join the election's queue.
  if (lockPrefix.startsWith(electionPrefix) || electionPrefix.startsWith(lockPrefix)) {
    throw new InvalidConfigError('lockPrefix and electionPrefix must not overlap', {
      details: { lockPrefix, electionPrefix },
    });
  }
  return { namespace, timeoutMs, sessionTtl, lockPrefix, electionPrefix };
}

/** Lease TTLs are whole seconds, as etcd grants them. */
export function checkTtl(ttl: unknown, field: string): asserts ttl is number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) {
    throw new InvalidConfigError(`${field} must be a whole number of seconds >= 1, got ${String(ttl)}`, {
      details: { [field]: ttl },
    });
  }
}
