/**
 * Finds the `etcd` and `etcdctl` executables for the dev harness and `rollcall etcd`.
 *
 * Order: the environment variable ROLLCALL_ETCD_BIN (path to `etcd`; `etcdctl` is looked up in
 * the same folder), then each folder of PATH. A missing binary is an EtcdBinaryNotFoundError
 * whose message says how to install one, because that is the first thing a new user hits.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { EtcdBinaryNotFoundError } from '../errors.js';

/** Environment variable holding the path to the `etcd` executable. */
export const ETCD_BIN_ENV = 'ROLLCALL_ETCD_BIN';

/** The install hint every "not found" message carries. */
export const ETCD_INSTALL_HINT =
  'Install it with `apt-get install etcd-server etcd-client` (Debian/Ubuntu) or `brew install etcd` (macOS), ' +
  `or set ${ETCD_BIN_ENV}=/path/to/etcd.`;

export type EtcdTool = 'etcd' | 'etcdctl';

type Env = Readonly<Record<string, string | undefined>>;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable file called `name` in the folders of `pathValue` (a PATH string). */
export function searchPath(name: string, pathValue: string | undefined): string | undefined {
  for (const folder of (pathValue ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory; we do not run binaries from there.
    if (folder === '') continue;
    const candidate = join(folder, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Path of `etcd` or `etcdctl`. Throws EtcdBinaryNotFoundError (code ERR_ETCD_BINARY_NOT_FOUND)
 * when it cannot be found; `env` defaults to process.env and exists for tests.
 */
export function findEtcdTool(tool: EtcdTool, env: Env = process.env): string {
  const configured = env[ETCD_BIN_ENV];
  if (configured !== undefined && configured !== '') {
    const candidate = tool === 'etcd' ? configured : join(dirname(configured), 'etcdctl');
    if (isExecutableFile(candidate)) return candidate;
    // The user pointed us somewhere explicit: say so rather than silently falling back to PATH.
    throw new EtcdBinaryNotFoundError(
      `${tool} not found: ${ETCD_BIN_ENV}=${configured} but ${candidate} is not an executable file. ${ETCD_INSTALL_HINT}`,
      { details: { tool, path: candidate, env: ETCD_BIN_ENV } },
    );
  }
  const found = searchPath(tool, env['PATH']);
  if (found !== undefined) return found;
  throw new EtcdBinaryNotFoundError(
    `${tool} not found on PATH and ${ETCD_BIN_ENV} is not set. ${ETCD_INSTALL_HINT}`,
    { details: { tool, env: ETCD_BIN_ENV } },
  );
}

/** Path of the `etcd` server executable (see findEtcdTool). */
export function findEtcd(env?: Env): string {
  return findEtcdTool('etcd', env);
}

/** Path of the `etcdctl` client executable (see findEtcdTool). */
export function findEtcdctl(env?: Env): string {
  return findEtcdTool('etcdctl', env);
}
