// Every diagnostics channel rollcall declares is published by the real code paths, against a real
// etcd: one scenario drives a Registrar, a Catalog and its picker, an EtcdStore lock, a malformed
// value, a throwing listener, a revoked lease and a wiped etcd, and checks each channel's payload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { CHANNEL_NAMES, type ChannelName, type DiagnosticsPayloads } from '../../src/diagnostics/channels.js';
import { EtcdStore } from '../../src/store/index.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { FAST, openCatalog, putInstance } from '../helpers/catalog.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';

describe('diagnostics channels', () => {
  const server = useEtcd();
  assertNoUnhandledRejections();

  it('every channel in CHANNEL_NAMES is published, with its documented payload', async (t) => {
    const seen = new Map<ChannelName, unknown[]>();
    for (const name of CHANNEL_NAMES) {
      const onMessage = (message: unknown): void => void seen.set(name, [...(seen.get(name) ?? []), message]);
      diagnostics.subscribe(name, onMessage);
      t.after(() => diagnostics.unsubscribe(name, onMessage));
    }
    const first = <N extends ChannelName>(name: N, match: (m: DiagnosticsPayloads[N]) => boolean = () => true): Promise<DiagnosticsPayloads[N]> =>
      waitFor(() => (seen.get(name) as DiagnosticsPayloads[N][] | undefined)?.find(match), { timeoutMs: 15_000, message: `a message on ${name}` });

    const client = etcdClient(t, server.etcd);
    const catalog = await openCatalog(t, { ...FAST, endpoints: server.etcd.endpoints, prefix: 'dc' });
    const reg = registrar(t, server.etcd.endpoints, { prefix: 'dc', ttl: 2 });
    await reg.register({ service: 'api', id: 'a', address: '10.0.0.1:80' });
    await putInstance(client, 'dc', 'api', 'b');

    assert.equal((await first('rollcall:lease:state', (m) => m.to === 'alive')).owner, 'registrar');
    const keepalive = await first('rollcall:lease:keepalive', (m) => m.ok);
    assert.equal(keepalive.leaseId, reg.leaseId);
    assert.ok(keepalive.roundTripMs >= 0);
    assert.equal((await first('rollcall:catalog:change', (m) => m.id === 'a')).type, 'added');
    assert.equal((await first('rollcall:watch:state', (m) => m.to === 'watching')).range.includes('dc/'), true);
    const progress = await first('rollcall:watch:progress');
    assert.ok(progress.headerRevision >= progress.appliedRevision);

    await client.put('dc/api/bad').value('not json');
    assert.equal((await first('rollcall:warning', (m) => m.source === 'catalog')).error.name, 'MalformedValueError');
    catalog.once('added', () => {
      throw new Error('a listener bug');
    });
    await putInstance(client, 'dc', 'api', 'c');
    assert.equal((await first('rollcall:listener-error')).event, 'added');

    const picker = catalog.picker('api', { strategy: 'round-robin', panicThreshold: 0.9, outlier: { consecutiveFailures: 1, maxEjectionPercent: 100 } });
    const picked = picker.pick();
    assert.equal((await first('rollcall:picker:pick')).service, 'api');
    picker.reportFailure(picked);
    assert.equal((await first('rollcall:picker:ejection')).instance.key, picked.key);
    assert.equal((await first('rollcall:picker:panic')).panic, true);

    const store = new EtcdStore({ endpoints: server.etcd.endpoints, sessionTtl: 5 });
    t.after(() => store.close());
    const lock = await store.lock('diag');
    await lock.release();
    const wait = await first('rollcall:store:lock-wait');
    assert.deepEqual([wait.kind, wait.name, wait.acquired], ['lock', 'diag', true]);
    assert.ok(await first('rollcall:store:session'));

    await client.leaseClient.leaseRevoke({ ID: reg.leaseId as string });
    assert.equal((await first('rollcall:lease:lost')).owner, 'registrar');

    // etcd restarted empty: the catalog is stale meanwhile, then relists by difference.
    await server.etcd.kill();
    assert.equal((await first('rollcall:catalog:stale', (m) => m.stale)).prefix, 'dc');
    await server.etcd.restart({ wipeData: true });
    assert.ok(await first('rollcall:watch:resync'));

    const missing = CHANNEL_NAMES.filter((name) => !seen.has(name));
    assert.deepEqual(missing, [], 'every channel was published');
  });
});
