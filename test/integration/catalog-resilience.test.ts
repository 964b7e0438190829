import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, etcdClient, startEtcd, useEtcd, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { openCatalog, putInstance, record, truthOf, viewOf } from '../helpers/catalog.js';

describe('Catalog through outages against a real etcd', () => {
  const server = useEtcd();

  it('misses no registration made while it lists and starts watching, nor while its connection is cut again and again', async (t) => {
    const client = etcdClient(t, server.etcd);
    const proxy = await TcpProxy.start(t, server.etcd.endpoints[0]!);
    const written: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; i < 300 && !stop; i++) {
        const service = `svc${i % 3}`;
        await putInstance(client, 'rs1', service, `i${i}`);
        written.push(`${service}/i${i}`);
      }
    })();
    t.after(() => {
      stop = true;
      return writer;
    });
    await waitFor(() => written.length >= 20, { message: 'writer to start' });
    // Opened while the writer keeps going: some keys are in the listing, the rest must come from the watch.
    const catalog = await openCatalog(t, { endpoints: [proxy.endpoint], prefix: 'rs1' });
    const atOpen = [...viewOf(catalog).keys()];
    const rec = record(catalog);
    for (let cut = 0; cut < 3; cut++) {
      await waitFor(() => written.length > 80 + cut * 60, { message: 'more writes' });
      proxy.cut();
      await waitFor(() => catalog.isStale, { message: 'catalog to notice the cut' });
      proxy.restore();
    }
    await writer;
    await eventually(async () => assert.deepEqual(viewOf(catalog), await truthOf(client, 'rs1')), { timeoutMs: 15_000 });
    const added = rec.log.map((l) => l.replace(/^added /, ''));
    assert.ok(rec.log.every((l) => l.startsWith('added ')), `only additions were made: ${rec.log.filter((l) => !l.startsWith('added ')).join(', ')}`);
    assert.deepEqual([...atOpen, ...added].sort(), [...written].sort(), 'each registration reported exactly once, in the listing or as an event');
    assert.ok(atOpen.length < written.length, 'some registrations came after the listing');
  });

  it('after a compaction while disconnected, relists and emits exactly the difference', async (t) => {
    const client = etcdClient(t, server.etcd);
    for (const id of ['a', 'b', 'c', 'e']) await putInstance(client, 'rs2', 'api', id);
    const proxy = await TcpProxy.start(t, server.etcd.endpoints[0]!);
    const catalog = await openCatalog(t, { endpoints: [proxy.endpoint], prefix: 'rs2' });
    const rec = record(catalog);
    proxy.cut();
    await waitFor(() => catalog.isStale, { message: 'catalog to notice the cut' });
    await putInstance(client, 'rs2', 'api', 'a', { weight: 7 });
    await client.delete().key('rs2/api/b');
    await putInstance(client, 'rs2', 'api', 'd');
    await putInstance(client, 'rs2', 'api', 'd', { weight: 2 });
    await putInstance(client, 'rs2', 'api', 'e', { status: 'leaving' });
    await client.delete().key('rs2/api/e');
    const head = await client.put('rs2-marker').value('x').exec();
    await client.kv.compact({ revision: Number(head.header.revision), physical: true });
    proxy.restore();
    await eventually(async () => assert.deepEqual(viewOf(catalog), await truthOf(client, 'rs2')), { timeoutMs: 15_000 });
    await waitFor(() => !catalog.isStale && rec.synced.length > 0, { message: 'synced after the relist' });
    // e's `leaving` value was compacted away unseen: its delete can only read as expired.
    assert.deepEqual([...rec.log].sort(), ['added api/d', 'removed api/b expired', 'removed api/e expired', 'updated api/a']);
    assert.ok(rec.changes.every((c) => c.cause === 'resync'));
    assert.equal(rec.synced.at(-1)?.reason, 'resync');
    assert.equal(catalog.instances('api').find((i) => i.id === 'a')?.weight, 7);
  });

  it('etcd stopped: keeps answering from the last known state and reports stale; back with an emptied data dir: converges by the difference only', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    for (const id of ['a', 'b', 'c']) await putInstance(client, 'services', 'api', id);
    const proxy = await TcpProxy.start(t, etcd.endpoints[0]!);
    const catalog = await openCatalog(t, { endpoints: [proxy.endpoint] });
    const rec = record(catalog);
    const before = catalog.lastContact;
    assert.ok(before > 0);

    await etcd.stop({ keepData: true });
    await waitFor(() => rec.stale.length >= 2, { message: 'stale reported, then reported again' });
    assert.equal(catalog.isStale, true);
    assert.deepEqual(catalog.instances('api').map((i) => i.id), ['a', 'b', 'c'], 'last known instances still served');
    const [first, second] = rec.stale;
    assert.ok(first && second && second.since === first.since && second.staleForMs > first.staleForMs);
    assert.ok(first.since >= before && first.since <= Date.now());
    assert.equal(first.error?.code, 'ERR_ETCD_UNAVAILABLE');
    assert.deepEqual(rec.log, [], 'an outage removes nothing');

    proxy.cut(); // keep the catalog away until the new etcd holds its new truth
    await etcd.restart({ wipeData: true });
    await putInstance(client, 'services', 'api', 'b');
    await putInstance(client, 'services', 'api', 'd');
    proxy.restore();
    await waitFor(() => !catalog.isStale, { timeoutMs: 20_000, message: 'catalog to sync with the new etcd' });
    await eventually(async () => assert.deepEqual(viewOf(catalog), await truthOf(client, 'services')));
    assert.deepEqual([...rec.log].sort(), ['added api/d', 'removed api/a expired', 'removed api/c expired', 'updated api/b']);
    assert.ok((rec.synced.at(-1)?.staleForMs ?? 0) > 0);
  });
});
