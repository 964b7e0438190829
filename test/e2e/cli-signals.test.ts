// Signals at every moment of the long-running commands that talk to an existing etcd: register,
// watch, kv watch and lease keep-alive. Moments: right after spawn, while modules load (before any
// output), during start-up (register: between the lease grant and the put; keep-alive: at the
// first answer), while running, and a second signal during the clean-up. Each ends with exit 0
// (or, before Node ran rollcall's first line, death by the signal), and register leaves neither a
// key nor a lease: its TTL is long, so only a revoke can make the lease disappear in time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdctl, startRollcall } from '../helpers/cli.js';
import { assertCleanOrKilledEarly, assertProbeFired, exitOf, keysUnder, leaseCount, revokeAllLeases, startProbed } from '../helpers/cli-signals.js';

const LONG_TTL = '60';
const CLEAN = { code: 0, signal: null };

describe('rollcall register: SIGINT/SIGTERM at every moment leaves no key and no lease', () => {
  const server = useEtcd();
  const args = (id: string): string[] => ['register', 'sig', '127.0.0.1:7000', '--id', id, '--ttl', LONG_TTL, '--endpoints', server.etcd.clientUrl];

  async function assertNothingLeft(): Promise<void> {
    const url = server.etcd.clientUrl;
    assert.deepEqual(await keysUnder(url, 'services/sig/'), []);
    assert.equal(await leaseCount(url), 0, 'a lease was left behind');
  }

  it('right after spawn', async (t) => {
    const cli = startRollcall(t, args('spawn'));
    cli.child.kill('SIGINT');
    assertCleanOrKilledEarly(await exitOf(cli), 'SIGINT');
    await assertNothingLeft();
  });

  it('SIGTERM while modules load (before any output): exit 0', async (t) => {
    const cli = startProbed(t, args('load'), 'grpc-load', 'SIGTERM');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
    assertProbeFired(cli, 'grpc-load');
    assert.equal(cli.output.stdout, '');
    await assertNothingLeft();
  });

  it('SIGINT between the lease grant and the put: exit 0, the lease is revoked', async (t) => {
    const cli = startProbed(t, args('grant'), 'after-grant');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
    assertProbeFired(cli, 'after-grant');
    assert.doesNotMatch(cli.output.stdout, /"event":"registered"/);
    await assertNothingLeft();
  });

  it('SIGINT just as the key is committed (before the registered line): exit 0', async (t) => {
    const cli = startProbed(t, args('committed'), 'log:"event":"registered"');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
    assertProbeFired(cli, 'log:"event":"registered"');
    await assertNothingLeft();
  });

  it('SIGINT while running, a second SIGINT just before the revoke: exit 0, key and lease gone', async (t) => {
    const cli = startProbed(t, args('second'), 'before-revoke');
    await cli.waitForLine(/"event":"registered"/, 30_000);
    cli.child.kill('SIGINT');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
    assertProbeFired(cli, 'before-revoke');
    await assertNothingLeft();
  });

  it('SIGINT while the lease grant is in flight: exit 0, the lease it grants is revoked', async (t) => {
    // Last in this suite, and it cleans up what it may leave, so the others are not affected.
    t.after(async () => revokeAllLeases(server.etcd.clientUrl));
    const cli = startProbed(t, args('granting'), 'before-grant');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
    assertProbeFired(cli, 'before-grant');
    assert.doesNotMatch(cli.output.stdout, /"event":"registered"/);
    await assertNothingLeft();
  });
});

describe('rollcall watch, kv watch, lease keep-alive: SIGINT/SIGTERM at every moment exits 0', () => {
  const server = useEtcd();
  const url = (): string => server.etcd.clientUrl;
  const commands: Record<string, () => Promise<string[]>> = {
    watch: async () => ['watch', '--json', '--endpoints', url()],
    'kv watch': async () => ['kv', 'watch', 'sig/', '--prefix', '--endpoints', url()],
    'lease keep-alive': async () => {
      const id = /lease ([0-9a-f]+) granted/.exec(await etcdctl(url(), 'lease', 'grant', LONG_TTL))?.[1];
      assert.ok(id);
      return ['lease', 'keep-alive', id, '--endpoints', url()];
    },
  };

  for (const [name, argsOf] of Object.entries(commands)) {
    it(`${name}: right after spawn`, async (t) => {
      const cli = startRollcall(t, await argsOf());
      cli.child.kill('SIGINT');
      assertCleanOrKilledEarly(await exitOf(cli), 'SIGINT');
    });

    it(`${name}: SIGTERM while modules load (before any output)`, async (t) => {
      const cli = startProbed(t, await argsOf(), 'grpc-load', 'SIGTERM');
      assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
      assertProbeFired(cli, 'grpc-load');
      assert.equal(cli.output.stdout, '');
    });
  }

  it('lease keep-alive: SIGINT at the first answer (before its line): exit 0, the lease is left alive', async (t) => {
    const args = await commands['lease keep-alive']?.();
    assert.ok(args);
    const cli = startProbed(t, args, 'log:keepalived');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
    assertProbeFired(cli, 'log:keepalived');
    // keep-alive only keeps a lease alive; stopping it must not revoke the lease.
    assert.match(await etcdctl(url(), 'lease', 'timetolive', args[2] ?? ''), /remaining\(\d+s\)/);
  });

  it('watch: while running, then a second SIGINT at once: exit 0', async (t) => {
    await etcdctl(url(), 'put', 'services/sigw/w1', JSON.stringify({ Op: 0, Addr: '127.0.0.1:7001' }));
    const cli = startRollcall(t, ['watch', 'sigw', '--json', '--endpoints', url()]);
    await cli.waitForLine(/"id":"w1"/, 30_000);
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
  });

  it('kv watch: while running, then a second SIGTERM at once: exit 0', async (t) => {
    const cli = startRollcall(t, ['kv', 'watch', 'sigkv/', '--prefix', '--endpoints', url()]);
    // The watch starts at some point after spawn: put until it prints a change.
    let n = 0;
    await waitFor(async () => {
      await etcdctl(url(), 'put', 'sigkv/k', String(++n));
      return cli.output.stdout.includes('sigkv/k');
    }, { timeoutMs: 30_000, message: 'kv watch to print a put' });
    cli.child.kill('SIGTERM');
    cli.child.kill('SIGTERM');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
  });

  it('lease keep-alive: while running, then a second SIGINT at once: exit 0', async (t) => {
    const args = await commands['lease keep-alive']?.();
    assert.ok(args);
    const cli = startRollcall(t, args);
    await cli.waitForLine(/keepalived with TTL/, 30_000);
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    assert.deepEqual(await exitOf(cli), CLEAN, cli.output.stderr);
  });
});
