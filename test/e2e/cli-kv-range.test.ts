// The whole keyspace and etcdctl's read flags on the built CLI, cross-checked with etcdctl on a
// fresh etcd: `kv get|del|watch '' --prefix` (every key, as etcdctl), `kv get --keys-only
// --print-value-only --rev --limit`, an empty key without --prefix (usage error), and `lease
// list` (hex ids like etcdctl, decimal too in --json).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdctl, rollcall, startRollcall } from '../helpers/cli.js';

describe("rollcall kv '' --prefix, kv get flags, lease list (built CLI)", () => {
  const server = useEtcd();

  it("kv get '' --prefix lists every key like etcdctl; --keys-only, --print-value-only, --limit, --rev", async () => {
    const url = server.etcd.clientUrl;
    const e = ['--endpoints', url];
    await etcdctl(url, 'put', 'a/1', 'one');
    const rev = Number(/"revision":(\d+)/.exec(await etcdctl(url, 'put', 'b/2', 'two', '-w', 'json'))?.[1]);
    await etcdctl(url, 'put', 'c', 'three');
    await etcdctl(url, 'put', 'a/1', 'uno');

    const get = async (...args: string[]): Promise<string> => {
      const result = await rollcall(['kv', 'get', ...args, ...e]);
      assert.equal(result.code, 0, `kv get ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const all = await get('', '--prefix');
    assert.equal(all, 'a/1\nuno\nb/2\ntwo\nc\nthree\n');
    assert.equal(all, await etcdctl(url, 'get', '', '--prefix'));
    assert.equal(await get('', '--prefix', '--keys-only'), 'a/1\nb/2\nc\n');
    assert.equal(await get('', '--prefix', '--print-value-only'), 'uno\ntwo\nthree\n');
    assert.equal(await get('', '--prefix', '--limit', '2', '--keys-only'), 'a/1\nb/2\n');
    // At the revision of the b/2 put: a/1 still had its first value and c did not exist.
    assert.equal(await get('', '--prefix', '--rev', String(rev)), 'a/1\none\nb/2\ntwo\n');
    assert.equal(await get('a/1', '--print-value-only'), 'uno\n');
    const json = JSON.parse(await get('', '--prefix', '--json')) as { key: string }[];
    assert.deepEqual(json.map((kv) => kv.key), ['a/1', 'b/2', 'c']);

    const empty = await rollcall(['kv', 'get', '', ...e]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^rollcall: the key is empty: give a key, or '' --prefix for every key\nUsage: rollcall kv get/);
  });

  it("kv watch '' --prefix sees a put to any key; kv del '' --prefix deletes every key (etcdctl sees none)", async (t) => {
    const url = server.etcd.clientUrl;
    const e = ['--endpoints', url];
    const watch = startRollcall(t, ['kv', 'watch', '', '--prefix', ...e]);
    let n = 0;
    // Live once a put made after it started shows up; poll with puts to unrelated keys.
    await waitFor(async () => {
      n++;
      await etcdctl(url, 'put', `anywhere-${n}`, `v${n}`);
      return watch.output.stdout.includes(`PUT\nanywhere-${n}\nv${n}\n`);
    }, { timeoutMs: 10_000, intervalMs: 200, message: "the '' --prefix watch to see a put" });
    await etcdctl(url, 'put', 'zzz/deep/key', 'z');
    await waitFor(() => watch.output.stdout.includes('PUT\nzzz/deep/key\nz\n'), { message: 'a put to another part of the keyspace' });

    const count = (await etcdctl(url, 'get', '', '--prefix', '--keys-only')).split('\n').filter(Boolean).length;
    assert.ok(count >= 2, `keys before del: ${count}`);
    const del = await rollcall(['kv', 'del', '', '--prefix', ...e]);
    assert.deepEqual([del.code, del.stdout], [0, `${count}\n`], del.stderr);
    assert.equal(await etcdctl(url, 'get', '', '--prefix'), '');
    await waitFor(() => watch.output.stdout.includes('DELETE\nzzz/deep/key\n'), { message: 'the watch to see the delete' });
    watch.child.kill('SIGINT');
    assert.deepEqual(await watch.waitExit(), { code: 0, signal: null });
  });

  it('lease list: "found N leases" and hex ids as etcdctl prints them; --json adds the decimal id', async () => {
    const url = server.etcd.clientUrl;
    const e = ['--endpoints', url];
    const granted = [await etcdctl(url, 'lease', 'grant', '60'), await etcdctl(url, 'lease', 'grant', '60')].map((out) => /lease ([0-9a-f]+) granted/.exec(out)?.[1] ?? '');
    const list = await rollcall(['lease', 'list', ...e]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split('\n');
    const etcdctlLines = (await etcdctl(url, 'lease', 'list')).trim().split('\n');
    assert.equal(lines[0], etcdctlLines[0]);
    assert.deepEqual(lines.slice(1).sort(), etcdctlLines.slice(1).sort());
    for (const hex of granted) assert.ok(lines.includes(hex), `${hex} in ${list.stdout}`);
    const json = JSON.parse((await rollcall(['lease', 'list', '--json', ...e])).stdout) as { id: string; hex: string }[];
    for (const hex of granted) assert.equal(json.find((l) => l.hex === hex)?.id, BigInt(`0x${hex}`).toString());
  });
});
