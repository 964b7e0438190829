import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConnectionOptions } from '../../src/etcd/index.js';
import { Backoff } from '../../src/etcd/backoff.js';
import { InvalidConfigError } from '../../src/errors.js';

describe('connection options', () => {
  it('defaults to 127.0.0.1:2379 over http with a 5 s timeout', () => {
    const o = resolveConnectionOptions({}, {});
    assert.deepEqual(o.endpoints, ['http://127.0.0.1:2379']);
    assert.equal(o.timeoutMs, 5000);
  });
  it('reads ROLLCALL_ENDPOINTS before ETCDCTL_ENDPOINTS, and explicit options before both', () => {
    const env = { ROLLCALL_ENDPOINTS: 'a:1,b:2', ETCDCTL_ENDPOINTS: 'c:3' };
    assert.deepEqual(resolveConnectionOptions({}, env).endpoints, ['http://a:1', 'http://b:2']);
    assert.deepEqual(resolveConnectionOptions({}, { ETCDCTL_ENDPOINTS: 'c:3' }).endpoints, ['http://c:3']);
    assert.deepEqual(resolveConnectionOptions({ endpoints: ['x:9'] }, env).endpoints, ['http://x:9']);
  });
  it('uses https for bare endpoints when TLS is configured', () => {
    const o = resolveConnectionOptions({ endpoints: 'h:2379', tls: { ca: 'PEM' } }, {});
    assert.deepEqual(o.endpoints, ['https://h:2379']);
    assert.equal(o.tls?.ca.toString(), 'PEM');
  });
  for (const [what, opts] of [
    ['an endpoint without port', { endpoints: 'http://h' }],
    ['a non-http scheme', { endpoints: 'ftp://h:1' }],
    ['a zero timeout', { timeoutMs: 0 }],
    ['a cert without key', { tls: { ca: 'x', cert: 'y' } }],
    ['an unreadable CA file', { tls: { ca: { path: '/nonexistent/ca.pem' } } }],
  ] as const) {
    it(`rejects ${what} with InvalidConfigError`, () => {
      assert.throws(() => resolveConnectionOptions(opts, {}), InvalidConfigError);
    });
  }
});

describe('backoff', () => {
  it('grows to the cap and restarts after reset', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, minMs: 0, random: () => 1 });
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000]);
    b.reset();
    assert.equal(b.next(), 100);
  });
  it('applies full jitter below the ceiling', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, minMs: 0, random: () => 0.5 });
    assert.equal(b.next(), 50);
  });
});
