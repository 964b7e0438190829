/**
 * Test-only preload for the built CLI (`node --import <this file> dist/cli/main.js …`): sends the
 * CLI process a signal of its own at one exact moment of its start-up or shutdown, so e2e tests
 * hit windows that an outside `kill` only hits by luck. Nothing in rollcall knows about it; it
 * wraps Node and etcd3 functions the CLI calls. Configured by environment variables:
 *
 *   SIGNAL_PROBE_AT      the moment (below)
 *   SIGNAL_PROBE_SIGNAL  SIGINT (default) or SIGTERM
 *
 * Moments:
 *   grpc-load        while modules load: the first require of @grpc/grpc-js (before any output)
 *   before-grant     just before the first lease grant is sent (it is in flight when the signal lands)
 *   after-grant      right after etcd granted the first lease (before anything is put on it)
 *   log:<text>       just before the first stdout line that contains <text>
 *   term-child       just after the CLI first sends SIGTERM to another process (its clean-up)
 *   before-revoke    just before the CLI's first lease revoke (its clean-up)
 *
 * When it fires it writes `signal-probe: fired <moment>` to stderr, so a test can check that the
 * moment was reached.
 */
import { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;

const moment = process.env['SIGNAL_PROBE_AT'] ?? '';
const signal: NodeJS.Signals = process.env['SIGNAL_PROBE_SIGNAL'] === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
const require = createRequire(process.argv[1] ?? import.meta.url);
const originalKill = process.kill.bind(process);
// Only this process fires: children the CLI starts (demo instances) inherit NODE_OPTIONS, not the moment.
delete process.env['SIGNAL_PROBE_AT'];
let fired = false;

function fire(): void {
  if (fired) return;
  fired = true;
  process.stderr.write(`signal-probe: fired ${moment}\n`);
  originalKill(process.pid, signal);
}

/** Replaces `target[name]` with a wrapper that calls `before`/`after` around the original. */
function wrap(target: Record<string, unknown>, name: string, hooks: { before?: () => void; after?: () => void }): void {
  const original = target[name] as Method;
  target[name] = function (this: unknown, ...args: unknown[]): unknown {
    hooks.before?.();
    const result = original.apply(this, args);
    if (hooks.after !== undefined) {
      if (result instanceof Promise) return result.then((value: unknown) => (hooks.after?.(), value));
      hooks.after();
    }
    return result;
  };
}

function leaseClientPrototype(): Record<string, unknown> {
  const rpc = require('etcd3/lib/rpc') as { LeaseClient: { prototype: Record<string, unknown> } };
  return rpc.LeaseClient.prototype;
}

if (moment === 'grpc-load') {
  const Module = require('node:module') as unknown as { _load: Loader };
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === '@grpc/grpc-js') fire();
    return load.call(this, request, parent, isMain);
  };
} else if (moment === 'before-grant') {
  wrap(leaseClientPrototype(), 'leaseGrant', { before: fire });
} else if (moment === 'after-grant') {
  wrap(leaseClientPrototype(), 'leaseGrant', { after: fire });
} else if (moment === 'before-revoke') {
  wrap(leaseClientPrototype(), 'leaseRevoke', { before: fire });
} else if (moment.startsWith('log:')) {
  const text = moment.slice('log:'.length);
  const log = console.log.bind(console);
  console.log = (...args: unknown[]): void => {
    if (args.some((arg) => typeof arg === 'string' && arg.includes(text))) fire();
    log(...args);
  };
} else if (moment === 'term-child') {
  process.kill = (pid: number, sig?: string | number): true => {
    const sent = originalKill(pid, sig);
    if (pid !== process.pid && sig === 'SIGTERM') fire();
    return sent;
  };
  const childKill = ChildProcess.prototype.kill;
  ChildProcess.prototype.kill = function (this: ChildProcess, sig?: NodeJS.Signals | number): boolean {
    const sent = childKill.call(this, sig);
    if (sig === undefined || sig === 'SIGTERM') fire();
    return sent;
  };
} else if (moment !== '') {
  throw new Error(`signal-probe: unknown SIGNAL_PROBE_AT=${moment}`);
}
