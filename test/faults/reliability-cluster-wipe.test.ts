/**
 * Scenario 5: the cluster replaced by an empty one on the same ports (every member's data wiped).
 * Registrars re-register everything on new leases; catalogs notice etcd's revision went backwards
 * and converge by difference: an instance that is back is at most `updated` (new lease), never
 * removed and added again.
 *
 * The catalogs reach etcd through proxies that are cut during the wipe and restored once every
 * instance is registered again, so their relist meets the complete new state: what they emit then
 * is the difference alone. The history check does not apply across a wipe (etcd's history
 * restarts from revision 1), so this scenario checks the emitted changes directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { truthOf } from '../helpers/catalog.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'wipe';
const INSTANCES = 20;

describe('scenario 5: the cluster replaced by an empty one on the same ports', () => {
  assertNoUnhandledRejections();

  it('registrars re-register everything; catalogs see the revision go back and converge by difference', async (t) => {
    const cluster = await startCluster(t);
    const proxies = await Promise.all(cluster.members.map((m) => TcpProxy.start(t, m.clientUrl)));
    const watched = [
      await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX }),
      await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX }),
    ];
    const fleet = await startFleet(t, cluster.endpoints, { prefix: PREFIX, ttl: TTL, count: 4, perRegistrar: INSTANCES / 4 });
    await assertConverged(etcdClient(t, cluster), PREFIX, watched);
    const leasesBefore = [...fleet.leases];
    const marks = watched.map((w) => w.changes.length);

    for (const p of proxies) p.cut();
    await Promise.all(cluster.members.map((_, i) => cluster.stop(i)));
    const wipedAt = Date.now();
    await Promise.all(cluster.members.map((m) => m.restart({ wipeData: true })));
    await cluster.waitForLeader();
    const admin = etcdClient(t, cluster);
    await waitFor(async () => (await truthOf(admin, PREFIX)).size === INSTANCES, { timeoutMs: 30_000, message: 'every instance re-registered in the new cluster' });
    t.diagnostic(`every instance re-registered ${Date.now() - wipedAt} ms after the wipe; ${fleet.lost.length} lease(s) found gone`);
    assert.notDeepEqual(fleet.registrars.map((r) => r.leaseId), leasesBefore, 'the registrars hold new leases');
    // Some real difference for the relist to find: one instance gone, one new.
    const [first] = fleet.registrars;
    assert.ok(first !== undefined);
    await first.registrations.find((r) => r.id === 'r0-0')?.deregister();
    await first.register({ service: 'svc', id: 'after-wipe', address: '10.0.96.1:80' });

    for (const p of proxies) p.restore();
    const restoredAt = Date.now();
    const convergedMs = await assertConverged(admin, PREFIX, watched);
    t.diagnostic(`catalogs equal the new cluster ${Date.now() - restoredAt} ms after they could reach it (${convergedMs} ms)`);
    for (const [i, w] of watched.entries()) {
      const after = w.changes.slice(marks[i]);
      const notUpdates = after.filter((c) => c.type !== 'updated').map((c) => `${c.type} ${c.key}${c.reason === undefined ? '' : ` ${c.reason}`}`);
      assert.deepEqual(notUpdates.sort(), [`added ${PREFIX}/svc/after-wipe`, `removed ${PREFIX}/svc/r0-0 expired`], `catalog ${i} emitted the difference only (no clear-and-refill)`);
      assert.ok(after.every((c) => c.cause === 'resync'), `catalog ${i} converged by a relist`);
    }
  });
});
