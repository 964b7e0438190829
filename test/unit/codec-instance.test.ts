import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyLayout, decodeInstance, encodeInstance, MAX_VALUE_BYTES, type StoredValue } from '../../src/codec/index.js';
import { InvalidNameError, MalformedValueError } from '../../src/errors.js';

const layout = new KeyLayout('services');
const stored = (key: string, value: string | Uint8Array): StoredValue => ({
  key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  lease: '7',
  modRevision: 5,
  createRevision: 4,
});

describe('instance codec', () => {
  it('encodes the Go endpoints.Manager form and decodes it back unchanged', () => {
    const json = encodeInstance({
      service: 'api', id: 'a1', address: '10.0.0.1:8080', status: 'up', weight: 3, zone: 'eu-1',
      version: '1.2.0', tags: ['grpc'], meta: { team: 'core' }, registeredAt: '2026-01-01T00:00:00.000Z',
    });
    const parsed = JSON.parse(json) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['Op', 'Addr', 'Metadata']);
    assert.equal(parsed['Op'], 0);
    assert.equal(parsed['Addr'], '10.0.0.1:8080');
    const result = decodeInstance(layout, stored('services/api/a1', json));
    assert.ok(result.ok);
    assert.deepEqual(result.instance, {
      service: 'api', id: 'a1', address: '10.0.0.1:8080', status: 'up', weight: 3, zone: 'eu-1', version: '1.2.0',
      tags: ['grpc'], meta: { team: 'core' }, registeredAt: '2026-01-01T00:00:00.000Z',
      key: 'services/api/a1', lease: '7', modRevision: 5, createRevision: 4,
    });
  });

  it('reads a Go-written value with null Metadata as an up instance of weight 1 named by the key', () => {
    const result = decodeInstance(layout, stored('services/api/10.0.0.1:50051', '{"Addr":"10.0.0.1:50051","Metadata":null}'));
    assert.ok(result.ok);
    assert.equal(result.instance.id, '10.0.0.1:50051');
    assert.equal(result.instance.service, 'api');
    assert.equal(result.instance.status, 'up');
    assert.equal(result.instance.weight, 1);
    assert.deepEqual(result.instance.meta, {});
  });

  it('keeps a foreign writer\'s own Metadata keys as meta, and a scalar Metadata as meta.value', () => {
    const obj = decodeInstance(layout, stored('services/api/x', '{"Op":0,"Addr":"h:1","Metadata":{"region":"us","weight":2}}'));
    assert.ok(obj.ok);
    assert.deepEqual(obj.instance.meta, { region: 'us' });
    assert.equal(obj.instance.weight, 2);
    const scalar = decodeInstance(layout, stored('services/api/y', '{"Addr":"h:2","Metadata":"blue"}'));
    assert.ok(scalar.ok);
    assert.deepEqual(scalar.instance.meta, { value: 'blue' });
  });

  const bad: Array<[string, string, string | Uint8Array, RegExp]> = [
    ['not JSON', 'services/api/a', 'hello', /not JSON/],
    ['not an object', 'services/api/a', '[1,2]', /not a JSON object/],
    ['no Addr', 'services/api/a', '{"Metadata":{}}', /Addr/],
    ['empty Addr', 'services/api/a', '{"Addr":""}', /Addr/],
    ['a delete Op', 'services/api/a', '{"Op":1,"Addr":"h:1"}', /Op/],
    ['bad status', 'services/api/a', '{"Addr":"h:1","Metadata":{"status":"sleepy"}}', /status/],
    ['bad weight', 'services/api/a', '{"Addr":"h:1","Metadata":{"weight":-1}}', /weight/],
    ['bad tags', 'services/api/a', '{"Addr":"h:1","Metadata":{"tags":"x"}}', /tags/],
    ['too deep a key', 'services/api/a/b', '{"Addr":"h:1"}', /depth/],
    ['too shallow a key', 'services/api', '{"Addr":"h:1"}', /depth/],
    ['oversized', 'services/api/a', new Uint8Array(MAX_VALUE_BYTES + 1), /over the/],
  ];
  for (const [what, key, value, reason] of bad) {
    it(`rejects ${what} with a MalformedValueError naming the key`, () => {
      const result = decodeInstance(layout, stored(key, value));
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.ok(result.error instanceof MalformedValueError);
      assert.equal(result.error.code, 'ERR_MALFORMED_VALUE');
      assert.match(result.error.message, reason);
      assert.equal(result.error.details['key'], key);
    });
  }
});

describe('key layout', () => {
  it('builds and parses instance keys', () => {
    assert.equal(layout.instanceKey('api', 'a1'), 'services/api/a1');
    assert.deepEqual(layout.parse('services/api/a1'), { ok: true, service: 'api', id: 'a1' });
    assert.equal(new KeyLayout('/prod/services/').root, 'prod/services/');
  });

  for (const name of ['', 'a/b', 'a b', 'tab\there', 'nul\u0000', 'x'.repeat(129), '..']) {
    it(`rejects the service name ${JSON.stringify(name).slice(0, 20)} with InvalidNameError`, () => {
      assert.throws(() => layout.instanceKey(name, 'id'), (e: unknown) => e instanceof InvalidNameError && e.code === 'ERR_INVALID_NAME');
    });
  }
});
