/**
 * Scenario 2: the member registrars and catalogs are connected to is paused (SIGSTOP) for longer
 * than the TTL. Registrars keep their leases by moving keepalives to another member, catalogs
 * move their watch; no registration expires, and every catalog ends equal to etcd and explained
 * by its history.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { etcdClient, startCluster } from '../helpers/etcd.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, assertNothingLost, endpointsFrom, removals, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'member-pause';

describe('scenario 2: the member in use paused past the TTL (3-member cluster)', () => {
  assertNoUnhandledRejections();

  it('no registration expires, catalogs fail over, and they match etcd and its history', async (t) => {
    const cluster = await startCluster(t);
    const leader = await cluster.waitForLeader();
    // A follower: pausing it costs no election, so only moving to another member keeps leases alive.
    const victim = (leader + 1) % cluster.size;
    const endpoints = endpointsFrom(cluster, victim);
    const watched = [await watchCatalog(t, { endpoints, prefix: PREFIX }), await watchCatalog(t, { endpoints, prefix: PREFIX })];
    const fleet = await startFleet(t, endpoints, { prefix: PREFIX, ttl: TTL, count: 10, perRegistrar: 3 });
    const admin = etcdClient(t, cluster.endpointsExcept(victim));
    await assertConverged(admin, PREFIX, watched);

    cluster.pause(victim);
    t.after(() => {
      if (cluster.member(victim).paused) cluster.resume(victim);
    });
    const pausedAt = Date.now();
    // A change during the pause must reach both catalogs through the other members. It is made
    // by a registrar that does not know the paused member: a call etcd3 sends to a member that
    // answers nothing waits out its deadline and is not resent (it may have been applied).
    const outside = registrar(t, cluster.endpointsExcept(victim), { ttl: TTL, prefix: PREFIX });
    outside.on('lost', (error) => fleet.lost.push(`outside registrar: ${error.message}`));
    await outside.register({ service: 'svc', id: 'during-pause', address: '10.0.98.1:80' });
    fleet.instances.push('svc/during-pause');
    const convergedMs = await assertConverged(admin, PREFIX, watched);
    t.diagnostic(`catalogs saw a registration made during the pause ${Date.now() - pausedAt} ms after the pause (${convergedMs} ms after the write)`);
    // The fault itself lasts 2 TTLs: longer than any lease lives without keepalives.
    await delay(2 * TTL * 1000 - (Date.now() - pausedAt));
    await assertNothingLost(admin, PREFIX, fleet);
    cluster.resume(victim);

    await assertConverged(etcdClient(t, cluster), PREFIX, watched);
    for (const w of watched) assert.deepEqual(removals(w), [], 'no catalog reported an instance removed');
    await assertHistoryExplains(t, admin, PREFIX, watched);
  });
});
