/**
 * The watch layer holds one gRPC Watch stream per etcd connection, whatever the number of ranges
 * followed through it; etcd's own metrics count the streams and watchers it serves.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdConnection } from '../../src/etcd/index.js';
import { RangeFollower, WatchSession, prefixRange, type ChangeBatch } from '../../src/watch/index.js';
import { sharedWatchStream } from '../../src/watch/shared-watch-stream.js';
import type { EtcdProcess } from '../../src/dev/index.js';
import { EtcdStore } from '../../src/store/index.js';
import { eventually, etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { FAST, openCatalog, putInstance, viewOf } from '../helpers/catalog.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** etcd sends a progress notification to each idle watcher this often (10 min by default). */
const PROGRESS_EVERY = '300ms';

interface Followed {
  readonly follower: RangeFollower;
  readonly batches: ChangeBatch[];
  readonly resyncs: string[];
  readonly synced: string[];
}

function connect(t: TestContext, endpoints: string[]): EtcdConnection {
  const conn = EtcdConnection.create({ endpoints, timeoutMs: 2000 });
  t.after(() => conn.close());
  return conn;
}

/** Follows `prefix` on `conn`, recording batches and resync reasons; closed when the test ends. */
function follow(t: TestContext, conn: EtcdConnection, prefix: string): Followed {
  const follower = new RangeFollower(conn, prefixRange(prefix), { livenessMs: 500, backoff: { baseMs: 50, maxMs: 500 } });
  const batches: ChangeBatch[] = [];
  const resyncs: string[] = [];
  const synced: string[] = [];
  follower.on('batch', (b) => batches.push(b));
  follower.on('resync', (r) => resyncs.push(r.reason));
  follower.on('synced', (s) => synced.push(s.reason));
  t.after(() => follower.close());
  follower.start();
  return { follower, batches, resyncs, synced };
}

/** Watch streams and watchers etcd serves now, from its Prometheus endpoint. */
async function watchMetrics(etcd: EtcdProcess): Promise<{ streams: number; watchers: number }> {
  const text = await (await fetch(`${etcd.metricsUrl}/metrics`)).text();
  const gauge = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `etcd exposes ${name}`);
    return Number(line.slice(name.length + 1));
  };
  return { streams: gauge('etcd_debugging_mvcc_watch_stream_total'), watchers: gauge('etcd_debugging_mvcc_watcher_total') };
}

/** Waits until no earlier test's watch is still open on etcd's side (their closing is asynchronous). */
async function noWatches(etcd: EtcdProcess): Promise<{ streams: number; watchers: number }> {
  const none = { streams: 0, watchers: 0 };
  await eventually(async () => assert.deepEqual(await watchMetrics(etcd), none));
  return none;
}

function keysOf(batches: readonly ChangeBatch[], cause: ChangeBatch['cause']): string[] {
  return batches.filter((b) => b.cause === cause).flatMap((b) => b.changes.map((c) => (c.type === 'put' ? c.kv.key : c.key)));
}

