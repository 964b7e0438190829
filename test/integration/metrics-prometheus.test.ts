/**
 * rollcall/metrics on a real etcd: the exposition passes `promtool check metrics` (Debian's
 * prometheus package), the numbers follow instances as they come and go (registered, drained,
 * deregistered, expired), the channels feed the counters, and close() unsubscribes and removes
 * every metric from the application's registry.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { registerRollcallMetrics } from '../../src/metrics/index.js';
import { channel } from '../../src/diagnostics/channels.js';
import { etcdClient, eventually, startEtcd, useEtcd, waitFor } from '../helpers/etcd.js';
import { FAST, grantLease, openCatalog, putInstance, revokeLease } from '../helpers/catalog.js';
import { registrar } from '../fixtures/registration-support.js';

const PROMTOOL = '/usr/bin/promtool';
const PROMTOOL_HINT = 'promtool is missing: apt-get install prometheus (or bash scripts/install-deps.sh)';
if (!existsSync(PROMTOOL) && process.env['CI'] === 'true') throw new Error(PROMTOOL_HINT);
const promtoolSkip = existsSync(PROMTOOL) ? false : PROMTOOL_HINT;

/** Runs `promtool check metrics` on `text`; resolves with its exit code and output. */
function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : Number(error.code), output: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

