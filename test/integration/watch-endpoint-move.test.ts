/**
 * A connection's Watch stream runs on one endpoint, and so do the listing and history check before
 * it. When that endpoint goes silent (a proxy that keeps TCP up and passes nothing) the stream moves
 * to the NEXT endpoint, round robin from the silent one, and resumes there; a read refused by the
 * endpoint goes to the next one within the same call. Each endpoint here is a proxy in front of the
 * same etcd, so every endpoint serves the same history.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { DiagnosticsPayloads } from '../../src/diagnostics/channels.js';
import { EtcdConnection } from '../../src/etcd/index.js';
import { RangeFollower, prefixRange, type ChangeBatch } from '../../src/watch/index.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const TIMEOUT_MS = 2000;
const LIVENESS_MS = 500;

interface Followed {
  readonly follower: RangeFollower;
  readonly keys: string[];
  readonly resyncs: string[];
  readonly synced: string[];
  readonly disconnects: number[];
}

function connect(t: TestContext, endpoints: string[]): EtcdConnection {
  const conn = EtcdConnection.create({ endpoints, timeoutMs: TIMEOUT_MS });
  t.after(() => conn.close());
  return conn;
}

function follow(t: TestContext, conn: EtcdConnection, prefix: string): Followed {
  const follower = new RangeFollower(conn, prefixRange(prefix), { livenessMs: LIVENESS_MS, backoff: { baseMs: 50, maxMs: 300 } });
  const followed: Followed = { follower, keys: [], resyncs: [], synced: [], disconnects: [] };
  follower.on('batch', (b: ChangeBatch) => followed.keys.push(...b.changes.map((c) => (c.type === 'put' ? c.kv.key : c.key))));
  follower.on('resync', (r) => followed.resyncs.push(r.reason));
  follower.on('synced', (s) => followed.synced.push(s.reason));
  follower.on('disconnected', () => followed.disconnects.push(Date.now()));
  t.after(() => follower.close());
  follower.start();
  return followed;
}

type WatchState = DiagnosticsPayloads['rollcall:watch:state'];

function recordWatchStates(t: TestContext, range: string): WatchState[] {
  const seen: WatchState[] = [];
  const onMessage = (message: unknown): void => {
    const state = message as WatchState;
    if (state.range === range) seen.push(state);
  };
  diagnostics.subscribe('rollcall:watch:state', onMessage);
  t.after(() => diagnostics.unsubscribe('rollcall:watch:state', onMessage));
  return seen;
}

describe('a watch stream on one endpoint at a time', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('moves to the next endpoint, round robin, each time the one it is on goes silent, and resumes there', async (t) => {
    const proxies = await Promise.all([0, 1, 2].map(() => TcpProxy.start(t, server.etcd.endpoints[0]!)));
    const endpoints = proxies.map((p) => p.endpoint);
    const states = recordWatchStates(t, 'prefix move/');
    const conn = connect(t, endpoints);
    const moving = follow(t, conn, 'move/');
    await moving.follower.waitForSync(5000);
    const client = etcdClient(t, server.etcd);

    let on = endpoints.indexOf(moving.follower.endpoint ?? '');
    assert.ok(on >= 0, `the follower reports one of its endpoints (${String(moving.follower.endpoint)})`);
    const watching = await waitFor(() => states.find((s) => s.to === 'watching'), { message: 'the follower to report watching' });
    assert.equal(watching.endpoint, endpoints[on], 'rollcall:watch:state names the endpoint');

    for (const round of [1, 2]) {
      const silent = proxies[on] as TcpProxy;
      silent.blackhole();
      await client.put(`move/k${round}`).value(String(round));
      await waitFor(() => moving.keys.includes(`move/k${round}`), { timeoutMs: 20_000, message: `the write of round ${round} to reach the moved watch` });
      const next = (on + 1) % endpoints.length;
      assert.equal(moving.follower.endpoint, endpoints[next], `round ${round}: the watch went to the endpoint after the silent one`);
      on = next;
    }
    assert.deepEqual(moving.keys, ['move/k1', 'move/k2'], 'every write, once, in order');
    assert.deepEqual(moving.resyncs, [], 'resumed each time, never relisted');
    assert.equal(moving.synced.filter((s) => s === 'resumed').length, 2);
  });

  it('a listing refused by its endpoint is answered by the next one within the same call', async (t) => {
    const proxies = await Promise.all([0, 1].map(() => TcpProxy.start(t, server.etcd.endpoints[0]!)));
    const endpoints = proxies.map((p) => p.endpoint);
    const conn = connect(t, endpoints);
    const first = follow(t, conn, 'refused/');
    await first.follower.waitForSync(5000);
    const on = endpoints.indexOf(first.follower.endpoint ?? '');
    assert.ok(on >= 0);
    // No watcher left: the stream closes, and the next listing goes to the same endpoint, now
    // refusing connections (nothing listens on its port any more) once its client has seen its
    // open connection drop.
    first.follower.close();
    await (proxies[on] as TcpProxy).close();
    await waitFor(
      () =>
        conn.endpointClients
          .client(on)
          .kv.range({ key: Buffer.from('refused/') })
          .then(
            () => undefined,
            (error: unknown) => (/ECONNREFUSED|circuit/i.test(String(error)) ? true : undefined),
          ),
      { message: 'the closed endpoint to refuse connections' },
    );

    const second = follow(t, conn, 'refused/');
    await second.follower.waitForSync(5000);
    assert.equal(second.follower.endpoint, endpoints[(on + 1) % endpoints.length], 'listed and watching on the other endpoint');
    assert.deepEqual(second.disconnects, [], 'the refusal never showed as a lost connection');
    await etcdClient(t, server.etcd).put('refused/k').value('1');
    await waitFor(() => second.keys.includes('refused/k'), { message: 'the watch on the other endpoint to see a write' });
  });

  it('a connection around a client passed in keeps one place to go and reports no endpoint', async (t) => {
    const client = etcdClient(t, server.etcd);
    const conn = EtcdConnection.create({ client, endpoints: server.etcd.endpoints, timeoutMs: TIMEOUT_MS });
    t.after(() => conn.close());
    assert.equal(conn.endpointClients.count, 1);
    assert.equal(conn.endpointClients.client(1), client);
    const states = recordWatchStates(t, 'prefix passed/');
    const followed = follow(t, conn, 'passed/');
    await followed.follower.waitForSync(5000);
    assert.equal(followed.follower.endpoint, undefined);
    assert.ok(states.length > 0 && states.every((s) => !('endpoint' in s)), 'no endpoint field on a client passed in');
    await client.put('passed/k').value('1');
    await waitFor(() => followed.keys.includes('passed/k'), { message: 'the watch on the passed-in client to see a write' });
  });
});