describe('one Watch stream per connection, shared by every range', () => {
  assertNoUnhandledRejections();
  const server = useEtcd({ extraArgs: [`--experimental-watch-progress-notify-interval=${PROGRESS_EVERY}`] });

  it('N followers on one connection open 1 stream with N watchers, and closing them all closes it', async (t) => {
    const conn = connect(t, server.etcd.endpoints);
    const before = await noWatches(server.etcd);
    const followed = Array.from({ length: 8 }, (_, i) => follow(t, conn, `many/s${i}/`));
    await Promise.all(followed.map((f) => f.follower.waitForSync(5000)));
    await eventually(async () => assert.deepEqual(await watchMetrics(server.etcd), { streams: before.streams + 1, watchers: before.watchers + 8 }));
    assert.equal(sharedWatchStream(conn).streamsOpened, 1);

    const client = etcdClient(t, server.etcd);
    for (let i = 0; i < 8; i++) await client.put(`many/s${i}/k`).value(String(i));
    await eventually(() => followed.forEach((f, i) => assert.deepEqual(keysOf(f.batches, 'watch'), [`many/s${i}/k`])));

    for (const f of followed) f.follower.close();
    await eventually(async () => assert.deepEqual(await watchMetrics(server.etcd), before));
  });

  it('a Catalog following 6 services holds one stream', async (t) => {
    const before = await noWatches(server.etcd);
    const services = ['a', 'b', 'c', 'd', 'e', 'f'];
    const catalog = await openCatalog(t, { ...FAST, endpoints: server.etcd.endpoints, prefix: 'cat1', services });
    await eventually(async () => assert.deepEqual(await watchMetrics(server.etcd), { streams: before.streams + 1, watchers: before.watchers + 6 }));
    const client = etcdClient(t, server.etcd);
    for (const service of services) await putInstance(client, 'cat1', service, 'i1');
    await eventually(() => assert.equal(viewOf(catalog).size, 6));
  });

  it('an EtcdStore with two watchTree loops holds one stream', async (t) => {
    const before = await noWatches(server.etcd);
    const store = new EtcdStore({ endpoints: server.etcd.endpoints, namespace: 'storewatch/', timeoutMs: 2000 });
    t.after(() => store.close());
    const stop = new AbortController();
    const seen: string[] = [];
    const loops = ['a/', 'b/'].map(async (prefix) => {
      for await (const event of store.watchTree(prefix, { signal: stop.signal })) if (event.type === 'put') seen.push(event.key);
    });
    t.after(async () => {
      stop.abort();
      await Promise.all(loops);
    });
    await eventually(async () => assert.deepEqual(await watchMetrics(server.etcd), { streams: before.streams + 1, watchers: before.watchers + 2 }));
    await store.put('a/1', 'x');
    await store.put('b/1', 'y');
    await eventually(() => assert.deepEqual(seen.sort(), ['a/1', 'b/1']));
  });

  it('cancelling one range leaves the others watching on the same stream', async (t) => {
    const conn = connect(t, server.etcd.endpoints);
    const before = await noWatches(server.etcd);
    const [a, b, c] = ['x/', 'y/', 'z/'].map((p) => follow(t, conn, `cancel/${p}`)) as [Followed, Followed, Followed];
    await Promise.all([a, b, c].map((f) => f.follower.waitForSync(5000)));
    await eventually(async () => assert.equal((await watchMetrics(server.etcd)).watchers, before.watchers + 3));

    b.follower.close();
    // One more that leaves before etcd has answered its create: its watch is cancelled once created.
    const ignore = (): void => undefined;
    const fleeting = new WatchSession(conn, prefixRange('cancel/w/'), a.follower.revision + 1, { onCreated: ignore, onEvents: ignore, onContact: ignore });
    fleeting.close();
    assert.deepEqual(await fleeting.ended, { kind: 'closed' });
    await eventually(async () => assert.deepEqual(await watchMetrics(server.etcd), { streams: before.streams + 1, watchers: before.watchers + 2 }));
    const client = etcdClient(t, server.etcd);
    for (const p of ['x/', 'y/', 'z/']) await client.put(`cancel/${p}k`).value('1');
    await eventually(() => {
      assert.deepEqual(keysOf(a.batches, 'watch'), ['cancel/x/k']);
      assert.deepEqual(keysOf(c.batches, 'watch'), ['cancel/z/k']);
    });
    assert.deepEqual(keysOf(b.batches, 'watch'), []);
    assert.equal(sharedWatchStream(conn).streamsOpened, 1);
    assert.deepEqual([...a.resyncs, ...c.resyncs], []);
  });

  it('a watch that starts below the compacted revision ends as compacted alone; the stream and its other watches go on', async (t) => {
    await noWatches(server.etcd);
    const client = etcdClient(t, server.etcd);
    const conn = connect(t, server.etcd.endpoints);
    const live = follow(t, conn, 'percomp/live/');
    await live.follower.waitForSync(5000);
    let head = 0;
    for (let i = 0; i < 3; i++) head = Number((await client.put(`percomp/old/k${i}`).value(String(i)).exec()).header.revision);
    await client.kv.compact({ revision: head, physical: true });

    const ignore = (): void => undefined;
    const stale = new WatchSession(conn, prefixRange('percomp/old/'), head - 2, { onCreated: ignore, onEvents: ignore, onContact: ignore });
    assert.deepEqual(await stale.ended, { kind: 'compacted', compactRevision: head });
    await client.put('percomp/live/k').value('1');
    await eventually(() => assert.deepEqual(keysOf(live.batches, 'watch'), ['percomp/live/k']));
    assert.deepEqual(live.resyncs, []);
    assert.equal(sharedWatchStream(conn).streamsOpened, 1);
    assert.equal(sharedWatchStream(conn).watcherCount, 1);
  });

  it('after the stream breaks, every range resumes from its own revision on one new stream', async (t) => {
    await noWatches(server.etcd);
    const client = etcdClient(t, server.etcd);
    const proxy = await TcpProxy.start(t, server.etcd.endpoints[0]!);
    const conn = connect(t, [proxy.endpoint]);
    const busy = follow(t, conn, 'break/busy/');
    const quiet = follow(t, conn, 'break/quiet/');
    await Promise.all([busy.follower.waitForSync(5000), quiet.follower.waitForSync(5000)]);
    await client.put('break/quiet/q0').value('0');
    for (let i = 0; i < 5; i++) await client.put(`break/busy/b${i}`).value(String(i));
    await eventually(() => assert.equal(busy.follower.snapshot().size + quiet.follower.snapshot().size, 6));

    proxy.cut();
    await waitFor(() => !busy.follower.isConnected && !quiet.follower.isConnected, { message: 'both followers to notice the cut' });
    for (let i = 5; i < 10; i++) await client.put(`break/busy/b${i}`).value(String(i));
    await client.put('break/quiet/q1').value('1');
    proxy.restore();

    await eventually(() => {
      assert.deepEqual(keysOf(busy.batches, 'watch'), Array.from({ length: 10 }, (_, i) => `break/busy/b${i}`));
      assert.deepEqual(keysOf(quiet.batches, 'watch'), ['break/quiet/q0', 'break/quiet/q1']);
    }, { timeoutMs: 15000 });
    assert.deepEqual([...busy.resyncs, ...quiet.resyncs], [], 'resumed, not relisted');
    assert.ok(busy.synced.includes('resumed') && quiet.synced.includes('resumed'));
    assert.ok(sharedWatchStream(conn).streamsOpened >= 2, 'a new stream after the break');
    await eventually(async () => assert.deepEqual(await watchMetrics(server.etcd), { streams: 1, watchers: 2 }));
  });

  it('a quiet range moves forward on progress notifications and resumes without a relist after a compaction', async (t) => {
    const client = etcdClient(t, server.etcd);
    await client.put('quiet/only').value('1');
    const proxy = await TcpProxy.start(t, server.etcd.endpoints[0]!);
    const conn = connect(t, [proxy.endpoint]);
    const quiet = follow(t, conn, 'quiet/');
    await quiet.follower.waitForSync(5000);
    const listedAt = quiet.follower.revision;

    // Other keys move etcd's revision on; the quiet range sees no event.
    let head = 0;
    for (let i = 0; i < 5; i++) head = Number((await client.put(`noise/k${i}`).value(String(i)).exec()).header.revision);
    await waitFor(() => quiet.follower.revision >= head, { message: `a progress notification to move the range from ${listedAt} to ${head}` });
    await client.kv.compact({ revision: quiet.follower.revision, physical: true });

    proxy.cut();
    await waitFor(() => !quiet.follower.isConnected, { message: 'the follower to notice the cut' });
    proxy.restore();
    await waitFor(() => quiet.synced.includes('resumed'), { timeoutMs: 15000, message: 'the follower to resume' });
    await client.put('quiet/later').value('2');
    await eventually(() => assert.deepEqual(keysOf(quiet.batches, 'watch'), ['quiet/later']));
    assert.deepEqual(quiet.resyncs, [], 'no relist');
    assert.deepEqual(quiet.batches.map((b) => b.cause), ['initial', 'watch']);
  });
});
