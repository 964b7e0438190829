import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInstance, KeyLayout, type InstanceStatus } from '../../src/codec/index.js';
import { keepInstances, type KeptInstance } from '../../src/discovery/kept-instance.js';
import { Membership } from '../../src/discovery/membership.js';
import { prefixRange, type RangeChange, type WatchedKV } from '../../src/watch/index.js';

let revision = 100;

function kv(service: string, id: string, status: InstanceStatus = 'up', extra: { weight?: number; lease?: string } = {}): WatchedKV {
  revision += 1;
  const value = encodeInstance({ service, id, address: `10.0.0.1:${revision}`, status, weight: extra.weight ?? 1, tags: [], meta: {} });
  return { key: `services/${service}/${id}`, value: Buffer.from(value), createRevision: revision, modRevision: revision, version: 1, lease: extra.lease ?? '7' };
}

// What the catalog's followers hand the membership: each put already kept (decoded) by its policy.
const keep = keepInstances(new KeyLayout('services'), 1024);
const put = (value: WatchedKV): RangeChange<KeptInstance> => ({ type: 'put', kv: value, kept: keep.keep(value), revision: value.modRevision });
const del = (key: string): RangeChange<KeptInstance> => ({ type: 'delete', key, revision: ++revision });
const raw = (key: string, text: string): WatchedKV => ({ key, value: Buffer.from(text), createRevision: ++revision, modRevision: revision, version: 1, lease: '0' });

function membership(gracePeriodMs = 1000): { m: Membership; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return { m: new Membership(new KeyLayout('services'), { gracePeriodMs, maxValueBytes: 1024, now: () => clock.now }), clock };
}

