// What the catalog's watch copy keeps per key (the decoded instance, or a bad value's error and
// fingerprint), when two reads count as the same, and the cache file's re-encoding of what it keeps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInstance, encodeInstance, KeyLayout } from '../../src/codec/index.js';
import { instanceKV } from '../../src/discovery/cache-file.js';
import { InvalidValue, keepInstances } from '../../src/discovery/kept-instance.js';
import { Membership } from '../../src/discovery/membership.js';
import type { WatchedKV } from '../../src/watch/index.js';

const layout = new KeyLayout('services');
const keep = keepInstances(layout, 4096);

function kv(key: string, value: string, revision = 10, lease = '0'): WatchedKV {
  return { key, value: Buffer.from(value), createRevision: 5, modRevision: revision, version: 1, lease };
}

const record = { service: 'api', id: 'a', address: '10.0.0.1:80', status: 'up', weight: 2, zone: 'eu-1', version: '1.2', tags: ['grpc', 'v2'], meta: { build: 'x' }, registeredAt: '2026-01-01T00:00:00.000Z' } as const;

/** Values of every form the codec accepts, rollcall's own and foreign writers'. */
const FORMS: Record<string, string> = {
  rollcall: encodeInstance(record),
  'rollcall, no optional fields': encodeInstance({ service: 'api', id: 'a', address: 'h:1', status: 'draining', weight: 1, tags: [], meta: {} }),
  'Go endpoints.Manager (Metadata null)': '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":null}',
  'Metadata as an object': '{"Addr":"h:2","Metadata":{"status":"up","weight":3,"meta":{"a":[1,{"b":null}]}}}',
  'foreign keys beside Addr': '{"Addr":"h:3","weight":4,"region":"us","nested":{"x":true}}',
  'scalar Metadata kept as meta.value': '{"Addr":"h:4","Metadata":"blue","weight":4}',
};

describe('the catalog keeps decoded instances', () => {
  it('keeps the decoded CatalogInstance for a valid value, and an InvalidValue with its error otherwise', () => {
    const kept = keep.keep(kv('services/api/a', FORMS['rollcall'] as string));
    assert.ok(!(kept instanceof InvalidValue));
    assert.equal(kept.address, '10.0.0.1:80');
    assert.equal(kept.inGroup, true);
    assert.ok(Object.isFrozen(kept.tags), 'tag lists are shared, so frozen');
    const other = keep.keep(kv('services/api/b', encodeInstance({ ...record, id: 'b' })));
    assert.equal(other instanceof InvalidValue ? undefined : other.tags, kept.tags, 'equal tag lists are one array');
    const bad = keep.keep(kv('services/api/x', 'not json'));
    assert.ok(bad instanceof InvalidValue);
    assert.equal(bad.error.code, 'ERR_MALFORMED_VALUE');
    assert.equal(bad.modRevision, 10);
  });

  it('counts two reads as the same only with equal revisions, lease and decoded record (or the same bad bytes)', () => {
    const value = FORMS['rollcall'] as string;
    const held = keep.keep(kv('services/api/a', value));
    assert.equal(keep.same(held, keep.keep(kv('services/api/a', value))), true);
    // A restored etcd reusing the revision for other bytes that decode to the same record.
    const reordered = JSON.stringify({ Metadata: (JSON.parse(value) as { Metadata: string }).Metadata, Addr: '10.0.0.1:80', Op: 0 });
    assert.equal(keep.same(held, keep.keep(kv('services/api/a', reordered))), true);
    assert.equal(keep.same(held, keep.keep(kv('services/api/a', encodeInstance({ ...record, weight: 3 })))), false, 'another record, same revision');
    assert.equal(keep.same(held, keep.keep(kv('services/api/a', value, 11))), false, 'another revision');
    assert.equal(keep.same(held, keep.keep(kv('services/api/a', value, 10, '77'))), false, 'another lease');
    const bad = keep.keep(kv('services/api/a', '{bad'));
    assert.equal(keep.same(bad, keep.keep(kv('services/api/a', '{bad'))), true, 'an unchanged bad value is not reported again');
    assert.equal(keep.same(bad, keep.keep(kv('services/api/a', '{bad!'))), false);
    assert.equal(keep.same(bad, held), false);
    assert.equal(keep.same(held, bad), false);
  });

  it('re-encodes a kept instance for the cache file so that the codec decodes it back to the same instance, whatever form etcd held', () => {
    for (const [form, value] of Object.entries(FORMS)) {
      const read = kv('services/api/a', value, 42, '7587');
      const original = decodeInstance(layout, read);
      assert.ok(original.ok, form);
      const kept = keep.keep(read);
      assert.ok(!(kept instanceof InvalidValue));
      const cached = instanceKV(kept);
      assert.deepEqual({ key: cached.key, lease: cached.lease, modRevision: cached.modRevision, createRevision: cached.createRevision }, { key: read.key, lease: '7587', modRevision: 42, createRevision: 5 }, form);
      assert.deepEqual(decodeInstance(layout, cached), original, form);
    }
  });

  it('a first listing that repeats the cache file changes nothing, and the membership then holds the listing\'s objects', () => {
    const m = new Membership(layout, { gracePeriodMs: 1000, maxValueBytes: 4096 });
    const read = kv('services/api/a', FORMS['rollcall'] as string);
    const first = m.keep.keep(read);
    assert.ok(!(first instanceof InvalidValue));
    m.load([instanceKV(first)]);
    const fromCache = m.live('api')[0];
    const listed = m.keep.keep(read);
    const result = m.apply([{ type: 'put', kv: read, kept: listed, revision: read.modRevision }], 'initial');
    assert.deepEqual(result.changes, []);
    assert.notEqual(fromCache, listed);
    assert.equal(m.live('api')[0], listed, 'one object per instance: the one the watch copy keeps');
  });
});
