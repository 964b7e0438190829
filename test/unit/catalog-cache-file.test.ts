import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CacheWriter, readCacheFile, serializeCache, writeFileAtomic } from '../../src/discovery/cache-file.js';
import { CacheFileError } from '../../src/errors.js';
import type { WatchedKV } from '../../src/watch/index.js';
import { waitFor } from '../helpers/etcd.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-cache-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const kv: WatchedKV = { key: 'services/api/a', value: Buffer.from([0, 1, 2, 255]), lease: '42', modRevision: 9, createRevision: 3, version: 2 };

describe('catalog cache file', () => {
  it('round-trips key-values byte for byte, with prefix and lastContact', async (t) => {
    const file = join(tempDir(t), 'catalog.json');
    await writeFileAtomic(file, serializeCache({ prefix: 'services', lastContact: 1234, savedAt: 5678, kvs: [kv] }));
    const read = await readCacheFile(file, 'services');
    assert.equal(read.lastContact, 1234);
    assert.deepEqual(read.kvs, [kv]);
  });

  it('refuses a missing file, garbage, and a file written for another prefix, with CacheFileError', async (t) => {
    const dir = tempDir(t);
    await assert.rejects(readCacheFile(join(dir, 'none.json'), 'services'), (e: unknown) => e instanceof CacheFileError && /ENOENT/.test(e.message));
    writeFileSync(join(dir, 'junk.json'), '{"format":"something else"}');
    await assert.rejects(readCacheFile(join(dir, 'junk.json'), 'services'), (e: unknown) => e instanceof CacheFileError && e.code === 'ERR_CACHE_FILE');
    writeFileSync(join(dir, 'other.json'), serializeCache({ prefix: 'prod/services', lastContact: 1, savedAt: 1, kvs: [] }));
    await assert.rejects(readCacheFile(join(dir, 'other.json'), 'services'), /written for prefix "prod\/services"/);
  });

  it('CacheWriter coalesces scheduled writes, leaves no temp file, and reports a failed write through onError', async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'catalog.json');
    let contents = { prefix: 'services', lastContact: 1, savedAt: 1, kvs: [] as WatchedKV[] };
    let built = 0;
    const errors: CacheFileError[] = [];
    const writer = new CacheWriter(file, 20, () => {
      built += 1;
      return contents;
    }, (e) => errors.push(e));
    writer.schedule();
    contents = { ...contents, kvs: [kv] };
    writer.schedule();
    await waitFor(() => readdirSync(dir).includes('catalog.json'));
    await writer.flush();
    assert.equal(built, 1, 'two schedules within the delay make one write');
    assert.deepEqual((await readCacheFile(file, 'services')).kvs, [kv]);
    assert.deepEqual(readdirSync(dir), ['catalog.json']);

    const blocked = join(dir, 'blocked');
    mkdirSync(blocked);
    const failing = new CacheWriter(join(blocked, 'x', 'catalog.json'), 0, () => contents, (e) => errors.push(e));
    failing.schedule();
    await failing.close();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'ERR_CACHE_FILE');
    assert.deepEqual(readdirSync(blocked), [], 'no temp file left behind');
    assert.ok(readFileSync(file, 'utf8').endsWith('\n'));
  });
});
