// Signals at every moment of `rollcall etcd` and `rollcall demo` (the commands that start their own
// etcd): right after spawn, while modules load, after etcd answers but before the ready line (both
// found from outside by polling the port, and pinned by the probe), while running, and a second
// signal during the shutdown. Each ends with exit 0 (or, before Node ran rollcall's first line,
// death by the signal), and no etcd process, data dir or instance process left behind.
// Moments run two at a time: each uses its own etcd on its own port.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { freePort } from '../../src/dev/index.js';
import { processGone, waitFor } from '../helpers/etcd.js';
import { startRollcall, type RunningCli } from '../helpers/cli.js';
import { assertCleanOrKilledEarly, assertProbeFired, exitOf, etcdOnPort, reapEtcd, startProbed, type EtcdSeen } from '../helpers/cli-signals.js';

const READY = /etcd ready at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+), data dir (\S+), removed on exit\)/;
const DEMO_ETCD = /started a throwaway etcd at \S+ \(pid (\d+), data dir (\S+)\)/;

/** Resolves true once something accepts TCP connections on 127.0.0.1:`port`. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function assertEtcdGone(seen: EtcdSeen, port: number): void {
  assert.equal(processGone(seen.pid), true, `etcd pid ${seen.pid} left running`);
  assert.equal(existsSync(seen.dataDir), false, `data dir ${seen.dataDir} left behind`);
  assert.equal(etcdOnPort(port), undefined, `an etcd still serves port ${port}`);
}

function readySeen(cli: RunningCli): EtcdSeen | undefined {
  const ready = READY.exec(cli.output.stdout);
  return ready === null ? undefined : { pid: Number(ready[1]), dataDir: ready[2] ?? '' };
}

async function startEtcdCli(t: TestContext, moment?: string, signal: NodeJS.Signals = 'SIGINT'): Promise<{ cli: RunningCli; port: number }> {
  const port = await freePort();
  const args = ['etcd', '--port', String(port)];
  const cli = moment === undefined ? startRollcall(t, args) : startProbed(t, args, moment, signal);
  // Runs after startRollcall's own t.after (hooks run in the order added), which SIGKILLs a CLI
  // still running: then only a leaked etcd can be left, and it is killed and its dir removed.
  t.after(async () => reapEtcd(etcdOnPort(port) ?? readySeen(cli)));
  return { cli, port };
}

describe('rollcall etcd: SIGINT/SIGTERM at every moment', { concurrency: 2 }, () => {
  it('right after spawn: exit 0 (or killed before Node ran rollcall), no etcd on the port', async (t) => {
    const { cli, port } = await startEtcdCli(t);
    cli.child.kill('SIGINT');
    assertCleanOrKilledEarly(await exitOf(cli, 60_000), 'SIGINT');
    assert.equal(etcdOnPort(port), undefined);
  });

  it('SIGTERM while modules load (before any output): exit 0, no etcd started', async (t) => {
    const { cli, port } = await startEtcdCli(t, 'grpc-load', 'SIGTERM');
    assert.deepEqual(await exitOf(cli, 60_000), { code: 0, signal: null }, cli.output.stderr);
    assertProbeFired(cli, 'grpc-load');
    assert.equal(cli.output.stdout, '');
    assert.equal(etcdOnPort(port), undefined);
  });

  for (const attempt of [1, 2, 3]) {
    it(`SIGINT as soon as etcd answers on its port, before the ready line (from outside, try ${attempt}): exit 0, etcd and data dir gone`, async (t) => {
      const { cli, port } = await startEtcdCli(t);
      const seen = await waitFor(async () => (cli.exit === undefined && (await portAnswers(port)) ? etcdOnPort(port) : undefined), {
        timeoutMs: 60_000,
        intervalMs: 5,
        message: `etcd answering on port ${port}`,
      });
      cli.child.kill('SIGINT');
      assert.deepEqual(await exitOf(cli, 60_000), { code: 0, signal: null }, cli.output.stderr);
      assertEtcdGone(seen, port);
    });
  }

  it('SIGINT when etcd is healthy, just before the ready line (probe): exit 0, etcd and data dir gone', async (t) => {
    const { cli, port } = await startEtcdCli(t, 'log:etcd ready at');
    assert.deepEqual(await exitOf(cli, 60_000), { code: 0, signal: null }, cli.output.stderr);
    assertProbeFired(cli, 'log:etcd ready at');
    const seen = readySeen(cli);
    assert.ok(seen, cli.output.stdout);
    assertEtcdGone(seen, port);
  });

  it('SIGINT while running, then a second SIGINT while etcd stops: exit 0, etcd and data dir gone', async (t) => {
    const { cli, port } = await startEtcdCli(t, 'term-child');
    await cli.waitForLine(READY, 60_000);
    const seen = readySeen(cli);
    assert.ok(seen);
    cli.child.kill('SIGINT');
    assert.deepEqual(await exitOf(cli, 60_000), { code: 0, signal: null }, cli.output.stderr);
    assertProbeFired(cli, 'term-child');
    assertEtcdGone(seen, port);
  });
});

/** Every pid the demo printed (its etcd and instances), killed when `t` ends whatever happened. */
function demoPids(t: TestContext, demo: RunningCli): () => number[] {
  const pids = (): number[] => [...demo.output.stdout.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
  t.after(() => {
    for (const pid of pids()) if (!processGone(pid)) process.kill(pid, 'SIGKILL');
  });
  return pids;
}

function assertDemoLeftNothing(demo: RunningCli, pids: number[]): void {
  const out = demo.output.stdout;
  for (const pid of pids) assert.equal(processGone(pid), true, `pid ${pid} (etcd or instance) left running; stdout: ${out}`);
  const etcd = DEMO_ETCD.exec(out);
  if (etcd !== null) assert.equal(existsSync(etcd[2] ?? ''), false, `data dir ${etcd[2]} left behind`);
}

// One at a time: each demo starts five instance processes.
describe('rollcall demo: SIGINT at every moment', () => {
  it('while modules load (before any output): exit 0, nothing started', async (t) => {
    const demo = startProbed(t, ['demo'], 'grpc-load');
    const pids = demoPids(t, demo);
    assert.deepEqual(await exitOf(demo, 60_000), { code: 0, signal: null }, demo.output.stderr);
    assertProbeFired(demo, 'grpc-load');
    assert.doesNotMatch(demo.output.stdout, /throwaway etcd/);
    assertDemoLeftNothing(demo, pids());
  });

  it('as its etcd is up, before any instance: exit 0, etcd and data dir gone', async (t) => {
    const demo = startProbed(t, ['demo'], 'log:started a throwaway etcd');
    const pids = demoPids(t, demo);
    assert.deepEqual(await exitOf(demo, 60_000), { code: 0, signal: null }, demo.output.stderr);
    assertProbeFired(demo, 'log:started a throwaway etcd');
    assert.match(demo.output.stdout, DEMO_ETCD);
    assertDemoLeftNothing(demo, pids());
  });

  it('while its instances start: exit 0, instances, etcd and data dir gone', async (t) => {
    const demo = startProbed(t, ['demo'], 'log:started as pid');
    const pids = demoPids(t, demo);
    assert.deepEqual(await exitOf(demo, 60_000), { code: 0, signal: null }, demo.output.stderr);
    assertProbeFired(demo, 'log:started as pid');
    assert.match(demo.output.stdout, /started as pid \d+/);
    assertDemoLeftNothing(demo, pids());
  });

  // (SIGINT while it runs is in cli-demo.test.ts.) Here the first SIGINT comes once every instance
  // process is started, so the second one finds all of them to stop.
  it('once every instance started, then a second SIGINT as it stops: exit 0, instances, etcd and data dir gone', async (t) => {
    const demo = startProbed(t, ['demo'], 'log:received, stopping');
    const pids = demoPids(t, demo);
    await demo.waitForLine(/instance billing\/billing-2 .* started as pid/, 60_000);
    demo.child.kill('SIGINT');
    assert.deepEqual(await exitOf(demo, 60_000), { code: 0, signal: null }, demo.output.stderr);
    assertProbeFired(demo, 'log:received, stopping');
    assert.match(demo.output.stdout, /SIGINT again: killing the instances and etcd now/);
    assertDemoLeftNothing(demo, pids());
  });
});
