import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Catalog } from '../../src/discovery/index.js';
import { readCacheFile } from '../../src/discovery/cache-file.js';
import { EtcdUnavailableError } from '../../src/errors.js';
import { eventually, etcdClient, startEtcd, waitFor } from '../helpers/etcd.js';
import { FAST, openCatalog, putInstance, record, truthOf, viewOf } from '../helpers/catalog.js';

const NOBODY = 'http://127.0.0.1:9';

function cachePath(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-catalog-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'catalog.json');
}

async function cachedKeys(file: string): Promise<string[]> {
  try {
    return (await readCacheFile(file, 'services')).kvs.map((kv) => kv.key).sort();
  } catch {
    return [];
  }
}

describe('Catalog cache file', () => {
  it('without a cache file, open() fails with EtcdUnavailableError when etcd cannot be reached', async () => {
    await assert.rejects(Catalog.open({ ...FAST, endpoints: [NOBODY], timeoutMs: 800 }), (e: unknown) => e instanceof EtcdUnavailableError);
  });

  it('with an unusable cache file and no etcd, open() fails with EtcdUnavailableError naming the file', async (t) => {
    const file = cachePath(t);
    writeFileSync(file, 'not a cache');
    await assert.rejects(
      Catalog.open({ ...FAST, endpoints: [NOBODY], timeoutMs: 800, cacheFile: file }),
      (e: unknown) => e instanceof EtcdUnavailableError && e.details['cacheFile'] === file && /cache file could not be used/.test(e.message),
    );
  });

  it('starts from the cache file, stale, when etcd is down; converges by the difference when etcd is back', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    for (const id of ['a', 'b', 'c']) await putInstance(client, 'services', 'api', id);
    // A Go writer's form: the file holds it re-encoded, and it must come back as the same instance.
    await client.put('services/api/c').value('{"Op":0,"Addr":"10.0.0.9:50051","Metadata":{"region":"us","weight":3}}');
    const file = cachePath(t);
    const writer = await Catalog.open({ ...FAST, endpoints: etcd.endpoints, cacheFile: file });
    await eventually(async () => assert.deepEqual(await cachedKeys(file), ['services/api/a', 'services/api/b', 'services/api/c']));
    const written = writer.instances('api');
    const contactBefore = writer.lastContact;
    await writer.close();

    await etcd.stop({ keepData: true });
    const catalog = await openCatalog(t, { endpoints: etcd.endpoints, cacheFile: file, timeoutMs: 1000 });
    const rec = record(catalog);
    assert.equal(catalog.isStale, true);
    assert.deepEqual(catalog.instances('api'), written, 'every field as the catalog had it from etcd');
    assert.ok(catalog.lastContact > 0 && catalog.lastContact <= contactBefore + 1000, 'lastContact comes from the file');
    await waitFor(() => rec.stale.length > 0, { message: 'stale reported while etcd is down' });
    assert.equal(rec.stale[0]?.since, catalog.lastContact);

    await etcd.restart();
    await client.delete().key('services/api/b');
    await putInstance(client, 'services', 'api', 'd');
    await waitFor(() => !catalog.isStale, { timeoutMs: 15_000, message: 'catalog to sync once etcd is back' });
    await eventually(async () => assert.deepEqual(viewOf(catalog), await truthOf(client, 'services')));
    assert.deepEqual([...rec.log].sort(), ['added api/d', 'removed api/b expired'], 'unchanged instances emit nothing');
    assert.equal(rec.synced[0]?.reason, 'initial');
    await eventually(async () => assert.deepEqual(await cachedKeys(file), ['services/api/a', 'services/api/c', 'services/api/d']));
  });
});
