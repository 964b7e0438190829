// `rollcall demo --duration` on the built CLI: it starts its own etcd and instance processes,
// prints picks, an expired and a deregistered removal, exits 0 by itself, and leaves no child
// process (by the pids it printed and by its pgrep marker) and no etcd data dir behind. On a
// shared etcd that already holds services/api/api-1 it uses a prefix of its own and leaves that key alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { processGone, useEtcd } from '../helpers/etcd.js';
import { etcdctl, startRollcall } from '../helpers/cli.js';

function pgrep(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

describe('rollcall demo (built CLI)', () => {
  it('--duration 8: picks, expired and deregistered removals, exit 0, nothing left running', async (t) => {
    const demo = startRollcall(t, ['demo', '--duration', '8']);
    t.after(() => {
      // Whatever the outcome, kill the etcd and instances it printed.
      for (const match of demo.output.stdout.matchAll(/pid (\d+)/g)) {
        const pid = Number(match[1]);
        if (!processGone(pid)) process.kill(pid, 'SIGKILL');
      }
    });
    const exit = await demo.waitExit(60_000);
    const out = demo.output.stdout;
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${demo.output.stderr}\nstdout: ${out}`);

    const etcd = /started a throwaway etcd at (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+), data dir (\S+)\)/.exec(out);
    assert.ok(etcd, out);
    const marker = /marker (rollcall-demo-\d+)/.exec(out)?.[1];
    assert.ok(marker, out);
    const instancePids = [...out.matchAll(/started as pid (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(instancePids.length, 5);

    // Picks: every api instance is picked while up; after the crash api-2 is not.
    assert.match(out, /round 1 .*\n\s+api \(weighted\)\s+(api-\d ?)+\n\s+billing \(round-robin\)\s+(billing-\d ?)+/);
    assert.match(out, /removed api\/api-2 .* reason expired/);
    assert.match(out, /api-2 removed \d+ ms after the crash, reason expired/);
    assert.match(out, /removed billing\/billing-2 .* reason deregistered/);
    assert.match(out, /billing-2 removed \d+ ms after SIGTERM, reason deregistered/);
    const afterCrash = out.slice(out.indexOf('reason expired'));
    assert.match(afterCrash, /round \d+ \(without api-2\):\n\s+api \(weighted\)\s+((api-1|api-3) ?)+\n/);
    assert.match(out, /demo: done, nothing left running\n$/);

    assert.equal(existsSync(etcd[3] ?? ''), false, `data dir ${etcd[3]} left behind`);
    assert.equal(processGone(Number(etcd[2])), true, 'etcd still running');
    for (const pid of instancePids) assert.equal(processGone(pid), true, `instance pid ${pid} still running`);
    assert.equal(pgrep(marker), '', `processes with marker ${marker} left`);
  });

  it('SIGINT while running: stops every instance and its etcd, exit 0', async (t) => {
    const demo = startRollcall(t, ['demo']);
    t.after(() => {
      for (const match of demo.output.stdout.matchAll(/pid (\d+)/g)) {
        const pid = Number(match[1]);
        if (!processGone(pid)) process.kill(pid, 'SIGKILL');
      }
    });
    await demo.waitForLine(/^round 1 /, 30_000);
    demo.child.kill('SIGINT');
    assert.deepEqual(await demo.waitExit(30_000), { code: 0, signal: null }, demo.output.stderr);
    const out = demo.output.stdout;
    assert.match(out, /SIGINT received, stopping/);
    assert.match(out, /demo: done, nothing left running\n$/);
    const marker = /marker (rollcall-demo-\d+)/.exec(out)?.[1] ?? 'missing-marker';
    assert.equal(pgrep(marker), '');
    const dataDir = /data dir (\S+)\)/.exec(out)?.[1] ?? '';
    assert.equal(existsSync(dataDir), false);
  });

  describe('on a shared etcd', () => {
    const server = useEtcd();

    it('--endpoints: keys under a demo-<random> prefix of its own; another owner\'s services/api/api-1 is left alone; nothing left after', async (t) => {
      const url = server.etcd.clientUrl;
      const lease = /lease ([0-9a-f]+) granted/.exec(await etcdctl(url, 'lease', 'grant', '120'))?.[1] ?? '';
      await etcdctl(url, 'put', 'services/api/api-1', '{"Op":0,"Addr":"10.9.9.9:1","Metadata":null}', `--lease=${lease}`);
      const demo = startRollcall(t, ['demo', '--duration', '6', '--endpoints', url]);
      t.after(() => {
        for (const match of demo.output.stdout.matchAll(/started as pid (\d+)/g)) {
          const pid = Number(match[1]);
          if (!processGone(pid)) process.kill(pid, 'SIGKILL');
        }
      });
      const exit = await demo.waitExit(60_000);
      const out = demo.output.stdout;
      assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${demo.output.stderr}\nstdout: ${out}`);
      const prefix = /instances live under (demo-[0-9a-f]{8})\//.exec(out)?.[1];
      assert.ok(prefix, out);
      assert.match(out, /removed api\/api-2 .* reason expired/);
      assert.equal(await etcdctl(url, 'get', 'services/api/api-1', '--print-value-only'), '{"Op":0,"Addr":"10.9.9.9:1","Metadata":null}\n');
      // Every instance deregistered or expired (the crashed one before its removal was narrated).
      assert.equal(await etcdctl(url, 'get', `${prefix}/`, '--prefix', '--keys-only'), '');
    });
  });
});
