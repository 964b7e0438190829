/**
 * watchTree through an outage during which etcd compacted away the history the watch needed: the
 * store's connection is cut (TcpProxy), keys are written, overwritten and deleted, etcd is
 * compacted, the connection is restored. The watch cannot resume from its last revision, so it
 * relists and yields the difference: applying the events it yielded still gives exactly etcd's
 * state, revisions never go back, and intermediate versions are collapsed (which proves the
 * relist path ran, not a plain resume).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TreeWatchEvent } from '../../src/store/index.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { etcdClient, eventually, useEtcd } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { etcdStore } from './etcd-store-support.js';

const WAIT = { timeoutMs: 20_000 };

describe('EtcdStore: watchTree through a compaction while disconnected (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('relists after the cut and yields the exact difference: the events rebuild etcd’s state', async (t) => {
    const namespace = `compaction/${Date.now()}/`;
    const full = (key: string): string => `${namespace}${key}`;
    const admin = etcdClient(t, server.etcd);
    for (const key of ['data/a', 'data/b', 'data/c']) await admin.put(full(key)).value('1');

    const proxy = await TcpProxy.start(t, server.etcd.clientUrl);
    const store = etcdStore(t, { endpoints: [proxy.endpoint], namespace, timeoutMs: 2000 });
    const view = new Map<string, string>();
    const events: TreeWatchEvent[] = [];
    const stop = new AbortController();
    const consumer = (async () => {
      for await (const event of store.watchTree('data/', { signal: stop.signal })) {
        events.push(event);
        if (event.type === 'snapshot') {
          view.clear();
          for (const kv of event.kvs) view.set(kv.key, kv.text());
        } else if (event.type === 'put') view.set(event.key, event.kv.text());
        else view.delete(event.key);
      }
    })();
    t.after(async () => {
      stop.abort();
      await consumer;
    });

    /** etcd's own state of the prefix, keys relative to the namespace. */
    const truth = async (): Promise<Map<string, string>> => {
      const all = await admin.getAll().prefix(full('data/')).strings();
      return new Map(Object.entries(all).map(([k, v]) => [k.slice(namespace.length), v]));
    };

    await admin.put(full('data/live')).value('1');
    await eventually(async () => assert.deepEqual(view, await truth()), WAIT);
    assert.equal(events[0]?.type, 'snapshot');

    proxy.cut();
    const marker = events.length;
    for (const value of ['2', '3', '4']) await admin.put(full('data/a')).value(value);
    await admin.delete().key(full('data/b'));
    await admin.put(full('data/new')).value('n');
    await admin.put(full('data/tmp')).value('short-lived');
    await admin.delete().key(full('data/tmp'));
    await admin.put(full('elsewhere')).value('not watched');
    const revision = Number((await admin.kv.range({ key: Buffer.from(full('data/a')) })).header.revision);
    await admin.kv.compact({ revision, physical: true });
    assert.equal(events.length, marker, 'nothing arrives while the connection is cut');
    proxy.restore();

    await eventually(async () => assert.deepEqual(view, await truth()), WAIT);
    assert.deepEqual(Object.fromEntries(view), { 'data/a': '4', 'data/c': '1', 'data/live': '1', 'data/new': 'n' });

    const after = events.slice(marker);
    const changes = after.filter((e) => e.type !== 'snapshot');
    assert.equal(after.length, changes.length, 'history was consistent: the difference came as changes, not a second snapshot');
    const putsOfA = changes.filter((e) => e.type === 'put' && e.key === 'data/a');
    assert.equal(putsOfA.length, 1, 'the three overwrites of data/a were collapsed into one put: the watch relisted');
    assert.equal(putsOfA[0]?.type === 'put' && putsOfA[0].kv.text(), '4');
    assert.equal(changes.some((e) => e.key === 'data/tmp'), false, 'a key created and deleted while away does not appear');
    assert.ok(changes.some((e) => e.type === 'delete' && e.key === 'data/b' && e.prevKv?.text() === '1'));
    const revisions = events.filter((e) => e.type !== 'snapshot').map((e) => e.revision);
    assert.deepEqual(revisions, [...revisions].sort((x, y) => x - y), 'revisions never go back');
    const before = events.slice(0, marker).at(-1)?.revision ?? 0;
    assert.ok(changes.every((e) => e.revision > before && e.revision <= revision), 'every change lies in the gap');

    // Live again: a later write arrives as a normal change.
    const later = await store.put('data/after', 'x');
    await eventually(() => assert.equal(view.get('data/after'), 'x'), WAIT);
    assert.equal(events.at(-1)?.type === 'put' && events.at(-1)?.revision, later.modRevision);
  });
});
