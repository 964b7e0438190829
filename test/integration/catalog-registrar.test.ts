import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Registrar } from '../../src/registration/index.js';
import { etcdClient, useEtcd } from '../helpers/etcd.js';
import { openCatalog, record, revokeLease, waitForLog } from '../helpers/catalog.js';

function registrar(t: TestContext, endpoints: string[], prefix: string): Registrar {
  const r = new Registrar({ endpoints, prefix, ttl: 5, timeoutMs: 2000 });
  r.on('warning', () => undefined); // lease loss below is on purpose
  t.after(() => r.close().catch(() => undefined));
  return r;
}

describe('Catalog with the real Registrar', () => {
  const server = useEtcd();

  it('drain -> updated and never picked; deregister() and close() -> removed deregistered', async (t) => {
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'rg1' });
    const rec = record(catalog);
    const picker = catalog.picker('api', 'round-robin');
    const provider = registrar(t, server.etcd.endpoints, 'rg1');
    const one = await provider.register({ service: 'api', id: 'one', address: '10.2.0.1:80' });
    await provider.register({ service: 'api', id: 'two', address: '10.2.0.2:80' });
    await waitForLog(rec, ['added api/one', 'added api/two']);
    assert.equal(picker.size, 2);

    await one.drain();
    await waitForLog(rec, ['updated api/one']);
    assert.equal(catalog.instances('api', { status: 'draining' })[0]?.id, 'one');
    assert.deepEqual(new Set([picker.pick().id, picker.pick().id, picker.pick().id]), new Set(['two']));

    await one.deregister();
    await waitForLog(rec, ['removed api/one deregistered']);
    await provider.close();
    await waitForLog(rec, ['removed api/two deregistered']);
    assert.ok(!rec.log.some((l) => l.endsWith('expired')), `a clean stop never reads as expired: ${rec.log.join(', ')}`);
    assert.deepEqual(catalog.instances('api', { includeLost: true }), []);
  });

  it("a registrar's lease revoked by an operator -> removed expired, then recovered when it re-registers", async (t) => {
    const client = etcdClient(t, server.etcd);
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'rg2' });
    const rec = record(catalog);
    const provider = registrar(t, server.etcd.endpoints, 'rg2');
    await provider.register({ service: 'api', id: 'svc', address: '10.2.0.3:80' });
    await waitForLog(rec, ['added api/svc']);
    const lease = provider.leaseId;
    assert.ok(lease);
    await revokeLease(client, lease);
    await waitForLog(rec, ['removed api/svc expired', 'recovered api/svc'], 0, 15_000);
    const recovered = rec.changes.find((c) => c.type === 'recovered');
    assert.ok(recovered?.type === 'recovered' && recovered.current.lease !== lease && recovered.previous.inGroup === false);
  });
});
