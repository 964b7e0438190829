// The built CLI's etcdctl-style commands against a real etcd, cross-checked with the real
// etcdctl: kv get/put/del/watch (with --prefix, --ttl, --lease, --json), lease grant/revoke/ttl/
// keep-alive (hex ids like etcdctl, decimal in --json and accepted back), and lock (runs the
// command holding the lock, one holder at a time, exits with the command's exit code, releases).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdctl, rollcall, startRollcall } from '../helpers/cli.js';

describe('rollcall kv, lease and lock (built CLI)', () => {
  const server = useEtcd();

  it('kv put/get/del: etcdctl output form, --prefix, --json; etcdctl sees the same keys', async () => {
    const e = ['--endpoints', server.etcd.clientUrl];
    assert.deepEqual(await rollcall(['kv', 'put', 'cfg/a', 'one', ...e]).then((r) => [r.code, r.stdout]), [0, 'OK\n']);
    await rollcall(['kv', 'put', 'cfg/b', 'two words', ...e]);
    assert.equal(await etcdctl(server.etcd.clientUrl, 'get', 'cfg/b', '--print-value-only'), 'two words\n');
    assert.equal((await rollcall(['kv', 'get', 'cfg/a', ...e])).stdout, 'cfg/a\none\n');
    assert.equal((await rollcall(['kv', 'get', 'cfg/', '--prefix', ...e])).stdout, 'cfg/a\none\ncfg/b\ntwo words\n');
    assert.equal((await rollcall(['kv', 'get', 'cfg/', ...e])).stdout, '');
    const json = JSON.parse((await rollcall(['kv', 'get', 'cfg/a', '--json', ...e])).stdout) as Record<string, unknown>[];
    assert.equal(json.length, 1);
    assert.equal(json[0]?.['key'], 'cfg/a');
    assert.equal(json[0]?.['value'], 'one');
    assert.equal(json[0]?.['lease'], '0');
    assert.equal(json[0]?.['version'], 1);
    assert.deepEqual(await rollcall(['kv', 'del', 'cfg/a', ...e]).then((r) => [r.code, r.stdout]), [0, '1\n']);
    assert.deepEqual(await rollcall(['kv', 'del', 'cfg/', '--prefix', ...e]).then((r) => [r.code, r.stdout]), [0, '1\n']);
    assert.equal(await etcdctl(server.etcd.clientUrl, 'get', 'cfg/', '--prefix'), '');
  });

  it('kv put --ttl puts on a new lease that expires; --lease with an etcdctl hex id attaches to it', async (t) => {
    const url = server.etcd.clientUrl;
    const client = etcdClient(t, server.etcd);
    assert.equal((await rollcall(['kv', 'put', 'tmp/ttl', 'x', '--ttl', '2', '--endpoints', url])).code, 0);
    const json = JSON.parse((await rollcall(['kv', 'get', 'tmp/ttl', '--json', '--endpoints', url])).stdout) as { lease: string }[];
    assert.notEqual(json[0]?.lease, '0');
    await waitFor(async () => (await client.get('tmp/ttl').string()) === null, { timeoutMs: 4000, message: 'tmp/ttl to expire' });

    const hex = /lease ([0-9a-f]+) granted with TTL\(60s\)/.exec(await etcdctl(url, 'lease', 'grant', '60'))?.[1] ?? '';
    assert.equal((await rollcall(['kv', 'put', 'tmp/leased', 'y', '--lease', hex, '--endpoints', url])).code, 0);
    assert.match(await etcdctl(url, 'lease', 'timetolive', hex, '--keys'), /tmp\/leased/);
  });

  it('kv watch --prefix prints PUT/DELETE events from now on (and --json lines); SIGINT exits 0', async (t) => {
    const url = server.etcd.clientUrl;
    await etcdctl(url, 'put', 'w/old', 'before');
    const watch = startRollcall(t, ['kv', 'watch', 'w/', '--prefix', '--endpoints', url]);
    const json = startRollcall(t, ['kv', 'watch', 'w/new', '--json', '--endpoints', url]);
    // The watches are live once a put made after they started shows up; poll with puts.
    await waitFor(async () => {
      await etcdctl(url, 'put', 'w/new', 'v1');
      return watch.output.stdout.includes('PUT\nw/new\nv1\n') && json.output.stdout.includes('"value":"v1"');
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'both watches to see a put' });
    await etcdctl(url, 'del', 'w/new');
    await waitFor(() => watch.output.stdout.includes('DELETE\nw/new\n') && json.output.stdout.includes('"type":"DELETE"'), { message: 'the delete' });
    assert.doesNotMatch(watch.output.stdout, /w\/old/);
    for (const line of json.stdoutLines()) assert.equal((JSON.parse(line) as { key: string }).key, 'w/new');
    watch.child.kill('SIGINT');
    json.child.kill('SIGTERM');
    assert.deepEqual(await watch.waitExit(), { code: 0, signal: null });
    assert.deepEqual(await json.waitExit(), { code: 0, signal: null });
  });

  it('lease grant (hex, --json decimal), ttl --keys, keep-alive, revoke; etcdctl agrees', async (t) => {
    const url = server.etcd.clientUrl;
    const e = ['--endpoints', url];
    const granted = await rollcall(['lease', 'grant', '30', ...e]);
    const hex = /^lease ([0-9a-f]+) granted with TTL\(30s\)\n$/.exec(granted.stdout)?.[1];
    assert.ok(hex, granted.stdout);
    assert.match(await etcdctl(url, 'lease', 'timetolive', hex), /granted with TTL\(30s\)/);
    const json = JSON.parse((await rollcall(['lease', 'grant', '30', '--json', ...e])).stdout) as { id: string; hex: string; ttl: number };
    assert.equal(BigInt(json.id).toString(16).padStart(16, '0'), json.hex, 'lease ids are printed as etcdctl prints them (%016x)');
    assert.equal(json.ttl, 30);

    await etcdctl(url, 'put', 'lk/a', '1', `--lease=${hex}`);
    assert.match((await rollcall(['lease', 'ttl', hex, '--keys', ...e])).stdout, new RegExp(`^lease ${hex} granted with TTL\\(30s\\), remaining\\(\\d+s\\), attached keys\\(\\[lk/a\\]\\)\\n$`));
    const byDecimal = JSON.parse((await rollcall(['lease', 'ttl', BigInt(`0x${hex}`).toString(), '--json', '--keys', ...e])).stdout) as { hex: string; keys: string[] };
    assert.deepEqual([byDecimal.hex, byDecimal.keys], [hex, ['lk/a']]);

    const keeper = startRollcall(t, ['lease', 'keep-alive', json.hex, ...e]);
    await keeper.waitForLine(new RegExp(`^lease ${json.hex} keepalived with TTL\\(30\\)$`));
    keeper.child.kill('SIGINT');
    assert.deepEqual(await keeper.waitExit(), { code: 0, signal: null });

    assert.equal((await rollcall(['lease', 'revoke', hex, ...e])).stdout, `lease ${hex} revoked\n`);
    assert.equal(await etcdctl(url, 'get', 'lk/a'), '');
    assert.equal((await rollcall(['lease', 'ttl', hex, ...e])).stdout, `lease ${hex} already expired\n`);
    const gone = await rollcall(['lease', 'keep-alive', hex, ...e]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /expired or revoked/);
  });

  it('lock: runs the command holding the lock, exits with its code; a second holder waits for the first', async (t) => {
    const url = server.etcd.clientUrl;
    const e = ['--endpoints', url];
    const ok = await rollcall(['lock', 'job', ...e, '--', 'sh', '-c', 'echo inside; exit 7']);
    assert.deepEqual([ok.code, ok.stdout], [7, 'inside\n']);
    // The first holder waits for a file the test creates; the second cannot run before that.
    const gate = `/tmp/rollcall-lock-gate-${process.pid}`;
    const first = startRollcall(t, ['lock', 'job', ...e, '--', 'sh', '-c', `echo first-in; while [ ! -e ${gate} ]; do sleep 0.05; done; rm -f ${gate}; echo first-out`]);
    t.after(() => etcdctl(url, 'del', '--prefix', '__rollcall/lock/job/').then(() => undefined));
    await first.waitForLine(/^first-in$/);
    const second = startRollcall(t, ['lock', 'job', ...e, '--', 'sh', '-c', 'echo second-in']);
    await waitFor(async () => (await etcdctl(url, 'get', '--prefix', '__rollcall/lock/job/', '--keys-only')).trim().split('\n').filter(Boolean).length === 2, {
      message: 'the second holder to queue',
    });
    assert.equal(second.output.stdout, '');
    writeFileSync(gate, '');
    assert.deepEqual(await first.waitExit(), { code: 0, signal: null });
    assert.deepEqual(await second.waitExit(), { code: 0, signal: null });
    assert.equal(first.output.stdout, 'first-in\nfirst-out\n');
    assert.equal(second.output.stdout, 'second-in\n');
    assert.equal(await etcdctl(url, 'get', '--prefix', '__rollcall/lock/job/'), '');
    const missing = await rollcall(['lock', 'job', ...e, '--', 'no-such-binary-rollcall']);
    assert.equal(missing.code, 127);
  });
});
