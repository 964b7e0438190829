/**
 * Scenario 4: the whole cluster stopped for 3×TTL, then restarted with its data. Catalogs serve
 * the last known instances marked stale the whole time (never empty), and every registration is
 * back afterwards; the catalogs end equal to etcd and explained by its history.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, assertNothingLost, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'outage';
const INSTANCES = 20;

describe('scenario 4: the whole cluster killed for 3×TTL, then restarted with its data', () => {
  assertNoUnhandledRejections();

  it('catalogs stay stale and never empty, every registration comes back', async (t) => {
    const cluster = await startCluster(t);
    const watched = [
      await watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX }),
      await watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX }),
    ];
    const fleet = await startFleet(t, cluster.endpoints, { prefix: PREFIX, ttl: TTL, count: 4, perRegistrar: INSTANCES / 4 });
    await assertConverged(etcdClient(t, cluster), PREFIX, watched);

    // Sample what consumers would be served, all through the outage.
    const served: number[] = [];
    const sampler = setInterval(() => {
      for (const w of watched) served.push(w.catalog.instances('svc').length);
    }, 50);
    t.after(() => clearInterval(sampler));

    // SIGKILL, not a graceful stop: a leader stopped gracefully alongside its followers spends
    // seconds trying to hand over leadership. The data stays for the restart.
    await Promise.all(cluster.members.map((_, i) => cluster.kill(i)));
    const stoppedAt = Date.now();
    await waitFor(() => watched.every((w) => w.catalog.isStale), { timeoutMs: 15_000, message: 'every catalog to report stale' });
    t.diagnostic(`catalogs stale ${Date.now() - stoppedAt} ms after the cluster stopped`);
    // The fault itself: the cluster stays down for 3 TTLs.
    await delay(3 * TTL * 1000 - (Date.now() - stoppedAt));
    for (const w of watched) assert.ok(w.catalog.isStale, 'still stale while the cluster is down');

    await Promise.all(cluster.members.map((_, i) => cluster.restart(i)));
    await cluster.waitForLeader();
    const restartedAt = Date.now();
    const admin = etcdClient(t, cluster);
    await waitFor(() => watched.every((w) => !w.catalog.isStale), { timeoutMs: 20_000, message: 'every catalog fresh again' });
    const convergedMs = await assertConverged(admin, PREFIX, watched);
    t.diagnostic(`catalogs fresh and equal to etcd ${Date.now() - restartedAt} ms after the restart (${convergedMs} ms after fresh)`);
    clearInterval(sampler);
    assert.ok(served.length > 0);
    assert.equal(Math.min(...served), INSTANCES, 'consumers were served every instance the whole time, never an empty catalog');

    await waitFor(async () => fleet.instances.every((i) => watched[0]?.catalog.instances('svc').some((x) => `svc/${x.id}` === i)), {
      timeoutMs: 20_000,
      message: 'every registration back',
    });
    t.diagnostic(`registrars that re-granted their lease: ${fleet.lost.length}`);
    // Leases survive a restart with the data (etcd renews them when a leader is elected).
    await assertNothingLost(admin, PREFIX, fleet);
    await assertConverged(admin, PREFIX, watched);
    await assertHistoryExplains(t, admin, PREFIX, watched);
  });
});
