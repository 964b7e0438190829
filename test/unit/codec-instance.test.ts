import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyLayout, decodeInstance, encodeInstance, MAX_VALUE_BYTES, type StoredValue } from '../../src/codec/index.js';
import { InvalidConfigError, InvalidNameError, MalformedValueError } from '../../src/errors.js';

const layout = new KeyLayout('services');
const stored = (key: string, value: string | Uint8Array): StoredValue => ({
  key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  lease: '7',
  modRevision: 5,
  createRevision: 4,
});

describe('instance codec', () => {
  const full = {
    service: 'api', id: 'a1', address: '10.0.0.1:8080', status: 'up', weight: 3, zone: 'eu-1',
    version: '1.2.0', tags: ['grpc'], meta: { team: 'core' }, registeredAt: '2026-01-01T00:00:00.000Z',
  } as const;
  const fullFields = {
    id: 'a1', service: 'api', status: 'up', weight: 3, zone: 'eu-1', version: '1.2.0', tags: ['grpc'],
    registeredAt: '2026-01-01T00:00:00.000Z', meta: { team: 'core' },
  };

  it('writes the Go endpoints.Manager form with rollcall\'s fields as a JSON-string Metadata', () => {
    const parsed = JSON.parse(encodeInstance(full)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['Op', 'Addr', 'Metadata']);
    assert.equal(parsed['Op'], 0);
    assert.equal(parsed['Addr'], '10.0.0.1:8080');
    // A string stays hashable in grpc-go's resolver.Address; an object (a Go map) panics it.
    assert.equal(typeof parsed['Metadata'], 'string');
    assert.deepEqual(JSON.parse(parsed['Metadata'] as string), fullFields);
  });

  it('decodes what it writes back unchanged', () => {
    const result = decodeInstance(layout, stored('services/api/a1', encodeInstance(full)));
    assert.ok(result.ok);
    assert.deepEqual(result.instance, {
      ...full, tags: ['grpc'], meta: { team: 'core' }, key: 'services/api/a1', lease: '7', modRevision: 5, createRevision: 4,
    });
  });

  it('reads an older rollcall value with the fields as a Metadata object', () => {
    const result = decodeInstance(layout, stored('services/api/a1', JSON.stringify({ Op: 0, Addr: '10.0.0.1:8080', Metadata: fullFields })));
    assert.ok(result.ok);
    assert.equal(result.instance.weight, 3);
    assert.equal(result.instance.zone, 'eu-1');
    assert.deepEqual(result.instance.tags, ['grpc']);
    assert.deepEqual(result.instance.meta, { team: 'core' });
  });

  it('reads rollcall\'s fields given at top level beside Op and Addr, with null or absent Metadata', () => {
    for (const metadata of [{ Metadata: null }, {}]) {
      const value = JSON.stringify({ Op: 0, Addr: 'h:1', ...metadata, status: 'draining', weight: 2, tags: ['t'], meta: { a: 1 } });
      const result = decodeInstance(layout, stored('services/api/top', value));
      assert.ok(result.ok, value);
      assert.equal(result.instance.status, 'draining');
      assert.equal(result.instance.weight, 2);
      assert.deepEqual(result.instance.tags, ['t']);
      assert.deepEqual(result.instance.meta, { a: 1 });
    }
  });

  it('reads a Go-written value with null Metadata as an up instance of weight 1 named by the key', () => {
    const result = decodeInstance(layout, stored('services/api/10.0.0.1:50051', '{"Addr":"10.0.0.1:50051","Metadata":null}'));
    assert.ok(result.ok);
    assert.equal(result.instance.id, '10.0.0.1:50051');
    assert.equal(result.instance.service, 'api');
    assert.equal(result.instance.status, 'up');
    assert.equal(result.instance.weight, 1);
    assert.deepEqual(result.instance.tags, []);
    assert.deepEqual(result.instance.meta, {});
  });

  it('keeps a foreign writer\'s own Metadata keys as meta, from an object or a JSON-object string', () => {
    const obj = decodeInstance(layout, stored('services/api/x', '{"Op":0,"Addr":"h:1","Metadata":{"region":"us","weight":2}}'));
    assert.ok(obj.ok);
    assert.deepEqual(obj.instance.meta, { region: 'us' });
    assert.equal(obj.instance.weight, 2);
    // etcd's grpc-proxy registers itself with Metadata = a JSON string such as {"Name":"host"}.
    const proxy = decodeInstance(layout, stored('services/api/p', JSON.stringify({ Op: 0, Addr: 'h:3', Metadata: '{"Name":"proxy-1"}' })));
    assert.ok(proxy.ok);
    assert.deepEqual(proxy.instance.meta, { Name: 'proxy-1' });
    assert.equal(proxy.instance.status, 'up');
  });

  it('keeps a Metadata that is not a JSON object as meta.value (strings as written)', () => {
    const cases: Array<[unknown, unknown]> = [['blue', 'blue'], ['42', '42'], ['[1]', '[1]'], ['{broken', '{broken'], [7, 7], [[1, 2], [1, 2]]];
    for (const [metadata, expected] of cases) {
      const result = decodeInstance(layout, stored('services/api/y', JSON.stringify({ Addr: 'h:2', Metadata: metadata })));
      assert.ok(result.ok, JSON.stringify(metadata));
      assert.deepEqual(result.instance.meta, { value: expected });
      assert.equal(result.instance.weight, 1);
    }
    const beside = decodeInstance(layout, stored('services/api/z', JSON.stringify({ Addr: 'h:2', Metadata: 'blue', weight: 4 })));
    assert.ok(beside.ok);
    assert.equal(beside.instance.weight, 4);
    assert.deepEqual(beside.instance.meta, { value: 'blue' });
  });

  it('throws InvalidConfigError (bad input to register) for a record over the size limit', () => {
    assert.throws(
      () => encodeInstance({ ...full, meta: { pad: 'x'.repeat(MAX_VALUE_BYTES) } }),
      (e: unknown) => e instanceof InvalidConfigError && e.code === 'ERR_INVALID_CONFIG' && /over the 65536-byte limit/.test(e.message) && e.details['id'] === 'a1',
    );
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
    ['a bad weight in a JSON-string Metadata', 'services/api/a', JSON.stringify({ Addr: 'h:1', Metadata: '{"weight":0}' }), /Metadata\.weight/],
    ['a bad top-level status', 'services/api/a', '{"Addr":"h:1","Metadata":null,"status":"nap"}', /status must be/],
    ['a bad top-level meta', 'services/api/a', '{"Addr":"h:1","meta":[1]}', /meta must be an object/],
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
