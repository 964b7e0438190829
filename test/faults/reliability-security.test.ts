/**
 * Scenario 10: security. On a 3-member cluster with auth enabled and a role that may write only
 * `<prefix>/api/`: registering `api` works, registering `payments` fails at once with a typed
 * permission error (EtcdAuthError), a wrong password fails with EtcdAuthError, none hangs or
 * retries forever; an auth token that expires during a long watch (`--auth-token-ttl` short), and
 * a watch re-opened after it expired, do not end the catalog. On a 3-member cluster with TLS and
 * client-certificate auth on client and peer URLs: with the right CA and certificate a registrar
 * and a catalog work (register, deregister) and survive the leader being killed; a wrong CA, or no
 * client certificate, fails with EtcdTlsError at once, for a catalog and a registrar.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Catalog } from '../../src/discovery/index.js';
import { EtcdAuthError, EtcdTlsError } from '../../src/errors.js';
import { Registrar } from '../../src/registration/index.js';
import { makeTestCertsFor, mutualTlsCluster } from '../helpers/certs.js';
import { etcdctl, FAST, record, truthOf, viewOf, waitForLog } from '../helpers/catalog.js';
import { etcdClient, eventually, startCluster, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';

const PREFIX = 'sec';
const TOKEN_TTL_S = 2;
/** A call that fails for a reason retrying cannot fix must fail well within this. */
const FAST_FAILURE_MS = 5_000;

