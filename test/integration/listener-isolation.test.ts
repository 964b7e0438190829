// A listener that throws, attached first, on every event of Registrar, Catalog and Store: the
// core goes on (later registers work, the catalog keeps applying, the lease is re-granted), the
// listeners after it still run, and each throw is one ListenerError warning naming the event.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { EventEmitter } from 'node:events';
import { ListenerError, type RollcallError } from '../../src/errors.js';
import { REPORT_WARNING } from '../../src/store/kv-primitives.js';
import { MemoryStore } from '../../src/store/index.js';
import { EtcdRequestError } from '../../src/errors.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { FAST, openCatalog, putInstance } from '../helpers/catalog.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';

interface Tally {
  /** Calls of the second (well-behaved) listener, per event. */
  readonly reached: Map<string, number>;
  /** `details.event` of each ListenerError warning. */
  readonly thrown: string[];
}

/** Attaches, for each event, a throwing listener first and a counting one second. */
function trap(t: TestContext, emitter: EventEmitter, events: readonly string[]): Tally {
  const reached = new Map<string, number>();
  const thrown: string[] = [];
  for (const event of events) {
    emitter.on(event, () => {
      throw new Error(`listener of ${event} broke`);
    });
    emitter.on(event, () => reached.set(event, (reached.get(event) ?? 0) + 1));
  }
  const onWarning = (error: RollcallError): void => {
    if (error instanceof ListenerError) thrown.push(String(error.details.event));
  };
  emitter.on('warning', onWarning);
  t.after(() => emitter.off('warning', onWarning));
  return { reached, thrown };
}

describe('throwing listeners never break the core', () => {
  const server = useEtcd();
  assertNoUnhandledRejections();

  it('Registrar: stateChange, leaseGranted, health, lost, reregistered, displaced, removed, closed', async (t) => {
    const endpoints = server.etcd.endpoints;
    let healthy = true;
    const reg = registrar(t, endpoints, { prefix: 'li', ttl: 2 });
    const events = ['stateChange', 'leaseGranted', 'health', 'lost', 'reregistered', 'displaced', 'removed', 'closed'];
    const tally = trap(t, reg as unknown as EventEmitter, events);

    const first = await reg.register({ service: 'api', id: 'one', address: '10.0.0.1:1', healthCheck: async () => healthy, healthIntervalMs: 100 });
    assert.equal(first.state, 'registered');
    // The bug this guards: a throwing stateChange listener left the keeper in `granting` for good.
    const second = await reg.register({ service: 'api', id: 'two', address: '10.0.0.2:1' });
    assert.equal(second.state, 'registered');

    healthy = false;
    await waitFor(() => tally.reached.get('health'), { timeoutMs: 5000, message: 'health event' });
    healthy = true;

    // Revoke the lease behind its back: lost, then re-granted and re-put.
    const client = etcdClient(t, server.etcd);
    await client.leaseClient.leaseRevoke({ ID: reg.leaseId as string });
    await waitFor(() => tally.reached.get('reregistered'), { timeoutMs: 10_000, message: 'reregistered after a revoke' });

    // Another owner takes `one` over; someone deletes `two`.
    const other = registrar(t, endpoints, { prefix: 'li', ttl: 2 });
    await other.register({ service: 'api', id: 'one', address: '10.0.0.9:1', replace: true });
    await waitFor(() => tally.reached.get('displaced'), { timeoutMs: 10_000, message: 'displaced' });
    await client.delete().key('li/api/two');
    await waitFor(() => tally.reached.get('removed'), { timeoutMs: 10_000, message: 'removed' });

    const third = await reg.register({ service: 'api', id: 'three', address: '10.0.0.3:1' });
    assert.equal(third.state, 'registered', 'the registrar still works after every throw');
    await reg.close();

    for (const event of events) {
      assert.ok((tally.reached.get(event) ?? 0) > 0, `the listener after a throwing one ran for ${event}`);
      assert.ok(tally.thrown.includes(event), `a ListenerError warning names ${event}`);
    }
  });

  it('Catalog: added, updated, removed, warning, stale, synced, closed; a throwing warning listener reaches rollcall:listener-error only', async (t) => {
    const client = etcdClient(t, server.etcd);
    const catalog = await openCatalog(t, { ...FAST, endpoints: server.etcd.endpoints, prefix: 'lc' });
    const events = ['added', 'updated', 'removed', 'stale', 'synced', 'closed'];
    const tally = trap(t, catalog as unknown as EventEmitter, events);
    const channelErrors: unknown[] = [];
    const onChannel = (message: unknown): void => void channelErrors.push(message);
    diagnostics.subscribe('rollcall:listener-error', onChannel);
    t.after(() => diagnostics.unsubscribe('rollcall:listener-error', onChannel));
    catalog.on('warning', () => {
      throw new Error('a warning listener broke');
    });

    await putInstance(client, 'lc', 'api', 'a');
    await waitFor(() => tally.reached.get('added'), { timeoutMs: 5000, message: 'added' });
    await putInstance(client, 'lc', 'api', 'a', { weight: 2 });
    await waitFor(() => tally.reached.get('updated'), { timeoutMs: 5000, message: 'updated' });
    await client.put('lc/api/bad').value('not json');
    await waitFor(() => channelErrors.find((m) => (m as { event: string }).event === 'warning'), { timeoutMs: 5000, message: 'a throwing warning listener is published' });
    await client.delete().key('lc/api/a');
    await waitFor(() => tally.reached.get('removed'), { timeoutMs: 5000, message: 'removed' });

    server.etcd.pause();
    try {
      await waitFor(() => tally.reached.get('stale'), { timeoutMs: 10_000, message: 'stale' });
    } finally {
      server.etcd.resume();
    }
    await waitFor(() => tally.reached.get('synced'), { timeoutMs: 10_000, message: 'synced' });
    await putInstance(client, 'lc', 'api', 'b');
    await waitFor(() => catalog.instances('api').find((i) => i.id === 'b'), { timeoutMs: 5000, message: 'the catalog still applies changes' });
    await catalog.close();
    for (const event of events) {
      assert.ok((tally.reached.get(event) ?? 0) > 0, `the listener after a throwing one ran for ${event}`);
      assert.ok(tally.thrown.includes(event), `a ListenerError warning names ${event}`);
    }
  });

  it('Store: a throwing warning listener leaves the store working', async () => {
    const store = new MemoryStore();
    let second = 0;
    store.on('warning', () => {
      throw new Error('broke');
    });
    store.on('warning', () => void second++);
    store[REPORT_WARNING](new EtcdRequestError('queue key left behind'));
    assert.equal(second, 1);
    await store.put('k', 'v');
    assert.equal(Buffer.from((await store.get('k'))?.value ?? []).toString(), 'v');
    await store.close();
  });
});
