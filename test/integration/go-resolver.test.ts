/**
 * A Go gRPC client using etcd's own resolver (clientv3/naming/resolver, etcd 3.4 from Debian)
 * and round_robin, calling Go gRPC servers registered by the rollcall CLI. It follows every
 * membership change rollcall makes: registration, a clean deregistration, a SIGKILLed
 * registrar's lease expiry, and re-registration, and it never panics (a JSON-object Metadata
 * would panic grpc-go: see docs/wire-format.md).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { startRollcall, type RunningCli } from '../helpers/cli.js';
import { goInteropProgram } from '../helpers/go-build.js';
import { startGo, type RunningGo } from '../helpers/go-interop.js';

const go = await goInteropProgram();

/** Calls that must all go to the expected servers, and cover each of them, to call routing settled. */
const WINDOW = 30;

const peersOf = (client: RunningGo): string[] =>
  client.lines().flatMap((line) => (line.event === 'call' && typeof line['peer'] === 'string' ? [line['peer']] : []));
const distinct = (peers: readonly string[]): string[] => [...new Set(peers)].sort();

function assertClientAlive(client: RunningGo): void {
  assert.equal(client.exit(), undefined, `the Go client exited; stderr:\n${client.stderr().slice(-3000)}`);
  assert.doesNotMatch(client.stderr(), /panic/, 'the Go client never panics');
}

/** Waits until the last WINDOW calls went to exactly `expected`, then checks the next WINDOW calls do too. */
async function assertRoutesTo(client: RunningGo, expected: readonly string[], what: string): Promise<void> {
  const want = distinct(expected);
  const settled = await waitFor(
    () => {
      if (client.exit() !== undefined) return { at: -1 };
      const peers = peersOf(client);
      if (peers.length < WINDOW) return undefined;
      return JSON.stringify(distinct(peers.slice(-WINDOW))) === JSON.stringify(want) ? { at: peers.length } : undefined;
    },
    { timeoutMs: 20_000, message: `calls to reach exactly ${want.join(', ')} (${what}); recent: ${distinct(peersOf(client).slice(-WINDOW)).join(', ')}` },
  );
  assertClientAlive(client);
  await waitFor(() => client.exit() !== undefined || peersOf(client).length >= settled.at + WINDOW, { message: `${WINDOW} more calls (${what})` });
  assertClientAlive(client);
  assert.deepEqual(distinct(peersOf(client).slice(settled.at)), want, `calls stay on ${want.join(', ')} (${what})`);
}

describe('Go gRPC client with etcd\'s resolver, servers registered by the rollcall CLI', { skip: go.skip ?? false }, () => {
  const server = useEtcd();

  it('round_robin reaches all three; deregistered -> no calls; SIGKILLed registrar -> none after its lease expires; re-registered -> calls again; never a panic', async (t) => {
    const binary = go.binary as string;
    const url = server.etcd.clientUrl;
    const prefix = 'goa';
    const target = `${prefix}/greeter`;
    const client = etcdClient(t, server.etcd);

    const servers = [0, 1, 2].map(() => startGo(t, binary, 'server', ['--addr', '127.0.0.1:0']));
    const addrs = await Promise.all(servers.map(async (s) => String((await s.waitForLine((l) => l.event === 'listening', 'its address'))['addr'])));
    const register = async (i: number): Promise<RunningCli> => {
      const reg = startRollcall(t, ['register', 'greeter', addrs[i] as string, '--id', `g${i}`, '--ttl', '2', '--prefix', prefix, '--endpoints', url]);
      await reg.waitForLine(/"event":"registered"/);
      return reg;
    };
    const registrars = await Promise.all([0, 1, 2].map(register));

    const caller = startGo(t, binary, 'client', ['--endpoints', url, '--target', target]);
    await assertRoutesTo(caller, addrs, 'three registered');

    // A clean stop: the registrar deletes its key at once.
    registrars[0]?.child.kill('SIGTERM');
    assert.deepEqual(await registrars[0]?.waitExit(10_000), { code: 0, signal: null });
    await assertRoutesTo(caller, [addrs[1] as string, addrs[2] as string], 'g0 deregistered');

    // A crash: the key stays until the 2 s lease expires, then etcd deletes it.
    registrars[1]?.child.kill('SIGKILL');
    await waitFor(async () => (await client.get(`${target}/g1`).exec()).kvs.length === 0, { timeoutMs: 15_000, message: 'g1 to expire' });
    await assertRoutesTo(caller, [addrs[2] as string], 'g1 expired');

    await Promise.all([register(0), register(1)]);
    await assertRoutesTo(caller, addrs, 'g0 and g1 registered again');

    assert.deepEqual(await caller.stop('SIGTERM'), { code: 0, signal: null });
    assert.doesNotMatch(caller.stderr(), /panic|unhashable|uncomparable/);
    assert.equal(caller.lines().filter((l) => l.event === 'unparsed').length, 0, 'every stdout line is JSON');
  });
});

