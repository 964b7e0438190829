import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Instance } from '../../src/codec/index.js';
import { NoInstanceError } from '../../src/errors.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { openCatalog, putInstance, record, waitForLog } from '../helpers/catalog.js';

function picks(picker: { pick(): Instance }, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = picker.pick().id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('Catalog pickers against a real etcd', () => {
  const server = useEtcd();

  it('a weighted picker follows adds, drains and removals live, and is rebuilt only when its service changes', async (t) => {
    const client = etcdClient(t, server.etcd);
    await putInstance(client, 'pk1', 'api', 'a', { weight: 3 });
    await putInstance(client, 'pk1', 'api', 'b', { weight: 1 });
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'pk1' });
    const rec = record(catalog);
    const picker = catalog.picker('api', { strategy: 'weighted' });
    assert.equal(picker.strategy, 'weighted');
    assert.deepEqual(picks(picker, 8), new Map([['a', 6], ['b', 2]]));
    let updates = 0;
    const update = picker.update.bind(picker);
    picker.update = (instances) => {
      updates += 1;
      update(instances);
    };

    await putInstance(client, 'pk1', 'web', 'w');
    await waitForLog(rec, ['added web/w']);
    assert.equal(updates, 0, 'another service changing does not touch this picker');

    await putInstance(client, 'pk1', 'api', 'c', { weight: 4 });
    await waitForLog(rec, ['added api/c']);
    assert.deepEqual(picks(picker, 8), new Map([['a', 3], ['b', 1], ['c', 4]]), 'events fire after the picker has the new set');
    // The catalog may defer the rebuild to the next pick (BasePicker.deferUpdate): one either way.
    assert.equal(updates, 1);

    await putInstance(client, 'pk1', 'api', 'b', { weight: 1, status: 'draining' });
    await waitForLog(rec, ['updated api/b']);
    assert.deepEqual(picks(picker, 7), new Map([['a', 3], ['c', 4]]), 'a draining instance is never picked');

    await putInstance(client, 'pk1', 'api', 'c', { weight: 4, status: 'leaving' });
    await client.delete().key('pk1/api/a');
    await waitForLog(rec, ['removed api/a expired']);
    assert.throws(() => picker.pick(), (e: unknown) => e instanceof NoInstanceError && e.details['reason'] === 'all-draining');

    await putInstance(client, 'pk1', 'api', 'a', { weight: 3 });
    await waitForLog(rec, ['recovered api/a']);
    assert.deepEqual(picks(picker, 5), new Map([['a', 5]]));
  });

  it('a picker stops following when its signal aborts, and none is handed out after close', async (t) => {
    const client = etcdClient(t, server.etcd);
    await putInstance(client, 'pk2', 'api', 'a');
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'pk2' });
    const rec = record(catalog);
    const controller = new AbortController();
    const detached = catalog.picker('api', { strategy: 'round-robin', signal: controller.signal });
    const live = catalog.picker('api', 'round-robin');
    controller.abort();
    await putInstance(client, 'pk2', 'api', 'b');
    await waitForLog(rec, ['added api/b']);
    assert.equal(live.size, 2);
    assert.equal(detached.size, 1, 'an aborted picker keeps its last set');
    await catalog.close();
    assert.throws(() => catalog.picker('api'), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'ERR_CLOSED');
  });
});

describe('Catalog pickers: protection threshold', () => {
  const server = useEtcd();

  it('a picker below its panicThreshold picks draining instances too, and the catalog emits panic on entering and leaving', async (t) => {
    const client = etcdClient(t, server.etcd);
    for (const id of ['a', 'b', 'c']) await putInstance(client, 'pp', 'api', id);
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'pp' });
    const panics: boolean[] = [];
    catalog.on('panic', (info) => panics.push(info.panic));
    const picker = catalog.picker('api', { strategy: 'round-robin', panicThreshold: 0.5 });
    await putInstance(client, 'pp', 'api', 'b', { status: 'draining' });
    await putInstance(client, 'pp', 'api', 'c', { status: 'draining' });
    await waitForPanics(() => panics, [true]);
    assert.deepEqual([...picks(picker, 30).keys()].sort(), ['a', 'b', 'c'], 'one of three pickable: calls spread over all three');
    await putInstance(client, 'pp', 'api', 'c');
    await waitForPanics(() => panics, [true, false]);
    assert.deepEqual([...picks(picker, 30).keys()].sort(), ['a', 'c']);
  });
});

async function waitForPanics(read: () => boolean[], want: boolean[]): Promise<void> {
  await waitFor(() => (JSON.stringify(read()) === JSON.stringify(want) ? true : undefined), { timeoutMs: 5000, message: `panic events ${JSON.stringify(want)}` });
}
