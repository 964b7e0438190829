/**
 * The options every etcd-talking command shares, and the one function that turns them into the
 * library's ConnectionOptions.
 *
 * They are declared twice: on the program (`rollcall --endpoints X instances api`) and on each
 * command (`rollcall instances api --endpoints X`). The program uses positional options, so a
 * command may reuse a name for its own meaning: `pick --key K` is the hash key and `kv get
 * --prefix` is etcdctl's range flag; there the program-level spelling (`rollcall --key F pick`)
 * still sets the TLS key. A value given after the command wins over one given before it.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_PREFIX } from '../codec/index.js';
import type { ConnectionOptions } from '../etcd/index.js';
import { InvalidConfigError } from '../errors.js';

/** Raw option values as commander stores them. */
interface SharedValues {
  endpoints?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  user?: { username: string; password: string };
  timeout?: number;
  prefix?: string;
}

type Declare = (cmd: Command) => Command;

const CONNECTION_OPTIONS: ReadonlyArray<readonly [flag: string, declare: Declare]> = [
  ['--endpoints', (c) => c.option('--endpoints <urls>', 'etcd endpoints, comma-separated (env ROLLCALL_ENDPOINTS, then ETCDCTL_ENDPOINTS, default 127.0.0.1:2379)')],
  ['--cacert', (c) => c.option('--cacert <file>', 'CA bundle that signed etcd\'s certificate (turns on TLS)')],
  ['--cert', (c) => c.option('--cert <file>', 'client certificate for TLS client auth (with --key)')],
  ['--key', (c) => c.option('--key <file>', 'private key of --cert')],
  ['--user', (c) => c.option('--user <name:password>', 'etcd user and password', parseUser)],
  ['--timeout', (c) => c.option('--timeout <duration>', 'deadline of each etcd call: ms, or with a unit (500ms, 5s, 1m) (default 5s)', parseDuration)],
];

/** Adds the connection options to `cmd`, except any it already defines itself (call after its own options). */
export function withConnectionOptions(cmd: Command): Command {
  for (const [flag, declare] of CONNECTION_OPTIONS) {
    if (!cmd.options.some((option) => option.long === flag)) declare(cmd);
  }
  return cmd;
}

/** Adds `--prefix <prefix>`, the key prefix of service instances (service commands only). */
export function withPrefixOption(cmd: Command): Command {
  return cmd.option('--prefix <prefix>', `key prefix of service instances (default "${DEFAULT_PREFIX}")`);
}

/** The option values of `cmd` merged with the program's: the command's own value wins. */
function sharedValues(cmd: Command): SharedValues {
  const merged: SharedValues = {};
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) chain.unshift(c);
  for (const c of chain) {
    const values = c.opts<SharedValues & { prefix?: unknown; key?: unknown }>();
    for (const name of ['endpoints', 'cacert', 'cert', 'key', 'timeout', 'user', 'prefix'] as const) {
      // Only options declared with these meanings count (pick's --key and kv's --prefix do not).
      if (!declaresShared(c, name)) continue;
      const value = values[name];
      if (value !== undefined) Object.assign(merged, { [name]: value });
    }
  }
  return merged;
}

function declaresShared(cmd: Command, name: string): boolean {
  const option = cmd.options.find((o) => o.attributeName() === name);
  if (option === undefined) return false;
  if (name === 'key') return option.flags === '--key <file>';
  if (name === 'prefix') return option.flags === '--prefix <prefix>';
  return true;
}

/** ConnectionOptions for the library from the command line (undefined fields fall back to env/defaults). */
export function connectionOptions(cmd: Command): ConnectionOptions {
  const v = sharedValues(cmd);
  if ((v.cert === undefined) !== (v.key === undefined)) throw new InvalidConfigError('--cert and --key go together: give both or neither');
  if (v.cert !== undefined && v.cacert === undefined) throw new InvalidConfigError('--cert/--key need --cacert');
  return {
    ...(v.endpoints !== undefined ? { endpoints: v.endpoints } : {}),
    ...(v.timeout !== undefined ? { timeoutMs: v.timeout } : {}),
    ...(v.user !== undefined ? { auth: v.user } : {}),
    ...(v.cacert !== undefined
      ? { tls: { ca: { path: v.cacert }, ...(v.cert !== undefined && v.key !== undefined ? { cert: { path: v.cert }, key: { path: v.key } } : {}) } }
      : {}),
  };
}

/** True when --endpoints was given on the command line (before or after the command). */
export function endpointsGiven(cmd: Command): boolean {
  return sharedValues(cmd).endpoints !== undefined;
}

/** The service key prefix: --prefix, or "services". */
export function servicePrefix(cmd: Command): string {
  return givenPrefix(cmd) ?? DEFAULT_PREFIX;
}

/** --prefix as given on the command line (before or after the command), else undefined. */
export function givenPrefix(cmd: Command): string | undefined {
  return sharedValues(cmd).prefix;
}

export function parseUser(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('expected name:password');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** "500" (ms), "500ms", "5s", "1.5s", "1m" -> milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError('expected a positive duration: ms, or 500ms, 5s, 1m');
  return Math.round(ms);
}

/** A whole number ≥ 1. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** For repeatable options: `--tag a --tag b`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The connection options as command-line arguments again, for child processes (the demo's instances). */
export function connectionArgv(cmd: Command, endpoints: string): string[] {
  const v = sharedValues(cmd);
  return [
    '--endpoints',
    endpoints,
    ...(v.timeout !== undefined ? ['--timeout', String(v.timeout)] : []),
    ...(v.cacert !== undefined ? ['--cacert', v.cacert] : []),
    ...(v.cert !== undefined && v.key !== undefined ? ['--cert', v.cert, '--key', v.key] : []),
    ...(v.user !== undefined ? ['--user', `${v.user.username}:${v.user.password}`] : []),
  ];
}

/**
 * Lease ids on the command line. etcd's ids are 64-bit; etcdctl prints them in hex (`%016x`) and
 * reads them back as hex, while rollcall's JSON and the library use decimal strings. Accepted:
 * `0x…`, anything with a hex letter, or exactly 16 digits (as etcdctl prints it) → hex; other
 * digit strings → decimal.
 */
const MAX_LEASE_ID = (1n << 64n) - 1n;

export function parseLeaseId(value: string): string {
  const text = value.trim().toLowerCase();
  let id: bigint;
  if (/^0x[0-9a-f]+$/.test(text)) id = BigInt(text);
  else if (/^[0-9a-f]+$/.test(text) && (/[a-f]/.test(text) || text.length === 16)) id = BigInt(`0x${text}`);
  else if (/^\d+$/.test(text)) id = BigInt(text);
  else throw new InvalidArgumentError('expected a lease id: hex as etcdctl prints it (e.g. 694d7f1b2c3d4e5f) or decimal');
  if (id <= 0n || id > MAX_LEASE_ID) throw new InvalidArgumentError('lease id out of range');
  return id.toString();
}