async function timed<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = Date.now();
  try {
    return { value: await run(), ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
}

describe('scenario 10: security (auth with roles; TLS with client certificates; both on a 3-member cluster)', () => {
  assertNoUnhandledRejections();

  it('a role limited to api/: api registers, payments and a wrong password fail typed and fast; token expiry does not end a catalog', async (t) => {
    const cluster = await startCluster(t, { extraArgs: [`--auth-token-ttl=${TOKEN_TTL_S}`] });
    const at = cluster.member(0).clientUrl;
    await etcdctl(t, at, 'user', 'add', 'root:rootpw');
    await etcdctl(t, at, 'user', 'grant-role', 'root', 'root');
    await etcdctl(t, at, 'role', 'add', 'api-writer');
    await etcdctl(t, at, 'role', 'grant-permission', 'api-writer', '--prefix=true', 'readwrite', `${PREFIX}/api/`);
    await etcdctl(t, at, 'role', 'grant-permission', 'api-writer', '--prefix=true', 'read', `${PREFIX}/`);
    await etcdctl(t, at, 'user', 'add', 'api:apipw');
    await etcdctl(t, at, 'user', 'grant-role', 'api', 'api-writer');
    await etcdctl(t, at, 'auth', 'enable');

    const auth = { username: 'api', password: 'apipw' };
    // The catalog reaches etcd through proxies so that its watch can be broken after the token expired.
    const proxies = await Promise.all(cluster.members.map((m) => TcpProxy.start(t, m.clientUrl)));
    const catalog = await Catalog.open({ ...FAST, endpoints: proxies.map((p) => p.endpoint), prefix: PREFIX, auth });
    t.after(() => catalog.close());
    const registrar = new Registrar({ endpoints: cluster.endpoints, prefix: PREFIX, ttl: 2, timeoutMs: 2000, auth });
    t.after(() => registrar.close().catch(() => undefined));

    await registrar.register({ service: 'api', id: 'a1', address: '10.0.0.1:80' });
    await waitFor(() => catalog.instances('api').length === 1, { message: 'the catalog to see api/a1' });

    const payments = await timed(() => registrar.register({ service: 'payments', id: 'p1', address: '10.0.0.2:80' }));
    assert.ok(payments.error instanceof EtcdAuthError, `payments refused with EtcdAuthError, got ${String(payments.error)}`);
    assert.match((payments.error as Error).message, /permission denied/);
    assert.ok(payments.ms < FAST_FAILURE_MS, `refused at once (${payments.ms} ms), not retried`);
    t.diagnostic(`payments refused in ${payments.ms} ms`);

    const wrong = await timed(() => Catalog.open({ ...FAST, endpoints: cluster.endpoints, prefix: PREFIX, auth: { username: 'api', password: 'nope' } }));
    if (wrong.value !== undefined) await wrong.value.close();
    assert.ok(wrong.error instanceof EtcdAuthError, `a wrong password fails with EtcdAuthError, got ${String(wrong.error)}`);
    assert.ok(wrong.ms < FAST_FAILURE_MS, `a wrong password fails at once (${wrong.ms} ms)`);
    t.diagnostic(`wrong password refused in ${wrong.ms} ms`);

    // Observation window: the catalog's token outlives its TTL on an open watch...
    await delay(TOKEN_TTL_S * 1000 + 1000);
    await registrar.register({ service: 'api', id: 'a2', address: '10.0.0.3:80' });
    await waitFor(() => catalog.instances('api').length === 2, { message: 'the catalog to see api/a2 after its token expired' });
    // ...and a watch re-opened after that (connections cut) re-authenticates.
    for (const p of proxies) p.cut();
    await waitFor(() => catalog.isStale, { message: 'the catalog to notice the cut' });
    for (const p of proxies) p.restore();
    await registrar.register({ service: 'api', id: 'a3', address: '10.0.0.4:80' });
    await waitFor(() => catalog.instances('api').length === 3 && !catalog.isStale, {
      timeoutMs: 15_000,
      message: 'the catalog to resume with a fresh token and see api/a3',
    });
    assert.deepEqual(catalog.instances('api').map((i) => i.id), ['a1', 'a2', 'a3']);
  });

  it('TLS on a 3-member cluster with client certificates: register, watch, deregister, a killed leader; a wrong CA or no certificate fail typed and fast', async (t) => {
    const certs = makeTestCertsFor(t);
    const cluster = await startCluster(t, mutualTlsCluster(certs));
    const tls = { ca: readFileSync(certs.caFile), cert: readFileSync(certs.clientCertFile), key: readFileSync(certs.clientKeyFile) };
    const truth = etcdClient(t, cluster, { credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key } });

    const registrar = new Registrar({ endpoints: cluster.endpoints, prefix: PREFIX, ttl: 2, timeoutMs: 2000, tls });
    t.after(() => registrar.close().catch(() => undefined));
    const catalog = await Catalog.open({ ...FAST, endpoints: cluster.endpoints, prefix: PREFIX, tls });
    t.after(() => catalog.close());
    const events = record(catalog);
    const t1 = await registrar.register({ service: 'api', id: 't1', address: '10.0.0.5:80' });
    await waitForLog(events, ['added api/t1']);

    const leader = await cluster.waitForLeader();
    const killedAt = Date.now();
    await cluster.kill(leader);
    await cluster.waitForLeader({ notIndex: leader });
    await registrar.register({ service: 'api', id: 't2', address: '10.0.0.6:80' });
    t.diagnostic(`leader ${leader} killed; first TLS write after it done ${Date.now() - killedAt} ms later`);
    await t1.deregister();
    await waitForLog(events, ['added api/t2', 'removed api/t1 deregistered']);
    await eventually(async () => assert.deepEqual(viewOf(catalog), await truthOf(truth, PREFIX)));
    assert.deepEqual([...viewOf(catalog).keys()], ['api/t2']);

    // Neither fault can be fixed by retrying: each must fail typed, at once, for reader and writer alike.
    const faults = [
      { what: 'a wrong CA', tls: { ...tls, ca: readFileSync(certs.otherCaFile) } },
      { what: 'no client certificate', tls: { ca: tls.ca } },
    ];
    for (const fault of faults) {
      const open = await timed(() => Catalog.open({ ...FAST, endpoints: cluster.endpoints, prefix: PREFIX, tls: fault.tls }));
      if (open.value !== undefined) await open.value.close();
      const writer = new Registrar({ endpoints: cluster.endpoints, prefix: PREFIX, ttl: 2, timeoutMs: 2000, tls: fault.tls });
      t.after(() => writer.close().catch(() => undefined));
      const write = await timed(() => writer.register({ service: 'api', id: 'x1', address: '10.0.0.7:80' }));
      for (const [who, result] of [['a catalog', open], ['a registrar', write]] as const) {
        assert.ok(result.error instanceof EtcdTlsError, `${fault.what}: ${who} fails with EtcdTlsError, got ${String(result.error)}`);
        assert.ok(result.ms < FAST_FAILURE_MS, `${fault.what}: ${who} fails at once (${result.ms} ms)`);
        t.diagnostic(`${fault.what}: ${who} refused in ${result.ms} ms`);
      }
    }
  });
});
