/**
 * Scenario 1: the leader SIGKILLed while 50 instances are registered and 2 catalogs watch. No
 * instance is reported removed, writes resume on the new leader, the killed member rejoins, every
 * catalog ends equal to etcd and its changes are explained by etcd's history.
 *
 * Registrars and the first catalog list the leader first, so the fault hits the member in use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { etcdClient, startCluster } from '../helpers/etcd.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, assertNothingLost, endpointsFrom, removals, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'leader-kill';

describe('scenario 1: leader SIGKILLed under 50 registered instances (3-member cluster)', () => {
  assertNoUnhandledRejections();

  it('removes no instance, resumes writes, rejoins the member, and the catalogs match etcd and its history', async (t) => {
    const cluster = await startCluster(t);
    const leader = await cluster.waitForLeader();
    const other = (leader + 1) % cluster.size;
    const watched = [
      await watchCatalog(t, { endpoints: endpointsFrom(cluster, leader), prefix: PREFIX }),
      await watchCatalog(t, { endpoints: endpointsFrom(cluster, other), prefix: PREFIX }),
    ];
    const fleet = await startFleet(t, endpointsFrom(cluster, leader), { prefix: PREFIX, ttl: TTL, count: 10, perRegistrar: 5 });
    const admin = etcdClient(t, cluster);
    await assertConverged(admin, PREFIX, watched);

    const killedAt = Date.now();
    await cluster.kill(leader);
    const next = await cluster.waitForLeader({ notIndex: leader });
    t.diagnostic(`leader ${leader} killed; member ${next} leads after ${Date.now() - killedAt} ms`);

    // Writes resume: a new registration goes through the surviving members.
    const late = fleet.registrars[0];
    assert.ok(late !== undefined);
    await late.register({ service: 'svc', id: 'after-kill', address: '10.0.99.1:80' });
    fleet.instances.push('svc/after-kill');
    t.diagnostic(`first write after the kill done ${Date.now() - killedAt} ms after it`);

    const survivors = etcdClient(t, cluster.endpointsExcept(leader));
    const convergedMs = await assertConverged(survivors, PREFIX, watched);
    t.diagnostic(`catalogs equal etcd ${convergedMs} ms after the write`);

    await cluster.restart(leader);
    t.diagnostic(`member ${leader} rejoined ${Date.now() - killedAt} ms after the kill`);
    // Observation window, not synchronisation: a lease nobody kept alive expires within 2 TTLs.
    await delay(2 * TTL * 1000);
    await assertNothingLost(survivors, PREFIX, fleet);
    for (const w of watched) assert.deepEqual(removals(w), [], 'no catalog reported an instance removed');
    await assertConverged(admin, PREFIX, watched);
    await assertHistoryExplains(t, survivors, PREFIX, watched);
  });

  it('a member down: every registration through a client that lists it first still succeeds', async (t) => {
    const cluster = await startCluster(t);
    await cluster.kill(0);
    await cluster.waitForLeader({ notIndex: 0 });
    // etcd3 sends each call to a member picked at random; a refused connection was never sent,
    // so rollcall sends it again, and no call fails while two members answer.
    const r = registrar(t, cluster.endpoints, { ttl: TTL, prefix: `${PREFIX}-down` });
    const failures: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      await r.register({ service: 'svc', id: `i${i}`, address: `10.0.0.${i}:80` }).catch((error: Error) => failures.push(error.message));
    }
    assert.deepEqual(failures, [], 'no registration failed');
  });
});
