/**
 * Scenario 6: compaction and defragmentation while a catalog is disconnected. Its watch cannot
 * resume from the revision it had applied (compacted away), so it relists and emits only the
 * difference; a catalog that stayed connected sees each event. Both end equal to etcd and
 * explained by its history, read by a recorder started before anything was written (the history
 * it needs is compacted during the test).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { HistoryRecorder } from '../helpers/history-recorder.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, assertNothingLost, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'compaction';

describe('scenario 6: compaction and defragmentation while a catalog is disconnected', () => {
  assertNoUnhandledRejections();

  it('the disconnected catalog resyncs with only the difference', async (t) => {
    const cluster = await startCluster(t);
    const admin = etcdClient(t, cluster);
    const history = await HistoryRecorder.start(t, admin, PREFIX);
    const proxies = await Promise.all(cluster.members.map((m) => TcpProxy.start(t, m.clientUrl)));
    const away = await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX });
    const present = await watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX });
    const fleet = await startFleet(t, cluster.endpoints, { prefix: PREFIX, ttl: TTL, count: 4, perRegistrar: 5 });
    await assertConverged(admin, PREFIX, [away, present]);
    const mark = away.changes.length;

    for (const p of proxies) p.cut();
    await waitFor(() => away.catalog.isStale, { timeoutMs: 10_000, message: 'the cut-off catalog to report stale' });
    // While it is away: 3 deregistered, 3 new, 2 draining, then history compacted and defragmented.
    const [r0, r1] = fleet.registrars;
    assert.ok(r0 !== undefined && r1 !== undefined);
    for (const id of ['r0-0', 'r0-1', 'r0-2']) {
      await r0.registrations.find((r) => r.id === id)?.deregister();
      fleet.instances.splice(fleet.instances.indexOf(`svc/${id}`), 1);
    }
    for (const id of ['n0', 'n1', 'n2']) {
      await r1.register({ service: 'svc', id, address: '10.0.95.1:80' });
      fleet.instances.push(`svc/${id}`);
    }
    for (const id of ['r1-0', 'r1-1']) await r1.registrations.find((r) => r.id === id)?.update({ status: 'draining' });
    const revision = Number((await admin.kv.range({ key: Buffer.from(PREFIX) })).header.revision);
    await admin.kv.compact({ revision: String(revision), physical: true });
    for (const m of cluster.members) await etcdClient(t, [m.clientUrl]).maintenance.defragment();
    t.diagnostic(`compacted at revision ${revision} and defragmented every member`);
    await assertConverged(admin, PREFIX, [present]);

    for (const p of proxies) p.restore();
    const restoredAt = Date.now();
    await assertConverged(admin, PREFIX, [away, present]);
    t.diagnostic(`the cut-off catalog equals etcd ${Date.now() - restoredAt} ms after it could reach it again`);
    const diff = away.changes
      .slice(mark)
      .map((c) => `${c.type} ${c.key.slice(PREFIX.length + 5)}${c.reason === undefined ? '' : ` ${c.reason}`}`)
      .sort();
    assert.deepEqual(
      diff,
      ['added n0', 'added n1', 'added n2', 'removed r0-0 expired', 'removed r0-1 expired', 'removed r0-2 expired', 'updated r1-0', 'updated r1-1'],
      'the relist emitted the difference and nothing else',
    );
    assert.ok(away.changes.slice(mark).every((c) => c.cause === 'resync'), 'found by a relist');
    assert.ok(away.log.synced.some((s) => s.reason === 'resync'), 'the catalog reported a resync');
    await assertNothingLost(admin, PREFIX, fleet);
    await assertHistoryExplains(t, admin, PREFIX, [away, present], history);
  });
});
