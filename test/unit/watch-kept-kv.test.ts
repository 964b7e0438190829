// What a RangeFollower keeps per key: whole key-values with their own bytes (KEEP_VALUES), or a
// fingerprint that still tells a value rewritten at a reused revision (KEEP_FINGERPRINTS).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintKV, KEEP_FINGERPRINTS, KEEP_VALUES, type WatchedKV } from '../../src/watch/index.js';

function kv(value: string, fields: Partial<Omit<WatchedKV, 'value'>> = {}): WatchedKV {
  // A view into a larger buffer, as a listing page hands values out.
  const text = `page-prefix:${value}:page-suffix`;
  const page = Buffer.alloc(Buffer.byteLength(text));
  page.write(text);
  const start = 'page-prefix:'.length;
  return { key: 'k', value: page.subarray(start, start + Buffer.byteLength(value)), createRevision: 5, modRevision: 9, version: 2, lease: '0', ...fields };
}

describe('KeepPolicy', () => {
  it('KEEP_VALUES keeps a copy of the value bytes, not a view into the page that carried them', () => {
    const read = kv('{"Addr":"h:1"}');
    const kept = KEEP_VALUES.keep(read);
    assert.deepEqual({ ...kept, value: kept.value.toString() }, { ...read, value: '{"Addr":"h:1"}' });
    read.value.fill(0); // the page is reused or freed
    assert.equal(kept.value.toString(), '{"Addr":"h:1"}', 'the kept value has its own bytes');
    assert.equal(KEEP_VALUES.same(kept, KEEP_VALUES.keep(kv('{"Addr":"h:1"}'))), true);
    assert.equal(KEEP_VALUES.same(kept, KEEP_VALUES.keep(kv('{"Addr":"h:2"}'))), false);
  });

  it('KEEP_FINGERPRINTS keeps no bytes, and tells apart values, leases and create revisions at one mod revision', () => {
    const base = KEEP_FINGERPRINTS.keep(kv('{"Addr":"10.0.0.1:8080","Metadata":null}'));
    assert.deepEqual(Object.keys(base).sort(), ['hashA', 'hashB', 'modRevision']);
    assert.equal(base.modRevision, 9);
    assert.equal(KEEP_FINGERPRINTS.same(base, KEEP_FINGERPRINTS.keep(kv('{"Addr":"10.0.0.1:8080","Metadata":null}'))), true, 'same read, same fingerprint');
    const others = [
      kv('{"Addr":"10.0.0.1:8081","Metadata":null}'), // one byte
      kv('{"Addr":"10.0.0.1:8080","Metadata":null} '), // one byte longer
      kv('{"Addr":"10.0.0.1:8080","Metadata":null}', { lease: '7587' }),
      kv('{"Addr":"10.0.0.1:8080","Metadata":null}', { createRevision: 6 }),
      kv('{"Addr":"10.0.0.1:8080","Metadata":null}', { createRevision: 5 + 2 ** 32 }), // beyond 32 bits
      kv('{"Addr":"10.0.0.1:8080","Metadata":null}', { modRevision: 10 }),
    ];
    for (const other of others) assert.equal(KEEP_FINGERPRINTS.same(base, KEEP_FINGERPRINTS.keep(other)), false, JSON.stringify({ ...other, value: other.value.toString() }));
  });

  it('fingerprints are int32 pairs that differ across many similar values (no collision among 20,000 records)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) {
      const { hashA, hashB } = fingerprintKV(kv(`{"Op":0,"Addr":"10.0.${i >> 8}.${i & 255}:8000","Metadata":"{}"}`));
      assert.ok(Number.isInteger(hashA) && hashA === (hashA | 0) && hashB === (hashB | 0), 'int32 values');
      seen.add(`${hashA}/${hashB}`);
    }
    assert.equal(seen.size, 20_000);
  });
});