describe('Membership (pure catalog rules)', () => {
  it('reports put -> added, put again -> updated with previous and current', () => {
    const { m } = membership();
    const first = m.apply([put(kv('api', 'a'))], 'watch');
    assert.deepEqual(first.changes.map((c) => c.type), ['added']);
    assert.deepEqual([...first.touched], ['api']);
    const second = m.apply([put(kv('api', 'a', 'draining', { weight: 3 }))], 'watch');
    const [change] = second.changes;
    assert.equal(change?.type, 'updated');
    if (change?.type !== 'updated') return;
    assert.equal(change.previous.status, 'up');
    assert.equal(change.current.status, 'draining');
    assert.equal(change.current.weight, 3);
    assert.equal(change.current.inGroup, true);
    assert.deepEqual(m.live('api').map((i) => i.status), ['draining']);
  });

  it('tells deregistered (last status leaving) from expired (any other status) on delete', () => {
    const { m } = membership();
    m.apply([put(kv('api', 'clean')), put(kv('api', 'crash'))], 'watch');
    m.apply([put(kv('api', 'clean', 'leaving'))], 'watch');
    const result = m.apply([del('services/api/clean'), del('services/api/crash')], 'watch');
    assert.deepEqual(
      result.changes.map((c) => (c.type === 'removed' ? `${c.instance.id}:${c.reason}:${c.instance.inGroup}` : c.type)),
      ['clean:deregistered:false', 'crash:expired:false'],
    );
    assert.deepEqual(m.live('api'), []);
    assert.deepEqual(m.list('api', true).map((i) => `${i.id}:${i.inGroup}`), ['crash:false'], 'only the expired one is kept');
  });

  it('keeps an expired instance for the grace period, reports its return as recovered, and forgets it afterwards', () => {
    const { m, clock } = membership(1000);
    m.apply([put(kv('api', 'a')), put(kv('api', 'b'))], 'watch');
    m.apply([del('services/api/a'), del('services/api/b')], 'watch');
    assert.equal(m.nextExpiryAt(), clock.now + 1000);
    clock.now += 400;
    const back = m.apply([put(kv('api', 'a'))], 'watch');
    const [change] = back.changes;
    assert.equal(change?.type, 'recovered');
    if (change?.type === 'recovered') {
      assert.equal(change.lostForMs, 400);
      assert.equal(change.previous.inGroup, false);
      assert.equal(change.current.inGroup, true);
    }
    clock.now += 599;
    assert.equal(m.purgeExpired(), 0);
    clock.now += 1;
    assert.equal(m.purgeExpired(), 1);
    assert.deepEqual(m.list('api', true).map((i) => i.id), ['a']);
    assert.equal(m.nextExpiryAt(), undefined);
    assert.equal(m.apply([put(kv('api', 'b'))], 'watch').changes[0]?.type, 'added', 'after the grace period a return is a new instance');
  });

  it('with a zero grace period forgets an expired instance at once', () => {
    const { m } = membership(0);
    m.apply([put(kv('api', 'a'))], 'watch');
    assert.equal(m.apply([del('services/api/a')], 'watch').changes[0]?.type, 'removed');
    assert.deepEqual(m.list('api', true), []);
    assert.equal(m.apply([put(kv('api', 'a'))], 'watch').changes[0]?.type, 'added');
  });

  it('skips bad values with a warning naming key and reason, and removes a valid instance a bad value replaced as invalid', () => {
    const { m } = membership();
    m.apply([put(kv('api', 'good')), put(kv('api', 'victim'))], 'watch');
    const result = m.apply(
      [
        put(raw('services/api/junk', 'not json')),
        put(raw('services/api/noaddr', '{"Metadata":null}')),
        put(raw('services/api/deep/er', '{"Addr":"1.2.3.4:5"}')),
        put(raw('services/api/big', JSON.stringify({ Addr: '1.2.3.4:5', Metadata: { meta: { pad: 'x'.repeat(2000) } } }))),
        put(raw('services/api/victim', '[]')),
      ],
      'watch',
    );
    assert.deepEqual(
      result.warnings.map((w) => [w.code, w.details['key'], w.details['removed']]),
      [
        ['ERR_MALFORMED_VALUE', 'services/api/junk', false],
        ['ERR_MALFORMED_VALUE', 'services/api/noaddr', false],
        ['ERR_MALFORMED_VALUE', 'services/api/deep/er', false],
        ['ERR_MALFORMED_VALUE', 'services/api/big', false],
        ['ERR_MALFORMED_VALUE', 'services/api/victim', true],
      ],
    );
    assert.match(String(result.warnings[2]?.details['reason']), /unexpected key depth/);
    assert.match(String(result.warnings[3]?.details['reason']), /over the 1024-byte limit/);
    assert.deepEqual(result.changes.map((c) => (c.type === 'removed' ? `${c.instance.id}:${c.reason}` : c.type)), ['victim:invalid']);
    assert.deepEqual(m.live('api').map((i) => i.id), ['good']);
    assert.deepEqual(m.list('api', true).map((i) => i.id), ['good'], 'an invalid value is not a lost instance');
    assert.equal(m.apply([del('services/api/junk')], 'watch').changes.length, 0, 'deleting a key that never held an instance changes nothing');
  });

  it('ignores a repeat of the value it holds, and a first listing removes what only the cache file knew', () => {
    const { m } = membership();
    const kept = kv('api', 'kept');
    const gone = kv('api', 'gone', 'leaving');
    const other = kv('web', 'w');
    assert.deepEqual(m.load([kept, gone, other]).changes.map((c) => c.cause), ['cache', 'cache', 'cache']);
    const listed = new Map([[kept.key, kept]]);
    const result = m.apply([put(kept)], 'initial');
    m.retainListed(prefixRange('services/api/'), listed, 500, 'initial', result);
    assert.deepEqual(result.changes.map((c) => (c.type === 'removed' ? `${c.instance.id}:${c.reason}:${c.revision}` : c.type)), ['gone:deregistered:500']);
    assert.deepEqual(m.services(false), ['api', 'web'], 'a range that was not listed is left alone');
    assert.deepEqual(m.liveInstances().map((i) => i.key).sort(), ['services/api/kept', 'services/web/w']);
  });

  it('keeps the live view array until its service changes', () => {
    const { m } = membership();
    m.apply([put(kv('api', 'a')), put(kv('web', 'w'))], 'watch');
    const view = m.live('api');
    m.apply([put(kv('web', 'w2'))], 'watch');
    assert.equal(m.live('api'), view, 'another service changing does not rebuild the view');
    m.apply([put(kv('api', 'b'))], 'watch');
    assert.notEqual(m.live('api'), view);
    assert.deepEqual(m.live('api').map((i) => i.id), ['a', 'b']);
  });
});
