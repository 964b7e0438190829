/**
 * Scenario 3: a member partitioned behind a proxy that keeps TCP up but passes nothing. A catalog
 * whose watch runs through it finds the watch silent within its liveness bound and moves to a
 * healthy member; a catalog that can reach only that member reports stale (never empty), then
 * converges when the partition heals. Both end equal to etcd and explained by its history.
 *
 * The catalog that can fail over lists two proxies (one per member) and the test blackholes the
 * one its watch actually uses, as `rollcall:watch:state` reports it (and the proxy's traffic
 * confirms). The watch must then move to the OTHER endpoint: the silent one is not tried again.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, it, type TestContext } from 'node:test';
import type { DiagnosticsPayloads } from '../../src/diagnostics/channels.js';
import { FAST } from '../helpers/catalog.js';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, assertNothingLost, removals, startFleet, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'partition';
/** The catalogs' watch liveness bound and per-call deadline (test/helpers/catalog.ts FAST). */
const LIVENESS_MS = FAST.watch?.livenessMs ?? 5000;
const TIMEOUT_MS = FAST.timeoutMs ?? 5000;
/**
 * Silence found (liveness + one unanswered progress request), then one resume on the next member
 * (history check, new stream), with generous room for timer ticks and a loaded machine.
 */
const MOVE_BOUND_MS = LIVENESS_MS + 2 * TIMEOUT_MS + 2000;

type WatchState = DiagnosticsPayloads['rollcall:watch:state'];

/** Every `rollcall:watch:state` message from now until the test ends. */
function recordWatchStates(t: TestContext): WatchState[] {
  const seen: WatchState[] = [];
  const onMessage = (message: unknown): void => void seen.push(message as WatchState);
  diagnostics.subscribe('rollcall:watch:state', onMessage);
  t.after(() => diagnostics.unsubscribe('rollcall:watch:state', onMessage));
  return seen;
}

/** The endpoint of the last move to `watching` among `endpoints`, from message `from` on. */
function watchingOn(states: readonly WatchState[], endpoints: readonly string[], from = 0): string | undefined {
  const found = states.slice(from).filter((s) => s.to === 'watching' && s.endpoint !== undefined && endpoints.includes(s.endpoint));
  return found[found.length - 1]?.endpoint;
}

/** Resolves once `proxy` carries more than 100 bytes from etcd (an idle watch's liveness probes do). */
async function carriesTraffic(proxy: TcpProxy, message: string): Promise<void> {
  const before = proxy.bytesDown;
  await waitFor(() => proxy.bytesDown > before + 100, { message });
}

describe('scenario 3: a member partitioned behind a silent proxy (3-member cluster)', () => {
  assertNoUnhandledRejections();

  it('the watch moves off the silent member; a catalog cut off with it is stale, never empty, then converges', async (t) => {
    const cluster = await startCluster(t);
    const proxies = [await TcpProxy.start(t, cluster.member(0).clientUrl), await TcpProxy.start(t, cluster.member(1).clientUrl)];
    const mobileEndpoints = proxies.map((p) => p.endpoint);
    const states = recordWatchStates(t);
    const mobile = await watchCatalog(t, { endpoints: mobileEndpoints, prefix: PREFIX });
    const usedEndpoint = await waitFor(() => watchingOn(states, mobileEndpoints), { message: "the mobile catalog's watch to report its endpoint" });
    const used = mobileEndpoints.indexOf(usedEndpoint);
    const silent = proxies[used] as TcpProxy;
    // An idle catalog's only traffic is its watch stream's liveness probes: the endpoint reported
    // is the one carrying them.
    await carriesTraffic(silent, `the watch stream to show on the proxy of member ${used}`);
    t.diagnostic(`the mobile catalog's watch runs through member ${used}`);
    // The isolated catalog reaches etcd only through that member.
    const isolatedProxy = await TcpProxy.start(t, cluster.member(used).clientUrl);
    const isolated = await watchCatalog(t, { endpoints: [isolatedProxy.endpoint], prefix: PREFIX });
    const watchers = [mobile, isolated];

    const admin = etcdClient(t, cluster);
    const fleet = await startFleet(t, cluster.endpoints, { prefix: PREFIX, ttl: TTL, count: 4, perRegistrar: 5 });
    await assertConverged(admin, PREFIX, watchers);

    const staleBefore = isolated.log.stale.length;
    const statesBefore = states.length;
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
    const movedMs = Date.now() - cutAt;
    t.diagnostic(`mobile catalog saw the change ${movedMs} ms after the partition (liveness ${LIVENESS_MS} ms, timeoutMs ${TIMEOUT_MS}, bound ${MOVE_BOUND_MS} ms)`);
    assert.ok(movedMs <= MOVE_BOUND_MS, `the watch moved off the silent member within ${MOVE_BOUND_MS} ms (took ${movedMs} ms)`);
    const movedTo = watchingOn(states, mobileEndpoints, statesBefore);
    assert.ok(movedTo !== undefined && movedTo !== usedEndpoint, `the mobile catalog watches through the other member now (reported ${String(movedTo)}, silent ${usedEndpoint})`);
    await carriesTraffic(proxies[mobileEndpoints.indexOf(movedTo)] as TcpProxy, 'the moved watch stream to show on the other proxy');

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

  it('a member that lost its leader ends its watch streams: a catalog on it alone reports stale, then converges when its peers return', async (t) => {
    // The other partition: a member cut off from its PEERS still answers its clients, progress
    // requests included, so its watch looks alive while the cluster cannot move. Here its two
    // peers are stopped: it has no leader, exactly as a member in a minority partition.
    const cluster = await startCluster(t);
    await cluster.waitForLeader();
    const lonely = 0;
    const admin = etcdClient(t, cluster);
    const watched = await watchCatalog(t, { ...FAST, endpoints: [cluster.member(lonely).clientUrl], prefix: `${PREFIX}-leaderless` });
    const writer = registrar(t, cluster.endpoints, { ttl: 10, prefix: `${PREFIX}-leaderless` });
    await writer.register({ service: 'svc', id: 'before', address: '10.0.96.1:80' });
    await waitFor(() => watched.catalog.instances('svc').length === 1, { message: 'the catalog to see the first registration' });
    const staleBefore = watched.log.stale.length;

    const peersGoneAt = Date.now();
    await Promise.all([cluster.stop(1), cluster.stop(2)]);
    await waitFor(() => watched.log.stale.length > staleBefore, { timeoutMs: 30_000, message: 'the catalog on the leaderless member to report stale' });
    t.diagnostic(`catalog on the leaderless member reported stale ${Date.now() - peersGoneAt} ms after its peers stopped`);
    assert.equal(watched.catalog.instances('svc').length, 1, 'a stale catalog serves its last known instances');

    await Promise.all([cluster.restart(1), cluster.restart(2)]);
    await cluster.waitForLeader({ timeoutMs: 20_000 });
    await writer.register({ service: 'svc', id: 'after', address: '10.0.96.2:80' });
    await assertConverged(admin, `${PREFIX}-leaderless`, [watched]);
    assert.equal(watched.catalog.isStale, false, 'fresh again once the member has a leader');
    await assertHistoryExplains(t, admin, `${PREFIX}-leaderless`, [watched]);
  });
});
