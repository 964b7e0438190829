/**
 * Scenario 3: a member partitioned behind a proxy that keeps TCP up but passes nothing. A catalog
 * whose watch runs through it finds the watch silent within its liveness bound and moves to a
 * healthy member; a catalog that can reach only that member reports stale (never empty), then
 * converges when the partition heals. Both end equal to etcd and explained by its history.
 *
 * The catalog that can fail over lists two proxies (one per member) and the test blackholes the
 * one its watch actually uses, found by which proxy carried etcd's answer to a write.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, assertNothingLost, removals, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'partition';
/** The catalogs' watch liveness bound (test/helpers/catalog.ts FAST). */
const LIVENESS_MS = 500;

describe('scenario 3: a member partitioned behind a silent proxy (3-member cluster)', () => {
  assertNoUnhandledRejections();

  it('the watch moves off the silent member; a catalog cut off with it is stale, never empty, then converges', async (t) => {
    const cluster = await startCluster(t);
    const proxies = [await TcpProxy.start(t, cluster.member(0).clientUrl), await TcpProxy.start(t, cluster.member(1).clientUrl)];
    const mobile = await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX });
    // Which proxy carries the mobile catalog's watch: an idle catalog's only traffic is the
    // watch stream's liveness probes, so that proxy's byte count is the one that grows.
    const before = proxies.map((p) => p.bytesDown);
    const used = (
      await waitFor(
        () => {
          const index = proxies.findIndex((p, i) => p.bytesDown > (before[i] ?? 0) + 100);
          return index >= 0 ? { index } : undefined;
        },
        { message: 'the watch stream to show on one proxy' },
      )
    ).index;
    const silent = proxies[used] as TcpProxy;
    t.diagnostic(`the mobile catalog's watch runs through member ${used}`);
    // The isolated catalog reaches etcd only through that member.
    const isolatedProxy = await TcpProxy.start(t, cluster.member(used).clientUrl);
    const isolated = await watchCatalog(t, { endpoints: [isolatedProxy.endpoint], prefix: PREFIX });
    const watchers = [mobile, isolated];

    const admin = etcdClient(t, cluster);
    const fleet = await startFleet(t, cluster.endpoints, { prefix: PREFIX, ttl: TTL, count: 4, perRegistrar: 5 });
    await assertConverged(admin, PREFIX, watchers);

    const staleBefore = isolated.log.stale.length;
    silent.blackhole();
    isolatedProxy.blackhole();
    const cutAt = Date.now();
    const writer = fleet.registrars[0];
    assert.ok(writer !== undefined);
    await writer.register({ service: 'svc', id: 'during-partition', address: '10.0.97.2:80' });
    fleet.instances.push('svc/during-partition');
    await waitFor(() => mobile.catalog.instances('svc').some((i) => i.id === 'during-partition'), {
      timeoutMs: 30_000,
      message: 'the mobile catalog to see a registration made during the partition',
    });
    t.diagnostic(`mobile catalog saw the change ${Date.now() - cutAt} ms after the partition (liveness bound ${LIVENESS_MS} ms)`);

    await waitFor(() => isolated.log.stale.length > staleBefore, { timeoutMs: 30_000, message: 'the isolated catalog to report stale' });
    t.diagnostic(`isolated catalog stale ${Date.now() - cutAt} ms after the partition`);
    assert.ok(isolated.catalog.isStale);
    assert.equal(isolated.catalog.instances('svc').length, 20, 'a stale catalog serves its last known instances');

    silent.restore();
    isolatedProxy.restore();
    const healedAt = Date.now();
    await assertConverged(admin, PREFIX, watchers);
    t.diagnostic(`both catalogs equal etcd ${Date.now() - healedAt} ms after the partition healed`);
    await assertNothingLost(admin, PREFIX, fleet);
    for (const w of watchers) assert.deepEqual(removals(w), [], 'no catalog reported an instance removed');
    await assertHistoryExplains(t, admin, PREFIX, watchers);
  });
});
