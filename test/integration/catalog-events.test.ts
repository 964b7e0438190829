import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, type CatalogChange } from '../../src/discovery/index.js';
import { InvalidConfigError, InvalidNameError } from '../../src/errors.js';
import { eventually, etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdctl, FAST, grantLease, openCatalog, putInstance, record, revokeLease, waitForLog } from '../helpers/catalog.js';

describe('Catalog events against a real etcd', () => {
  const server = useEtcd();

  it('reports put -> added, re-put -> updated (previous and current), leaving then delete -> removed deregistered', async (t) => {
    const client = etcdClient(t, server.etcd);
    await putInstance(client, 'ev1', 'api', 'before');
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'ev1' });
    assert.deepEqual(catalog.instances('api').map((i) => `${i.id} ${i.inGroup}`), ['before true'], 'open resolves with the first listing applied');
    const rec = record(catalog);

    const key = await putInstance(client, 'ev1', 'api', 'a1', { weight: 1 });
    await waitForLog(rec, ['added api/a1']);
    await putInstance(client, 'ev1', 'api', 'a1', { weight: 5 });
    await waitForLog(rec, ['updated api/a1']);
    const updated = rec.changes.find((c) => c.type === 'updated');
    assert.equal(updated?.type === 'updated' ? `${updated.previous.weight}->${updated.current.weight}` : '', '1->5');
    await putInstance(client, 'ev1', 'api', 'a1', { status: 'leaving' });
    await client.delete().key(key);
    await waitForLog(rec, ['removed api/a1 deregistered']);
    assert.deepEqual(rec.log, ['added api/a1', 'updated api/a1', 'updated api/a1', 'removed api/a1 deregistered']);
    assert.deepEqual(catalog.instances('api', { includeLost: true }).map((i) => i.id), ['before'], 'a deregistered instance is not kept');
    assert.deepEqual(catalog.services(), ['api']);
  });

  it('a key whose lease is revoked -> removed expired, kept inGroup false for the grace period; the same id again -> recovered', async (t) => {
    const client = etcdClient(t, server.etcd);
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'ev2', gracePeriodMs: 60_000 });
    const rec = record(catalog);
    const lease = await grantLease(client, 30);
    await putInstance(client, 'ev2', 'api', 'crashy', { lease });
    await putInstance(client, 'ev2', 'api', 'steady');
    await waitForLog(rec, ['added api/crashy', 'added api/steady']);
    await revokeLease(client, lease);
    await waitForLog(rec, ['removed api/crashy expired']);
    assert.deepEqual(catalog.instances('api').map((i) => i.id), ['steady']);
    assert.deepEqual(
      catalog.instances('api', { includeLost: true }).map((i) => `${i.id} ${i.inGroup} ${i.lostAt === undefined ? '-' : 'lostAt'}`),
      ['crashy false lostAt', 'steady true -'],
    );
    await putInstance(client, 'ev2', 'api', 'crashy');
    await waitForLog(rec, ['recovered api/crashy']);
    assert.equal(rec.log.filter((l) => l === 'added api/crashy').length, 1, 'a return within the grace period is not a second added');
    assert.deepEqual(catalog.instances('api', { includeLost: true }).map((i) => `${i.id} ${i.inGroup}`), ['crashy true', 'steady true']);
  });

  it('a key whose lease runs out -> expired, and it is forgotten once the grace period ends', async (t) => {
    const client = etcdClient(t, server.etcd);
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'ev3', gracePeriodMs: 300 });
    const rec = record(catalog);
    await putInstance(client, 'ev3', 'api', 'short', { lease: await grantLease(client, 1) });
    await waitForLog(rec, ['added api/short']);
    await waitForLog(rec, ['removed api/short expired'], 0, 15_000);
    await waitFor(() => catalog.instances('api', { includeLost: true }).length === 0, { message: 'grace period to end' });
    await putInstance(client, 'ev3', 'api', 'short');
    await waitForLog(rec, ['added api/short'], 2);
    assert.ok(!rec.log.includes('recovered api/short'), 'after the grace period a return is added, not recovered');
  });

  it('a value in Go endpoints form is an instance of its service', async (t) => {
    const client = etcdClient(t, server.etcd);
    await client.put('services/api/10.0.0.1:50051').value('{"Addr":"10.0.0.1:50051","Metadata":null}');
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, services: ['api'] });
    const [go] = catalog.instances('api');
    assert.equal(go?.id, '10.0.0.1:50051');
    assert.equal(go?.address, '10.0.0.1:50051');
    assert.equal(go?.status, 'up');
    assert.equal(go?.weight, 1);
  });

  it('garbage written with etcdctl -> warnings naming key and reason; good instances unaffected; a valid one overwritten -> removed invalid', async (t) => {
    const client = etcdClient(t, server.etcd);
    const endpoint = server.etcd.endpoints[0]!;
    await putInstance(client, 'ev5', 'api', 'good');
    await putInstance(client, 'ev5', 'api', 'victim');
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'ev5', maxValueBytes: 512 });
    const rec = record(catalog);
    await etcdctl(t, endpoint, 'put', 'ev5/api/junk', 'not json at all');
    await etcdctl(t, endpoint, 'put', 'ev5/api/noaddr', '{"Op":0,"Metadata":{}}');
    await etcdctl(t, endpoint, 'put', 'ev5/api/too/deep', '{"Addr":"1.2.3.4:5"}');
    await etcdctl(t, endpoint, 'put', 'ev5/api/huge', JSON.stringify({ Addr: '1.2.3.4:5', Metadata: { meta: { pad: 'x'.repeat(600) } } }));
    await etcdctl(t, endpoint, 'put', 'ev5/api/victim', '{"Addr":42}');
    await putInstance(client, 'ev5', 'api', 'later');
    await waitForLog(rec, ['removed api/victim invalid', 'added api/later']);
    assert.deepEqual(
      rec.warnings.map((w) => `${w.code} ${String(w.details['key'])}`),
      ['ev5/api/junk', 'ev5/api/noaddr', 'ev5/api/too/deep', 'ev5/api/huge', 'ev5/api/victim'].map((k) => `ERR_MALFORMED_VALUE ${k}`),
    );
    const reasons = rec.warnings.map((w) => String(w.details['reason']));
    assert.match(reasons[0]!, /not JSON/);
    assert.match(reasons[1]!, /Addr/);
    assert.match(reasons[2]!, /unexpected key depth/);
    assert.match(reasons[3]!, /over the 512-byte limit/);
    assert.equal(rec.warnings[4]?.details['removed'], true);
    assert.deepEqual(catalog.instances('api').map((i) => i.id), ['good', 'later']);
    assert.deepEqual(rec.log, ['removed api/victim invalid', 'added api/later']);
  });

  it('follows only the services it was opened with, and checks names', async (t) => {
    const client = etcdClient(t, server.etcd);
    await putInstance(client, 'ev6', 'api', 'a');
    await putInstance(client, 'ev6', 'web', 'w');
    await putInstance(client, 'ev6', 'db', 'd');
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'ev6', services: ['web', 'api'] });
    const rec = record(catalog);
    assert.deepEqual(catalog.services(), ['api', 'web']);
    await putInstance(client, 'ev6', 'db', 'd2');
    await putInstance(client, 'ev6', 'web', 'w2');
    await waitForLog(rec, ['added web/w2']);
    assert.deepEqual(rec.log, ['added web/w2'], 'db is not followed');
    assert.throws(() => catalog.instances('db'), InvalidConfigError);
    assert.throws(() => catalog.instances('a/b'), InvalidNameError);
    await assert.rejects(Catalog.open({ ...FAST, endpoints: server.etcd.endpoints, services: ['ok', 'not ok'] }), InvalidNameError);
  });

  it('changes() yields every change in order, buffered, and ends on abort and on close', async (t) => {
    const client = etcdClient(t, server.etcd);
    const catalog = await Catalog.open({ ...FAST, endpoints: server.etcd.endpoints, prefix: 'ev7' });
    t.after(() => catalog.close());
    const controller = new AbortController();
    const aborted = catalog.changes({ signal: controller.signal });
    const untilClose = catalog.changes();
    for (const id of ['a', 'b', 'c']) await putInstance(client, 'ev7', 'api', id);
    await client.delete().key('ev7/api/b');
    const seen: CatalogChange[] = [];
    for await (const change of aborted) {
      seen.push(change);
      if (seen.length === 4) controller.abort();
    }
    assert.deepEqual(seen.map((c) => `${c.type} ${c.type === 'removed' || c.type === 'added' ? c.instance.id : ''}`), ['added a', 'added b', 'added c', 'removed b']);
    const revisions = seen.map((c) => c.revision);
    assert.deepEqual(revisions, [...revisions].sort((x, y) => x - y));
    await catalog.close();
    let drained = 0;
    for await (const change of untilClose) {
      assert.equal(change.service, 'api');
      drained += 1;
    }
    assert.equal(drained, 4, 'close ends the iterator after what it buffered');
  });

  it('a listener that throws becomes a warning; the catalog state and later events are unaffected', async (t) => {
    const client = etcdClient(t, server.etcd);
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'ev8' });
    const rec = record(catalog);
    catalog.once('added', () => {
      throw new Error('listener bug');
    });
    await putInstance(client, 'ev8', 'api', 'x');
    await eventually(() => assert.deepEqual(rec.warnings.map((w) => `${w.code} ${String(w.details['event'])}`), ['ERR_LISTENER added']));
    assert.deepEqual(catalog.instances('api').map((i) => i.id), ['x']);
    await putInstance(client, 'ev8', 'api', 'y');
    await waitForLog(rec, ['added api/x', 'added api/y']);
  });
});
