// The built CLI: `rollcall etcd --members 3` starts a local 3-member cluster, prints each member's
// endpoint, keeps serving when a member is SIGKILLed (the others elect a leader), and on SIGINT
// stops every member, removes their temp data dirs and exits 0. A second SIGINT while stopping
// still exits 0 and leaves nothing. --members with --port is refused.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { processGone, waitFor } from '../helpers/etcd.js';
import { etcdctl, rollcall, startRollcall, type RunningCli } from '../helpers/cli.js';

const MEMBER = /^etcd member m(\d) ready at (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+), data dir (.+?), removed on exit\)$/;

interface Member {
  endpoint: string;
  pid: number;
  dataDir: string;
}

async function startMembers(t: TestContext, count: number): Promise<{ cli: RunningCli; members: Member[] }> {
  const cli = startRollcall(t, ['etcd', '--members', String(count)]);
  t.after(() => {
    for (const line of cli.stdoutLines()) {
      const pid = Number(MEMBER.exec(line)?.[3]);
      if (pid > 0 && !processGone(pid)) process.kill(pid, 'SIGKILL');
    }
  });
  await cli.waitForLine(/^cluster of \d+ ready/, 30_000);
  const members = cli.stdoutLines().flatMap((line) => {
    const m = MEMBER.exec(line);
    return m === null ? [] : [{ endpoint: m[2] ?? '', pid: Number(m[3]), dataDir: m[4] ?? '' }];
  });
  return { cli, members };
}

describe('rollcall etcd --members', () => {
  it('3 members: one line each, a write through one is read through another, a killed member does not end it; SIGINT -> exit 0, all gone', async (t) => {
    const { cli, members } = await startMembers(t, 3);
    assert.equal(members.length, 3, cli.output.stdout);
    const [a, b, c] = members as [Member, Member, Member];
    await etcdctl(a.endpoint, 'put', 'members-key', 'v1');
    assert.match(await etcdctl(b.endpoint, 'get', 'members-key'), /v1/);

    process.kill(c.pid, 'SIGKILL');
    await waitFor(() => processGone(c.pid), { message: 'the killed member to exit' });
    await waitFor(async () => /v2/.test(await etcdctl(b.endpoint, 'put', 'members-key', 'v2').then(() => etcdctl(a.endpoint, 'get', 'members-key'))), {
      timeoutMs: 15_000,
      message: 'the two remaining members to serve writes',
    });
    assert.equal(cli.exit, undefined, 'the command keeps running after a member died');

    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.waitExit(30_000), { code: 0, signal: null });
    for (const m of members) {
      assert.ok(processGone(m.pid), `member pid ${m.pid} gone`);
      assert.equal(existsSync(m.dataDir), false, `${m.dataDir} removed`);
    }
  });

  it('a second SIGINT while stopping still exits 0 and leaves no member behind', async (t) => {
    const { cli, members } = await startMembers(t, 3);
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.waitExit(30_000), { code: 0, signal: null });
    for (const m of members) {
      await waitFor(() => processGone(m.pid), { message: `member pid ${m.pid} gone` });
      assert.equal(existsSync(m.dataDir), false, `${m.dataDir} removed`);
    }
  });

  it('--members with --port is refused with exit 1', async () => {
    const result = await rollcall(['etcd', '--members', '3', '--port', '2379']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /cannot be combined with --port/);
  });
});