/** The value of the sample `name{labels}` in `text`, or undefined. Labels given in exposition order. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('rollcall/metrics', () => {
  const server = useEtcd();

  it('passes promtool check metrics, and rollcall_instances and the event counters follow instances as they come, drain and go', { skip: promtoolSkip }, async (t) => {
    const registry = new Registry();
    const metrics = registerRollcallMetrics({ registry });
    t.after(() => metrics.close());
    const catalog = await openCatalog(t, { ...FAST, endpoints: server.etcd.endpoints, prefix: 'm1', gracePeriodMs: 30_000 });
    metrics.addCatalog(catalog);

    const before = await registry.metrics();
    assert.equal(sample(before, 'rollcall_instances{prefix="m1",service="api",status="up"}'), undefined, 'no service yet');

    const r = registrar(t, server.etcd.endpoints, { prefix: 'm1', ttl: 2 });
    const a1 = await r.register({ service: 'api', id: 'a1', address: '10.0.0.1:80' });
    await r.register({ service: 'api', id: 'a2', address: '10.0.0.2:80' });
    const up = 'rollcall_instances{prefix="m1",service="api",status="up"}';
    await eventually(async () => assert.equal(sample(await registry.metrics(), up), 2));
    const added = 'rollcall_catalog_events_total{prefix="m1",service="api",type="added",reason=""}';
    assert.equal(sample(await registry.metrics(), added), 2);

    await a1.update({ status: 'draining' });
    await eventually(async () => {
      const text = await registry.metrics();
      assert.equal(sample(text, up), 1);
      assert.equal(sample(text, 'rollcall_instances{prefix="m1",service="api",status="draining"}'), 1);
    });

    await a1.deregister();
    await eventually(async () => {
      const text = await registry.metrics();
      assert.equal(sample(text, 'rollcall_instances{prefix="m1",service="api",status="draining"}'), 0);
      assert.equal(sample(text, 'rollcall_catalog_events_total{prefix="m1",service="api",type="removed",reason="deregistered"}'), 1);
    });

    // A crash: the lease goes without a `leaving` write first: `expired`, kept for the grace period.
    const client = etcdClient(t, server.etcd);
    const lease = await grantLease(client, 30);
    await putInstance(client, 'm1', 'api', 'c1', { lease });
    await eventually(async () => assert.equal(sample(await registry.metrics(), up), 2));
    await revokeLease(client, lease);
    await eventually(async () => {
      const text = await registry.metrics();
      assert.equal(sample(text, up), 1);
      assert.equal(sample(text, 'rollcall_instances{prefix="m1",service="api",status="expired"}'), 1);
      assert.equal(sample(text, 'rollcall_catalog_events_total{prefix="m1",service="api",type="removed",reason="expired"}'), 1);
    });
    const check = await promtoolCheck(await registry.metrics());
    assert.deepEqual(check, { code: 0, output: '' }, 'promtool finds nothing to complain about');
  });

  it('rollcall_catalog_stale is 1 while etcd is down and 0 once the catalog is in sync again (the channel reports each transition once)', async (t) => {
    const etcd = await startEtcd(t);
    const registry = new Registry();
    const metrics = registerRollcallMetrics({ registry });
    t.after(() => metrics.close());
    const published: boolean[] = [];
    const listener = (message: unknown): void => {
      const payload = message as { prefix: string; stale: boolean };
      if (payload.prefix === 'st') published.push(payload.stale);
    };
    diagnostics.subscribe('rollcall:catalog:stale', listener);
    t.after(() => diagnostics.unsubscribe('rollcall:catalog:stale', listener));
    const catalog = await openCatalog(t, { ...FAST, endpoints: etcd.endpoints, prefix: 'st' });
    const staleSeries = 'rollcall_catalog_stale{prefix="st"}';
    assert.equal(sample(await registry.metrics(), staleSeries), undefined, 'nothing reported while fresh');

    let staleEvents = 0;
    catalog.on('stale', () => staleEvents++);
    await etcd.kill('SIGKILL');
    await eventually(async () => assert.equal(sample(await registry.metrics(), staleSeries), 1), { timeoutMs: 15_000 });
    await waitFor(() => staleEvents >= 3, { message: 'the catalog to repeat its stale event' });
    await etcd.restart();
    await eventually(async () => assert.equal(sample(await registry.metrics(), staleSeries), 0), { timeoutMs: 15_000 });
    assert.deepEqual(published, [true, false]);
  });

  it('counts what the diagnostics channels publish, and close() unsubscribes and leaves the registry empty', async () => {
    const registry = new Registry();
    const metrics = registerRollcallMetrics({ registry });
    channel('rollcall:lease:keepalive').publish({ owner: 'registrar', leaseId: '1', ok: true, roundTripMs: 3 });
    channel('rollcall:lease:keepalive').publish({ owner: 'registrar', leaseId: '1', ok: false, roundTripMs: 2000, error: new Error('timeout') });
    channel('rollcall:lease:lost').publish({ owner: 'store', leaseId: '1', reason: 'expired' });
    channel('rollcall:lease:state').publish({ owner: 'registrar', leaseId: undefined, from: 'idle', to: 'granting' });
    channel('rollcall:lease:state').publish({ owner: 'registrar', leaseId: '1', from: 'granting', to: 'active' });
    channel('rollcall:watch:progress').publish({ range: 'prefix m1/', appliedRevision: 10, headerRevision: 14 });
    channel('rollcall:watch:resync').publish({ range: 'prefix m1/', reason: 'compacted', revision: 20 });
    channel('rollcall:store:lock-wait').publish({ kind: 'lock', name: 'jobs', waitedMs: 1500, acquired: true });
    channel('rollcall:warning').publish({ source: 'catalog', error: Object.assign(new Error('bad value'), { code: 'ERR_MALFORMED_VALUE' }) });
    const text = await registry.metrics();
    assert.equal(sample(text, 'rollcall_lease_keepalive_duration_seconds_count{owner="registrar"}'), 1);
    assert.equal(sample(text, 'rollcall_lease_keepalive_duration_seconds_bucket{le="0.005",owner="registrar"}'), 1);
    assert.equal(sample(text, 'rollcall_lease_keepalive_failures_total{owner="registrar"}'), 1);
    assert.equal(sample(text, 'rollcall_lease_losses_total{owner="store",reason="expired"}'), 1);
    assert.equal(sample(text, 'rollcall_leases{owner="registrar",state="active"}'), 1);
    assert.equal(sample(text, 'rollcall_leases{owner="registrar",state="granting"}'), 0);
    assert.equal(sample(text, 'rollcall_watch_lag_revisions{range="prefix m1/"}'), 4);
    assert.equal(sample(text, 'rollcall_watch_resyncs_total{range="prefix m1/",reason="compacted"}'), 1);
    assert.equal(sample(text, 'rollcall_store_lock_wait_seconds_sum{kind="lock",acquired="true"}'), 1.5);
    assert.equal(sample(text, 'rollcall_warnings_total{source="catalog",code="ERR_MALFORMED_VALUE"}'), 1);

    metrics.close();
    assert.equal((await registry.getMetricsAsJSON()).length, 0, 'every metric removed');
    assert.equal(channel('rollcall:lease:lost').hasSubscribers, false, 'unsubscribed');
    metrics.close();
  });
});
