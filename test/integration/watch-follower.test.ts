import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdConnection } from '../../src/etcd/index.js';
import { KEEP_FINGERPRINTS, RangeFollower, prefixRange, type ChangeBatch, type KVFingerprint } from '../../src/watch/index.js';
import { EtcdUnavailableError } from '../../src/errors.js';
import { eventually, etcdClient, startEtcd, useEtcd, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Follows `prefix` and records every batch; everything is closed when the test ends. */
function follow(t: import('node:test').TestContext, endpoints: string[], prefix: string, pageSize = 1000) {
  const conn = EtcdConnection.create({ endpoints, timeoutMs: 2000 });
  const follower = new RangeFollower(conn, prefixRange(prefix), { pageSize, livenessMs: 500, backoff: { baseMs: 50, maxMs: 500 } });
  const batches: ChangeBatch[] = [];
  const resyncs: string[] = [];
  follower.on('batch', (b) => batches.push(b));
  follower.on('resync', (r) => resyncs.push(r.reason));
  t.after(() => {
    follower.close();
    conn.close();
  });
  follower.start();
  return { follower, batches, resyncs };
}

/** etcd's own view of a prefix: key -> value. */
async function truth(client: import('etcd3').Etcd3, prefix: string): Promise<Map<string, string>> {
  return new Map(Object.entries(await client.getAll().prefix(prefix).strings()));
}

function copyOf(follower: RangeFollower): Map<string, string> {
  return new Map([...follower.snapshot()].map(([k, kv]) => [k, kv.value.toString()]));
}

describe('RangeFollower against a real etcd', () => {
  const server = useEtcd();

  it('lists a prefix across many pages at one revision, then applies live puts and deletes in order', async (t) => {
    const client = etcdClient(t, server.etcd);
    for (let i = 0; i < 53; i++) await client.put(`paged/k${String(i).padStart(3, '0')}`).value(`v${i}`);
    await client.put('pagedX/outside').value('not mine');
    const { follower, batches } = follow(t, server.etcd.endpoints, 'paged/', 7);
    await follower.waitForSync(5000);
    assert.equal(batches[0]?.cause, 'initial');
    assert.equal(batches[0]?.changes.length, 53);
    assert.deepEqual(copyOf(follower), await truth(client, 'paged/'));

    await client.put('paged/k000').value('changed');
    await client.delete().key('paged/k001');
    await client.put('paged/new').value('n');
    await eventually(async () => assert.deepEqual(copyOf(follower), await truth(client, 'paged/')));
    const live = batches.filter((b) => b.cause === 'watch').flatMap((b) => b.changes);
    assert.deepEqual(live.map((c) => `${c.type} ${c.type === 'put' ? c.kv.key : c.key}`), ['put paged/k000', 'delete paged/k001', 'put paged/new']);
    const revisions = live.map((c) => c.revision);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b));
    const [firstChange] = live;
    assert.equal(firstChange?.type === 'put' ? firstChange.prev?.value.toString() : undefined, 'v0');
  });

  it('applies every event of a revision that holds several (a revoked lease, a prefix delete)', async (t) => {
    const client = etcdClient(t, server.etcd);
    const { follower, batches } = follow(t, server.etcd.endpoints, 'multi/');
    await follower.waitForSync(5000);
    const lease = client.lease(60, { autoKeepAlive: false });
    for (const k of ['a', 'b', 'c']) await lease.put(`multi/leased/${k}`).value('1');
    for (const k of ['x', 'y']) await client.put(`multi/tree/${k}`).value('1');
    await eventually(() => assert.equal(follower.snapshot().size, 5));
    await lease.revoke();
    await client.delete().prefix('multi/tree/');
    await eventually(() => assert.equal(follower.snapshot().size, 0));
    const deletes = batches.flatMap((b) => b.changes).filter((c) => c.type === 'delete');
    assert.equal(deletes.length, 5);
    assert.equal(new Set(deletes.map((c) => c.revision)).size, 2, 'two revisions, several deletes each');
  });

  it('misses nothing written while its connection is cut again and again (resumes from the last applied revision)', async (t) => {
    const client = etcdClient(t, server.etcd);
    const proxy = await TcpProxy.start(t, server.etcd.endpoints[0]!);
    const { follower, batches } = follow(t, [proxy.endpoint], 'burst/');
    await follower.waitForSync(5000);
    const written: string[] = [];
    const writer = (async () => {
      for (let i = 0; i < 300; i++) {
        await client.put(`burst/k${i}`).value(String(i));
        written.push(`burst/k${i}`);
      }
    })();
    for (let cut = 0; cut < 3; cut++) {
      await waitFor(() => written.length > (cut + 1) * 60);
      proxy.cut();
      await waitFor(() => !follower.isConnected, { message: 'follower to notice the cut' });
      proxy.restore();
    }
    await writer;
    await eventually(async () => assert.deepEqual(copyOf(follower), await truth(client, 'burst/')), { timeoutMs: 15000 });
    const seen = batches.flatMap((b) => b.changes).filter((c) => c.type === 'put').map((c) => (c.type === 'put' ? c.kv.key : ''));
    assert.deepEqual([...new Set(seen)].sort(), [...written].sort());
    const watchRevisions = batches.filter((b) => b.cause === 'watch').flatMap((b) => b.changes.map((c) => c.revision));
    for (let i = 1; i < watchRevisions.length; i++) assert.ok(watchRevisions[i]! > watchRevisions[i - 1]!, 'revisions strictly increase');
  });

  it('after a compaction while disconnected, relists and emits exactly the difference', async (t) => {
    const client = etcdClient(t, server.etcd);
    for (const k of ['a', 'b', 'c']) await client.put(`comp/${k}`).value('1');
    const proxy = await TcpProxy.start(t, server.etcd.endpoints[0]!);
    const { follower, batches, resyncs } = follow(t, [proxy.endpoint], 'comp/');
    await follower.waitForSync(5000);
    proxy.cut();
    await waitFor(() => !follower.isConnected);
    await client.put('comp/a').value('2');
    await client.delete().key('comp/b');
    await client.put('comp/d').value('1');
    await client.put('comp/d').value('2');
    const head = await client.put('comp/zz-marker').value('x').exec();
    await client.delete().key('comp/zz-marker');
    await client.kv.compact({ revision: Number(head.header.revision) + 1, physical: true });
    const before = batches.length;
    proxy.restore();
    await eventually(async () => assert.deepEqual(copyOf(follower), await truth(client, 'comp/')), { timeoutMs: 15000 });
    const diff = batches.slice(before).flatMap((b) => b.changes);
    assert.ok(resyncs.includes('compacted') || resyncs.includes('history-changed'), `resync reasons: ${resyncs.join(',')}`);
    assert.deepEqual(
      diff.map((c) => `${c.type} ${c.type === 'put' ? c.kv.key : c.key}`).sort(),
      ['delete comp/b', 'put comp/a', 'put comp/d'],
    );
  });

  it('converges when etcd comes back with an emptied data dir (history rewound)', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    for (let i = 0; i < 20; i++) await client.put(`wipe/k${i}`).value('old');
    const { follower, batches } = follow(t, etcd.endpoints, 'wipe/');
    await follower.waitForSync(5000);
    await etcd.restart({ wipeData: true });
    await client.put('wipe/fresh').value('new');
    await eventually(async () => assert.deepEqual(copyOf(follower), await truth(client, 'wipe/')), { timeoutMs: 20000 });
    assert.deepEqual([...copyOf(follower).keys()], ['wipe/fresh']);
    const removed = batches.flatMap((b) => b.changes).filter((c) => c.type === 'delete');
    assert.equal(removed.length, 20);
  });

  it('relists when a wiped etcd has already moved past the revision it resumes from', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    for (let i = 0; i < 5; i++) await client.put(`ahead/k${i}`).value('old');
    const proxy = await TcpProxy.start(t, etcd.endpoints[0]!);
    const { follower, resyncs } = follow(t, [proxy.endpoint], 'ahead/');
    await follower.waitForSync(5000);
    const resumeFrom = follower.revision;
    proxy.cut();
    await waitFor(() => !follower.isConnected);
    await etcd.restart({ wipeData: true });
    // The new history overtakes the old revision, so "revision went back" cannot notice.
    for (let i = 0; i < resumeFrom + 5; i++) await client.put(`ahead/n${i % 3}`).value(String(i));
    proxy.restore();
    await eventually(async () => assert.deepEqual(copyOf(follower), await truth(client, 'ahead/')), { timeoutMs: 20000 });
    assert.ok(resyncs.includes('history-changed'), `resync reasons: ${resyncs.join(',')}`);
  });

  it('keeping fingerprints only, a relist after a wipe still reports a value rewritten at a reused revision, and only that', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    await client.put('fp/a').value('same');
    await client.put('fp/b').value('before');
    const proxy = await TcpProxy.start(t, etcd.endpoints[0]!);
    const conn = EtcdConnection.create({ endpoints: [proxy.endpoint], timeoutMs: 2000 });
    const follower = new RangeFollower(conn, prefixRange('fp/'), { keep: KEEP_FINGERPRINTS, livenessMs: 500, backoff: { baseMs: 50, maxMs: 500 } });
    const batches: ChangeBatch<KVFingerprint>[] = [];
    follower.on('batch', (b) => batches.push(b));
    t.after(() => {
      follower.close();
      conn.close();
    });
    follower.start();
    await follower.waitForSync(5000);
    const held = follower.snapshot().get('fp/b');
    assert.deepEqual(Object.keys(held ?? {}).sort(), ['hashA', 'hashB', 'modRevision'], 'no value bytes kept');
    proxy.cut();
    await waitFor(() => !follower.isConnected);
    // A new history that reuses both revisions: fp/a as it was, fp/b with other bytes.
    await etcd.restart({ wipeData: true });
    await client.put('fp/a').value('same');
    await client.put('fp/b').value('after!');
    assert.equal((await client.get('fp/b').exec()).kvs[0]?.mod_revision, String(held?.modRevision), 'the revision is reused');
    const before = batches.length;
    proxy.restore();
    await waitFor(() => batches.length > before, { timeoutMs: 20000, message: 'the relist difference' });
    const diff = batches.slice(before).flatMap((b) => b.changes);
    assert.deepEqual(diff.map((c) => `${c.type} ${c.type === 'put' ? `${c.kv.key}=${c.kv.value.toString()}` : c.key}`), ['put fp/b=after!']);
    assert.equal(batches[before]?.cause, 'resync');
  });

  it('keeps its copy and reports one outage while etcd is paused, then resumes', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    await client.put('pause/a').value('1');
    const { follower } = follow(t, etcd.endpoints, 'pause/');
    let outages = 0;
    follower.on('disconnected', () => outages++);
    await follower.waitForSync(5000);
    etcd.pause();
    await waitFor(() => !follower.isConnected, { timeoutMs: 15000, message: 'liveness probe to notice the paused etcd' });
    assert.equal(follower.snapshot().get('pause/a')?.value.toString(), '1');
    etcd.resume();
    await client.put('pause/b').value('2');
    await eventually(() => assert.equal(follower.snapshot().get('pause/b')?.value.toString(), '2'), { timeoutMs: 15000 });
    assert.equal(outages, 1);
  });

  it('gives a typed EtcdUnavailableError when nothing listens at the endpoint', async (t) => {
    const { follower } = follow(t, ['http://127.0.0.1:9'], 'none/');
    await assert.rejects(follower.waitForSync(1500), (e: unknown) => e instanceof EtcdUnavailableError && e.code === 'ERR_ETCD_UNAVAILABLE');
  });
});
