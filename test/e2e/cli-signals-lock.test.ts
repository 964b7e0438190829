// `rollcall lock <name> -- <command>` and signals at every moment, plus its own failures as
// errors: interrupted during start-up or while waiting -> `rollcall: interrupted …`, exit 1, the
// command not run, no queue key and no lease left; while the command runs every SIGINT/SIGTERM
// is forwarded to it and the lock is released after it; a command that cannot be started ->
// `rollcall: cannot run …`, exit 127; the lock lost while held -> the command gets SIGTERM,
// `rollcall: lock … was lost …`, exit 1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdctl, startRollcall } from '../helpers/cli.js';
import { assertProbeFired, exitOf, keysUnder, leaseCount, startProbed } from '../helpers/cli-signals.js';

const LOCK_KEYS = '__rollcall/lock/';
const TTL = '30';

/** A node one-liner: prints "child ready", counts SIGINT/SIGTERM, exits 7 at the second. */
const COUNTING_CHILD = [
  process.execPath,
  '-e',
  "let n = 0; const on = (s) => { n++; console.log('child got ' + s + ' ' + n); if (n === 2) process.exit(7); };" +
    " process.on('SIGINT', on); process.on('SIGTERM', on); console.log('child ready'); setInterval(() => {}, 1000);",
];

function markerDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-lock-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('rollcall lock: signals and its own failures', () => {
  const server = useEtcd();
  const lockArgs = (name: string, command: readonly string[]): string[] => ['lock', name, '--ttl', TTL, '--endpoints', server.etcd.clientUrl, '--', ...command];

  async function assertReleased(): Promise<void> {
    const url = server.etcd.clientUrl;
    assert.deepEqual(await keysUnder(url, LOCK_KEYS), []);
    assert.equal(await leaseCount(url), 0, 'a lease was left behind');
  }

  function assertInterrupted(stderr: string, signal: string, name: string): void {
    assert.match(stderr, new RegExp(`^rollcall: interrupted by ${signal} while (waiting for|taking) lock ${name}; the command was not run$`, 'm'));
    assert.doesNotMatch(stderr, /warning/);
  }

  it('right after spawn: exit 1 (or killed before Node ran rollcall), the command not run', async (t) => {
    const marker = join(markerDir(t), 'ran');
    const cli = startRollcall(t, lockArgs('sig-spawn', ['touch', marker]));
    cli.child.kill('SIGINT');
    const exit = await exitOf(cli);
    assert.ok((exit.code === 1 && exit.signal === null) || exit.signal === 'SIGINT', JSON.stringify(exit));
    assert.equal(existsSync(marker), false);
    await assertReleased();
  });

  it('SIGTERM while modules load: rollcall: interrupted …, exit 1, the command not run', async (t) => {
    const marker = join(markerDir(t), 'ran');
    const cli = startProbed(t, lockArgs('sig-load', ['touch', marker]), 'grpc-load', 'SIGTERM');
    assert.deepEqual(await exitOf(cli), { code: 1, signal: null }, cli.output.stderr);
    assertProbeFired(cli, 'grpc-load');
    assertInterrupted(cli.output.stderr, 'SIGTERM', 'sig-load');
    assert.equal(existsSync(marker), false);
    await assertReleased();
  });

  it('SIGINT right after its session lease is granted: exit 1, the lease revoked, the command not run', async (t) => {
    const marker = join(markerDir(t), 'ran');
    const cli = startProbed(t, lockArgs('sig-grant', ['touch', marker]), 'after-grant');
    assert.deepEqual(await exitOf(cli), { code: 1, signal: null }, cli.output.stderr);
    assertProbeFired(cli, 'after-grant');
    assertInterrupted(cli.output.stderr, 'SIGINT', 'sig-grant');
    assert.equal(existsSync(marker), false);
    await assertReleased();
  });

  it('SIGINT while waiting behind a holder: exit 1, its queue key removed, the holder unaffected', async (t) => {
    const url = server.etcd.clientUrl;
    const holder = startRollcall(t, lockArgs('sig-wait', COUNTING_CHILD));
    await holder.waitForLine(/child ready/, 30_000);
    const waiter = startRollcall(t, lockArgs('sig-wait', ['true']));
    await waitFor(async () => (await keysUnder(url, `${LOCK_KEYS}sig-wait/`)).length === 2, { timeoutMs: 30_000, message: 'the waiter to queue' });
    waiter.child.kill('SIGINT');
    assert.deepEqual(await exitOf(waiter), { code: 1, signal: null }, waiter.output.stderr);
    assertInterrupted(waiter.output.stderr, 'SIGINT', 'sig-wait');
    assert.equal((await keysUnder(url, `${LOCK_KEYS}sig-wait/`)).length, 1);

    holder.child.kill('SIGTERM');
    await holder.waitForLine(/child got SIGTERM 1/);
    holder.child.kill('SIGTERM');
    assert.deepEqual(await exitOf(holder), { code: 7, signal: null }, holder.output.stderr);
    await assertReleased();
  });

  it('while the command runs: each SIGINT is forwarded, exit with its code, then the lock is released', async (t) => {
    const cli = startRollcall(t, lockArgs('sig-run', COUNTING_CHILD));
    await cli.waitForLine(/child ready/, 30_000);
    cli.child.kill('SIGINT');
    await cli.waitForLine(/child got SIGINT 1/);
    cli.child.kill('SIGINT');
    assert.deepEqual(await exitOf(cli), { code: 7, signal: null }, cli.output.stderr);
    assert.match(cli.output.stdout, /child got SIGINT 2/);
    await assertReleased();
  });

  it('a command that cannot be started: rollcall: cannot run …, exit 127, the lock released', async (t) => {
    const cli = startRollcall(t, lockArgs('sig-missing', ['/nonexistent/rollcall-no-such-command']));
    assert.deepEqual(await exitOf(cli), { code: 127, signal: null }, cli.output.stderr);
    assert.match(cli.output.stderr, /^rollcall: cannot run \/nonexistent\/rollcall-no-such-command: .*ENOENT/m);
    assert.doesNotMatch(cli.output.stderr, /warning/);
    await assertReleased();
  });

  it('the lock lost while held: the command gets SIGTERM, rollcall: lock … was lost …, exit 1', async (t) => {
    const url = server.etcd.clientUrl;
    const cli = startRollcall(t, lockArgs('sig-lost', COUNTING_CHILD));
    await cli.waitForLine(/child ready/, 30_000);
    const lease = /^([0-9a-f]+)$/m.exec((await etcdctl(url, 'lease', 'list')).split('\n').slice(1).join('\n'))?.[1];
    assert.ok(lease, 'the lock holder has a lease');
    await etcdctl(url, 'lease', 'revoke', lease);
    await cli.waitForLine(/child got SIGTERM 1/, 30_000);
    // The counting child exits only at a second signal: send it, as an impatient user would.
    cli.child.kill('SIGTERM');
    assert.deepEqual(await exitOf(cli), { code: 1, signal: null }, cli.output.stderr);
    assert.match(cli.output.stderr, /^rollcall: lock sig-lost was lost while held \(.+\); the command was stopped with SIGTERM$/m);
    await assertReleased();
  });
});
