// etcdArgs: the command line of a harness member, plain or with TLS on the client and peer URLs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdArgs, type EtcdLaunchSpec } from '../../src/dev/etcd-args.js';

const SPEC: EtcdLaunchSpec = {
  name: 'm0',
  dataDir: '/tmp/d',
  clientPort: 1001,
  peerPort: 1002,
  metricsPort: 1003,
  initialCluster: 'm0=http://127.0.0.1:1002',
  initialClusterToken: 'tok',
};
const TLS = { certFile: '/c/server.crt', keyFile: '/c/server.key', trustedCaFile: '/c/ca.crt' };

/** Every `--flag=value` as a map, and bare flags with value true. */
function flags(args: readonly string[]): Map<string, string | true> {
  return new Map(
    args.map((a): [string, string | true] => {
      const eq = a.indexOf('=');
      return eq < 0 ? [a, true] : [a.slice(0, eq), a.slice(eq + 1)];
    }),
  );
}

describe('etcdArgs', () => {
  it('plain: http client and peer URLs, no TLS flags, metrics on plain http', () => {
    const f = flags(etcdArgs(SPEC));
    assert.equal(f.get('--listen-client-urls'), 'http://127.0.0.1:1001');
    assert.equal(f.get('--initial-advertise-peer-urls'), 'http://127.0.0.1:1002');
    assert.equal(f.get('--listen-metrics-urls'), 'http://127.0.0.1:1003');
    assert.deepEqual([...f.keys()].filter((k) => /cert|key-file|trusted-ca/.test(k)), []);
  });

  it('tls and peerTls: https on both, each listener with its own four flags', () => {
    const f = flags(etcdArgs({ ...SPEC, tls: { ...TLS, clientCertAuth: true }, peerTls: { ...TLS, certFile: '/c/peer.crt' } }));
    assert.equal(f.get('--advertise-client-urls'), 'https://127.0.0.1:1001');
    assert.equal(f.get('--listen-peer-urls'), 'https://127.0.0.1:1002');
    assert.equal(f.get('--listen-metrics-urls'), 'http://127.0.0.1:1003');
    assert.equal(f.get('--cert-file'), '/c/server.crt');
    assert.equal(f.get('--client-cert-auth'), true);
    assert.equal(f.get('--peer-cert-file'), '/c/peer.crt');
    assert.equal(f.get('--peer-key-file'), '/c/server.key');
    assert.equal(f.get('--peer-trusted-ca-file'), '/c/ca.crt');
    assert.equal(f.has('--peer-client-cert-auth'), false);
  });

  it('extraArgs come last, so they override ours', () => {
    const args = etcdArgs({ ...SPEC, extraArgs: ['--name=other'] });
    assert.equal(args.at(-1), '--name=other');
  });
});
