// Membership keeps each service's live view sorted by patching it per change (no re-sort per
// batch): checked against a plain sort after every step of a long random sequence, plus the
// copy-on-write promise of live() and the shape of the objects it keeps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInstance, KeyLayout, type InstanceStatus } from '../../src/codec/index.js';
import { keepInstances, type KeptInstance } from '../../src/discovery/kept-instance.js';
import { Membership } from '../../src/discovery/membership.js';
import type { RangeChange, WatchedKV } from '../../src/watch/index.js';
import { seeded } from '../helpers/balance-fixtures.js';

let revision = 1;
const keep = keepInstances(new KeyLayout('services'), 4096);

function put(service: string, id: string, status: InstanceStatus = 'up', zone?: string): RangeChange<KeptInstance> {
  revision += 1;
  const value = encodeInstance({ service, id, address: `10.0.0.1:${revision % 60000}`, status, weight: 1, tags: [], meta: {}, ...(zone ? { zone } : {}) });
  const kv: WatchedKV = { key: `services/${service}/${id}`, value: Buffer.from(value), createRevision: revision, modRevision: revision, version: 1, lease: '7' };
  return { type: 'put', kv, kept: keep.keep(kv), revision };
}

const del = (service: string, id: string): RangeChange<KeptInstance> => ({ type: 'delete', key: `services/${service}/${id}`, revision: ++revision });

describe('Membership incremental live views', () => {
  it('after every step of 3,000 random puts, status changes and deletes, live() equals a full sort of the live set', () => {
    const random = seeded(15);
    const m = new Membership(new KeyLayout('services'), { gracePeriodMs: 1000, maxValueBytes: 4096, now: () => 1 });
    const expected = new Map<string, Set<string>>([['a', new Set()], ['b', new Set()]]);
    const leaving = new Set<string>();
    for (let step = 0; step < 3000; step++) {
      const service = random() < 0.7 ? 'a' : 'b';
      const id = `i${Math.floor(random() * 300)}`;
      const roll = random();
      const batch: RangeChange<KeptInstance>[] = [];
      if (roll < 0.55) {
        batch.push(put(service, id));
        expected.get(service)?.add(id);
        leaving.delete(`${service}/${id}`);
      } else if (roll < 0.65 && expected.get(service)?.has(id)) {
        batch.push(put(service, id, 'leaving'));
        leaving.add(`${service}/${id}`);
      } else {
        batch.push(del(service, id));
        expected.get(service)?.delete(id);
      }
      m.apply(batch, 'watch');
      if (step % 10 === 0 || step > 2990) {
        for (const [name, ids] of expected) {
          assert.deepEqual(m.live(name).map((i) => i.id), [...ids].sort(), `service ${name} at step ${step}`);
        }
      }
    }
    assert.deepEqual(m.list('a', false).map((i) => i.id), [...(expected.get('a') ?? [])].sort());
  });

  it('a live() array handed out never changes afterwards; the next change gives a new one', () => {
    const m = new Membership(new KeyLayout('services'), { gracePeriodMs: 0, maxValueBytes: 4096 });
    m.apply([put('api', 'b'), put('api', 'd')], 'watch');
    const view = m.live('api');
    m.apply([put('api', 'a'), put('api', 'c'), del('api', 'd')], 'watch');
    assert.deepEqual(view.map((i) => i.id), ['b', 'd'], 'the old array is untouched');
    assert.deepEqual(m.live('api').map((i) => i.id), ['a', 'b', 'c']);
    assert.equal(m.live('nothing').length, 0);
  });

  it('keeps one plain object per instance: no spread-copy extras, optional fields only when present, shared zone strings', () => {
    const m = new Membership(new KeyLayout('services'), { gracePeriodMs: 0, maxValueBytes: 4096 });
    m.apply([put('api', 'x', 'up', 'eu-1'), put('api', 'y', 'up', ['eu', '1'].join('-')), put('api', 'z')], 'watch');
    const [x, y, z] = m.live('api');
    assert.deepEqual(Object.keys(x ?? {}).sort(), ['address', 'createRevision', 'id', 'inGroup', 'key', 'lease', 'meta', 'modRevision', 'service', 'status', 'tags', 'weight', 'zone']);
    assert.equal('zone' in (z ?? {}), false, 'no zone key when the record has none');
    assert.equal(x?.zone, 'eu-1');
    assert.equal(y?.zone, 'eu-1');
    assert.deepEqual(x?.tags, []);
    assert.equal(x?.tags, z?.tags, 'instances without tags share one empty array');
  });
});
