// EtcdProcess against the real etcd binary: start -> serve -> stop leaves nothing; failed starts
// leave nothing; restart keeps or wipes data; pause/resume; the exit safety net.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { EtcdProcessError } from '../../src/errors.js';
import { DATA_DIR_MARKER, EtcdProcess, freePort, isHealthy } from '../../src/dev/index.js';
import { etcdClient, eventually, processGone, processState, startEtcd, waitFor } from '../helpers/etcd.js';

const run = promisify(execFile);

function detailsOf(error: unknown): { pid: number; dataDir: string } {
  assert.ok(error instanceof EtcdProcessError, `expected EtcdProcessError, got ${String(error)}`);
  const { pid, dataDir } = error.details;
  assert.equal(typeof pid, 'number');
  assert.equal(typeof dataDir, 'string');
  return { pid: pid as number, dataDir: dataDir as string };
}

describe('EtcdProcess', () => {
  it('start -> serves put/get through etcd3 -> stop leaves no process and no data dir', async () => {
    const etcd = await EtcdProcess.start();
    try {
      assert.match(etcd.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(etcd.endpoints, [etcd.clientUrl]);
      assert.ok(basename(etcd.dataDir).startsWith(DATA_DIR_MARKER), etcd.dataDir);
      assert.ok(existsSync(etcd.dataDir));
      assert.equal(etcd.running, true);
      assert.equal(processGone(etcd.pid), false);

      const client = new Etcd3({ hosts: etcd.endpoints });
      try {
        await client.put('rollcall/harness').value('hello');
        assert.equal(await client.get('rollcall/harness').string(), 'hello');
      } finally {
        client.close();
      }
    } finally {
      await etcd.stop();
    }
    assert.equal(etcd.running, false);
    assert.equal(processGone(etcd.pid), true, `etcd pid ${etcd.pid} still exists`);
    assert.equal(existsSync(etcd.dataDir), false, `${etcd.dataDir} still exists`);
    await etcd.stop(); // idempotent
  });

  it('start with an invalid flag -> EtcdProcessError with etcd stderr, nothing left behind', async () => {
    let caught: unknown;
    await assert.rejects(
      EtcdProcess.start({ extraArgs: ['--no-such-flag-rollcall'] }).catch((error: unknown) => {
        caught = error;
        throw error;
      }),
      (error: unknown) => error instanceof EtcdProcessError && error.code === 'ERR_ETCD_PROCESS',
    );
    const { pid, dataDir } = detailsOf(caught);
    assert.match((caught as Error).message, /no-such-flag-rollcall/);
    assert.equal(processGone(pid), true);
    assert.equal(existsSync(dataDir), false);
  });

  it('start on a client port already in use -> EtcdProcessError "port N is in use", no etcd started', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const error = await EtcdProcess.start({ clientPort: port }).then(
        () => assert.fail('start should fail on a busy port'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof EtcdProcessError, `expected EtcdProcessError, got ${String(error)}`);
      assert.equal((error as Error).message, `port ${port} is in use`);
      assert.equal(error.details.port, port);
      // Checked before etcd was spawned: no pid, no data dir to leave behind.
      assert.equal(error.details.pid, undefined);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('restart() keeps the data; restart({ wipeData: true }) loses it', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    await client.put('kept').value('1');
    const firstPid = etcd.pid;

    await etcd.restart();
    assert.notEqual(etcd.pid, firstPid);
    assert.equal(processGone(firstPid), true);
    assert.equal(etcd.running, true);
    await eventually(async () => assert.equal(await client.get('kept').string(), '1'));

    await etcd.restart({ wipeData: true });
    await eventually(async () => assert.equal(await client.get('kept').string(), null));
  });

  it('kill() (SIGKILL) keeps the data dir; restart() brings etcd back with its data', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    await client.put('survives').value('yes');
    const exits: Array<boolean> = [];
    etcd.onExit((exit) => exits.push(exit.expected));

    await etcd.kill();
    assert.equal(etcd.running, false);
    assert.equal(processGone(etcd.pid), true);
    assert.ok(existsSync(etcd.dataDir));
    assert.deepEqual(exits, [true]);

    await etcd.restart();
    await eventually(async () => assert.equal(await client.get('survives').string(), 'yes'));
  });

  it('pause() stops the process (state T) and resume() lets it serve again', async (t) => {
    const etcd = await startEtcd(t);
    etcd.pause();
    assert.equal(etcd.paused, true);
    await waitFor(() => processState(etcd.pid) === 'T', { message: 'etcd to be in state T' });
    await assert.rejects(isHealthy(etcd.metricsUrl, 300));

    etcd.resume();
    assert.equal(etcd.paused, false);
    await waitFor(() => isHealthy(etcd.metricsUrl), { message: 'etcd healthy after resume' });
  });

  it('a caller-given dataDir is kept after stop by default, removed with keepDataDir: false', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'rollcall-harness-test-'));
    try {
      const kept = await EtcdProcess.start({ dataDir: join(parent, 'kept') });
      await kept.stop();
      assert.equal(processGone(kept.pid), true);
      assert.ok(readdirSync(kept.dataDir).includes('member'), 'kept dir should hold etcd data');

      const removed = await EtcdProcess.start({ dataDir: join(parent, 'removed'), keepDataDir: false });
      await removed.stop();
      assert.equal(existsSync(removed.dataDir), false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('exit safety net: a process that exits without stop() leaves no etcd and no data dir', async () => {
    const harness = new URL('../../src/dev/index.js', import.meta.url).href;
    const script = `
      const { EtcdProcess } = await import(${JSON.stringify(harness)});
      const etcd = await EtcdProcess.start();
      console.log(JSON.stringify({ pid: etcd.pid, dataDir: etcd.dataDir }));
      process.exit(0);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const { pid, dataDir } = JSON.parse(stdout.trim()) as { pid: number; dataDir: string };
    assert.ok(pid > 0);
    await waitFor(() => processGone(pid), { message: `orphaned etcd pid ${pid} to be gone` });
    assert.equal(existsSync(dataDir), false, `${dataDir} still exists`);
  });
});
