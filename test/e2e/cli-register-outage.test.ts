// The built CLI's `rollcall register` through an etcd outage (etcd paused with SIGSTOP for a few
// seconds): one line when contact is lost, one when etcd answers again (with the count of failed
// keepalives), at most one reminder in between, and no line per failed keepalive; the instance is
// registered again afterwards. Counts of lines are asserted, not timings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { etcdClient, startEtcd, waitFor } from '../helpers/etcd.js';
import { startRollcall } from '../helpers/cli.js';

describe('rollcall register: a quiet outage (built CLI)', () => {
  it('etcd paused: lost contact once, answers again once, no warning per keepalive; registered afterwards', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    const reg = startRollcall(t, ['register', 'api', '1.1.1.1:1', '--id', 'o1', '--ttl', '3', '--timeout', '500ms', '--endpoints', etcd.clientUrl]);
    await reg.waitForLine(/"event":"registered"/);
    const stderrLines = (): string[] => reg.output.stderr.split('\n').filter((line) => line !== '');

    etcd.pause();
    t.after(() => {
      if (etcd.paused) etcd.resume();
    });
    await waitFor(() => stderrLines().some((line) => /lost contact with etcd/.test(line)), { timeoutMs: 10_000, message: 'the lost-contact line' });
    // The outage itself: etcd stays paused a while longer (this is the fault, not a wait for a result).
    await delay(3000);
    etcd.resume();
    await waitFor(() => stderrLines().some((line) => /etcd answers again/.test(line)), { timeoutMs: 15_000, message: 'the recovery line' });
    await waitFor(async () => (await client.get('services/api/o1').string()) !== null, { timeoutMs: 10_000, message: 'the key back in etcd' });

    const lines = stderrLines();
    t.diagnostic(lines.join(' / '));
    assert.equal(lines.filter((line) => /lost contact with etcd/.test(line)).length, 1, lines.join('\n'));
    assert.equal(lines.filter((line) => /etcd answers again/.test(line)).length, 1, lines.join('\n'));
    assert.ok(lines.filter((line) => /still no answer/.test(line)).length <= 1, lines.join('\n'));
    assert.ok(lines.length <= 4, `a handful of lines, not one per failed attempt:\n${lines.join('\n')}`);
    const recovery = lines.find((line) => /etcd answers again/.test(line)) ?? '';
    const failed = Number(/(\d+) keepalives? failed/.exec(recovery)?.[1]);
    assert.ok(failed >= 2, `the recovery line counts the failed keepalives (${recovery})`);
    assert.ok(lines.filter((line) => /keepalive/.test(line)).length <= 2, 'failed keepalives are counted, not printed one by one');

    reg.child.kill('SIGTERM');
    assert.equal((await reg.waitExit()).code, 0);
  });
});
