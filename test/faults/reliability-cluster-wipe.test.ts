/**
 * Scenario 5: the cluster replaced by an empty one on the same ports (every member's data wiped).
 * Registrars re-register everything on new leases; catalogs notice etcd's revision went backwards
 * and converge by difference: an instance that is back is at most `updated` (new lease), never
 * removed and added again.
 *
 * The catalogs reach etcd through proxies that are cut during the wipe and restored once every
 * instance is registered again, so their relist meets the complete new state: what they emit then
 * is the difference alone. etcd's history restarts at revision 1 in the new cluster, so the
 * history check runs per cluster (an epoch each): the old cluster's history is read before it is
 * wiped, the new one's at the end, and each catalog's record is split where the wipe happened.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { truthOf } from '../helpers/catalog.js';
import type { EmittedChange } from '../helpers/history-checker.js';
import { EpochHistory } from '../helpers/history-epochs.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, assertEpochsExplain, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'wipe';
const INSTANCES = 20;

describe('scenario 5: the cluster replaced by an empty one on the same ports', () => {
  assertNoUnhandledRejections();

  it('registrars re-register everything; catalogs see the revision go back and converge by difference', async (t) => {
    const cluster = await startCluster(t);
    const oldAdmin = etcdClient(t, cluster);
    const proxies = await Promise.all(cluster.members.map((m) => TcpProxy.start(t, m.clientUrl)));
    const watched = [
      await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX }),
      await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX }),
    ];
    const epochs = await EpochHistory.start(
      t,
      oldAdmin,
      PREFIX,
      watched.map((w) => w.changes),
    );
    const fleet = await startFleet(t, cluster.endpoints, { prefix: PREFIX, ttl: TTL, count: 4, perRegistrar: INSTANCES / 4 });
    // Every instance updated once: the old cluster's revision ends well above the new one's when
    // the catalogs relist, so they do see it go back (and the old history has more than adds).
    for (const r of fleet.registrars) for (const reg of r.registrations) await reg.update({ weight: 2 });
    await assertConverged(oldAdmin, PREFIX, watched);
    const leasesBefore = [...fleet.leases];

    for (const p of proxies) p.cut();
    const marks = await epochs.end();
    await Promise.all(cluster.members.map((_, i) => cluster.stop(i)));
    const wipedAt = Date.now();
    await Promise.all(cluster.members.map((m) => m.restart({ wipeData: true })));
    await cluster.waitForLeader();
    const admin = etcdClient(t, cluster);
    await epochs.begin(t, admin);
    await waitFor(async () => (await truthOf(admin, PREFIX)).size === INSTANCES, { timeoutMs: 30_000, message: 'every instance re-registered in the new cluster' });
    t.diagnostic(`every instance re-registered ${Date.now() - wipedAt} ms after the wipe; ${fleet.lost.length} lease(s) found gone`);
    assert.notDeepEqual(fleet.registrars.map((r) => r.leaseId), leasesBefore, 'the registrars hold new leases');
    // Some real difference for the relist to find: one instance gone, one new.
    const [first] = fleet.registrars;
    assert.ok(first !== undefined);
    await first.registrations.find((r) => r.id === 'r0-0')?.deregister();
    await first.register({ service: 'svc', id: 'after-wipe', address: '10.0.96.1:80', weight: 2 });

    for (const p of proxies) p.restore();
    const restoredAt = Date.now();
    const convergedMs = await assertConverged(admin, PREFIX, watched);
    t.diagnostic(`catalogs equal the new cluster ${Date.now() - restoredAt} ms after they could reach it (${convergedMs} ms)`);
    for (const [i, w] of watched.entries()) {
      const before = w.changes.slice(0, marks[i]);
      const after = w.changes.slice(marks[i]);
      const notUpdates = after.filter((c) => c.type !== 'updated').map((c) => `${c.type} ${c.key}${c.reason === undefined ? '' : ` ${c.reason}`}`);
      assert.deepEqual(notUpdates.sort(), [`added ${PREFIX}/svc/after-wipe`, `removed ${PREFIX}/svc/r0-0 expired`], `catalog ${i} emitted the difference only (no clear-and-refill)`);
      assert.ok(after.every((c) => c.cause === 'resync'), `catalog ${i} converged by a relist`);
      const oldRevision = revisionOf(before);
      const listedAt = revisionOf(after);
      t.diagnostic(`catalog ${i}: revision ${oldRevision} in the old cluster, relisted at ${listedAt} in the new one (${after.length} changes)`);
      assert.ok(listedAt < oldRevision, `catalog ${i} saw etcd's revision go back (${oldRevision} -> ${listedAt})`);
    }
    await assertEpochsExplain(t, epochs);
  });
});

/** The highest revision among `changes` (a relist's removals carry its listing revision). */
function revisionOf(changes: readonly EmittedChange[]): number {
  return Math.max(0, ...changes.map((c) => c.revision));
}
