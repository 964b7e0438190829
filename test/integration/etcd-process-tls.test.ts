// EtcdProcess with TLS on the client URL: https endpoints, etcd3 with the right CA and client
// certificate works; the unrelated CA, or no client certificate, is refused at the handshake.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { httpJson } from '../../src/dev/etcd-http.js';
import { makeTestCertsFor } from '../helpers/certs.js';
import { etcdClient, processGone, startEtcd } from '../helpers/etcd.js';

describe('EtcdProcess with TLS', () => {
  it('serves https with client-cert auth: right CA + client cert works, wrong CA or no cert is refused', async (t) => {
    const certs = makeTestCertsFor(t);
    const etcd = await startEtcd(t, {
      tls: {
        certFile: certs.serverCertFile,
        keyFile: certs.serverKeyFile,
        trustedCaFile: certs.caFile,
        clientCertAuth: true,
      },
    });
    assert.match(etcd.clientUrl, /^https:\/\/127\.0\.0\.1:\d+$/);

    const client = etcdClient(t, etcd, {
      credentials: {
        rootCertificate: readFileSync(certs.caFile),
        certChain: readFileSync(certs.clientCertFile),
        privateKey: readFileSync(certs.clientKeyFile),
      },
    });
    await client.put('tls/key').value('secret');
    assert.equal(await client.get('tls/key').string(), 'secret');

    const ca = readFileSync(certs.caFile);
    const cert = readFileSync(certs.clientCertFile);
    const key = readFileSync(certs.clientKeyFile);
    const ok = await httpJson(`${etcd.clientUrl}/health`, { tls: { ca, cert, key } });
    assert.equal(ok.status, 200);

    // Server certificate does not chain to the CA the client trusts.
    await assert.rejects(
      httpJson(`${etcd.clientUrl}/health`, { tls: { ca: readFileSync(certs.otherCaFile), cert, key } }),
      (error: NodeJS.ErrnoException) => /certificate/i.test(`${error.code ?? ''} ${error.message}`),
    );
    // Client certificate signed by a CA the server does not trust.
    await assert.rejects(
      httpJson(`${etcd.clientUrl}/health`, {
        tls: { ca, cert: readFileSync(certs.otherClientCertFile), key: readFileSync(certs.otherClientKeyFile) },
      }),
    );
    // No client certificate at all.
    await assert.rejects(httpJson(`${etcd.clientUrl}/health`, { tls: { ca } }));

    await etcd.stop();
    assert.equal(processGone(etcd.pid), true);
    assert.equal(existsSync(etcd.dataDir), false);
  });
});
