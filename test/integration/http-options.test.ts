// rollcall/http's pure parts, no server needed: option checks and defaults, which hosts name
// services, the origin an instance's address becomes, and header handling in every shape undici
// accepts. (Unit-level tests; they live beside the other http suites.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidConfigError, MalformedValueError } from '../../src/errors.js';
import { serviceInterceptor, serviceOfHost } from '../../src/http/index.js';
import { resolveHttpOptions } from '../../src/http/http-options.js';
import { instanceOrigin } from '../../src/http/instance-origin.js';
import { headerValue, withDefaultHeader } from '../../src/http/request-headers.js';
import { BodyTracker, isIdempotent } from '../../src/http/retry-policy.js';
import type { Instance } from '../../src/codec/instance.js';
import { Readable } from 'node:stream';

const instance = (address: string): Instance => ({
  service: 'api', id: 'i1', address, status: 'up', weight: 1, tags: [], meta: {}, key: 'services/api/i1', lease: '0', modRevision: 1, createRevision: 1,
});

describe('rollcall/http options, hosts, origins and headers', () => {
  it('fills in the documented defaults', () => {
    const options = resolveHttpOptions({});
    assert.equal(options.prefix, 'services');
    assert.equal(options.maxAttempts, 3);
    assert.equal(options.tryTimeoutMs, 30_000);
    assert.equal(options.hostHeader, 'service');
    assert.equal(options.hostSuffix, undefined);
    assert.equal(options.services, undefined);
    assert.deepEqual(options.picker, {});
  });

  it('refuses invalid options with InvalidConfigError at construction', () => {
    for (const bad of [
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { tryTimeoutMs: -1 },
      { hostSuffix: 'rollcall' },
      { services: [''] },
      { hostHeader: 'other' as never },
      { hashHeader: '' },
      { strategy: 'fastest' as never },
      { panicThreshold: 2 },
    ]) {
      assert.throws(() => serviceInterceptor(bad), InvalidConfigError, JSON.stringify(bad));
    }
  });

  it('names a service by a single-label host by default, by suffix or list when configured, never by an IP or localhost', () => {
    const byDefault = resolveHttpOptions({});
    assert.equal(serviceOfHost('api', byDefault), 'api');
    assert.equal(serviceOfHost('api.', byDefault), 'api');
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'api.example.com']) assert.equal(serviceOfHost(host, byDefault), undefined, host);
    const bySuffix = resolveHttpOptions({ hostSuffix: '.Rollcall' });
    assert.equal(serviceOfHost('api.rollcall', bySuffix), 'api');
    assert.equal(serviceOfHost('api', bySuffix), undefined);
    assert.equal(serviceOfHost('.rollcall', bySuffix), undefined);
    const byList = resolveHttpOptions({ services: ['API', 'billing'] });
    assert.equal(serviceOfHost('api', byList), 'api');
    assert.equal(serviceOfHost('orders', byList), undefined);
  });

  it("turns an instance's address into an origin with the caller's scheme", () => {
    const requested = new URL('https://api:8443/x');
    assert.equal(instanceOrigin(instance('10.0.0.1:8080'), requested), 'https://10.0.0.1:8080');
    assert.equal(instanceOrigin(instance('10.0.0.1'), requested), 'https://10.0.0.1:8443');
    assert.equal(instanceOrigin(instance('[::1]:9000'), requested), 'https://[::1]:9000');
    assert.equal(instanceOrigin(instance('::1'), requested), 'https://[::1]:8443');
    assert.equal(instanceOrigin(instance('http://10.0.0.2:81'), requested), 'http://10.0.0.2:81');
    assert.throws(() => instanceOrigin(instance('grpc://x'), requested), MalformedValueError);
  });

  it('reads and adds headers in object, flat array, pair array and iterable form; a header already there wins', () => {
    assert.equal(headerValue({ 'X-User': 'u1' }, 'x-user'), 'u1');
    assert.equal(headerValue(['x-user', 'u2'], 'x-user'), 'u2');
    assert.equal(headerValue(new Map([['x-user', 'u3']]), 'x-user'), 'u3');
    assert.deepEqual(withDefaultHeader(null, 'host', 'api'), { host: 'api' });
    assert.deepEqual(withDefaultHeader({ a: '1' }, 'host', 'api'), { host: 'api', a: '1' });
    assert.deepEqual(withDefaultHeader(['a', '1'], 'host', 'api'), ['host', 'api', 'a', '1']);
    assert.deepEqual(withDefaultHeader(new Map([['a', ['1', '2']]]), 'host', 'api'), ['host', 'api', 'a', '1', 'a', '2']);
    assert.deepEqual(withDefaultHeader({ Host: 'mine' }, 'host', 'api'), { Host: 'mine' });
  });

  it('calls RFC 9110 idempotent methods and Idempotency-Key requests idempotent', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']) assert.ok(isIdempotent(method, null), method);
    assert.equal(isIdempotent('POST', null), false);
    assert.equal(isIdempotent('PATCH', { 'Idempotency-Key': 'k' }), true);
  });

  it('says a body may be sent again only while nothing has read it', async () => {
    assert.ok(new BodyTracker('text').replayable());
    const stream = Readable.from(['a']);
    const byStream = new BodyTracker(stream);
    assert.ok(byStream.replayable());
    for await (const _ of stream) break;
    assert.equal(byStream.replayable(), false);
    const iterable = new BodyTracker((async function* () { yield 'a'; })() as never);
    assert.ok(iterable.replayable());
    for await (const _ of iterable.body as unknown as AsyncIterable<unknown>) break;
    assert.equal(iterable.replayable(), false);
  });
});
