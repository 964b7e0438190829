/**
 * Scenario 9: bad input under a watched prefix — not JSON, JSON of the wrong shape, a 1 MiB value,
 * keys at the wrong depth, non-UTF-8 bytes, names with `/` — on a 3-member cluster. Each catalog
 * warns once per bad key (a relist of the same keys does not warn again) and goes on; a registrar
 * rejects an invalid name with InvalidNameError before writing anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidNameError } from '../../src/errors.js';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { putInstance } from '../helpers/catalog.js';
import { HistoryRecorder } from '../helpers/history-recorder.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, watchCatalog } from './reliability-support.js';

const PREFIX = 'bad-input';

/** Raw keys and values nobody should write, each one a different kind of wrong. */
const BAD: [string, Buffer][] = [
  ['svc/not-json', Buffer.from('{oops')],
  ['svc/wrong-shape', Buffer.from('{"Addr":5,"Metadata":"x"}')],
  ['svc/huge', Buffer.alloc(1024 * 1024, 'x')],
  ['svc/too/deep', Buffer.from('{"Addr":"10.0.0.1:80"}')],
  ['shallow', Buffer.from('{"Addr":"10.0.0.1:80"}')],
  ['svc/bad-utf8', Buffer.from([0xff, 0xfe, 0x7b, 0x22])],
];
const BAD_KEY_BYTES = Buffer.concat([Buffer.from(`${PREFIX}/svc/`), Buffer.from([0xc3, 0x28])]);

async function currentRevision(client: ReturnType<typeof etcdClient>): Promise<number> {
  return Number((await client.kv.range({ key: Buffer.from(PREFIX) })).header.revision);
}

describe('scenario 9: bad input under a watched prefix (3-member cluster)', () => {
  assertNoUnhandledRejections();

  it('each catalog warns once per bad key and goes on; a registrar refuses an invalid name before writing', async (t) => {
    const cluster = await startCluster(t);
    const admin = etcdClient(t, cluster);
    // Started first: the test compacts the history this recorder needs.
    const history = await HistoryRecorder.start(t, admin, PREFIX);
    const proxies = await Promise.all(cluster.members.map((m) => TcpProxy.start(t, m.clientUrl)));
    const watched = [
      await watchCatalog(t, { endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX }),
      await watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX }),
    ];
    await putInstance(admin, PREFIX, 'svc', 'good-before');
    for (const [key, value] of BAD) await admin.put(`${PREFIX}/${key}`).value(value);
    await admin.put(BAD_KEY_BYTES).value(Buffer.from('{"Addr":"10.0.0.1:80"}'));
    await putInstance(admin, PREFIX, 'svc', 'good-after');
    const badKeys = BAD.length + 1;
    await assertConverged(admin, PREFIX, watched);
    for (const [i, w] of watched.entries()) {
      await waitFor(() => w.log.warnings.length >= badKeys, { message: `catalog ${i} to warn about every bad key (warned: ${w.log.warnings.map((e) => String(e.details['key'])).join(', ')})` });
      assert.equal(w.log.warnings.length, badKeys, `catalog ${i} warned once per bad key`);
      assert.ok(w.log.warnings.every((e) => e.code === 'ERR_MALFORMED_VALUE'), `catalog ${i}: malformed-value warnings`);
      assert.deepEqual(w.catalog.instances('svc').map((x) => x.id), ['good-after', 'good-before'], `catalog ${i} kept going`);
    }

    // A relist of the same bad keys (the first catalog cut off, history compacted) warns no more.
    const [away] = watched;
    assert.ok(away !== undefined);
    for (const p of proxies) p.cut();
    await waitFor(() => away.catalog.isStale, { message: 'the cut-off catalog to report stale' });
    await putInstance(admin, PREFIX, 'svc', 'good-while-away');
    await admin.kv.compact({ revision: String(await currentRevision(admin)), physical: true });
    for (const p of proxies) p.restore();
    await waitFor(() => away.log.synced.some((s) => s.reason === 'resync'), { timeoutMs: 15_000, message: 'the cut-off catalog to relist' });
    await assertConverged(admin, PREFIX, watched);
    t.diagnostic(`warnings after the relist: ${away.log.warnings.length} for ${badKeys} bad keys`);
    assert.equal(away.log.warnings.length, badKeys, 'a relist does not warn again about keys it already warned about');

    // The registrar checks names before any write: etcd's revision does not move.
    const r = registrar(t, cluster.endpoints, { ttl: 2, prefix: PREFIX });
    const before = await currentRevision(admin);
    for (const [service, id] of [['bad/name', 'i1'], ['svc', 'id/with/slash'], ['', 'i1'], ['svc', 'sp ace'], ['svc', 'lone-\ud800'], ['svc', 'x\ufffd']] as const) {
      await assert.rejects(r.register({ service, id, address: '10.0.0.9:80' }), InvalidNameError, `${service}/${id} is refused`);
    }
    assert.equal(await currentRevision(admin), before, 'nothing was written for an invalid name');
    await assertHistoryExplains(t, admin, PREFIX, watched, history);
  });
});
