/**
 * An AbortSignal on each long operation of the Registrar and the Catalog, against a real etcd
 * behind a proxy that can go silent (so a call is truly in flight when the signal aborts):
 * - Catalog.open({ signal }) rejects with `signal.reason` (already aborted: before any etcd call;
 *   aborted while the first listing hangs: at once, not after `timeoutMs`);
 * - Catalog.close({ signal }) rejects with the reason, and the catalog still closes;
 * - Registration.deregister({ signal }) rejects with the reason and stays `registered`; a later
 *   deregister() removes the key;
 * - Registrar.close({ signal }) rejects with the reason, and still releases its local resources
 *   (`closed` is emitted without waiting for etcd).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Catalog } from '../../src/discovery/index.js';
import { Registrar } from '../../src/registration/index.js';
import { within } from '../contract/contract-helpers.js';
import { assertNoUnhandledRejections, rawKv } from '../fixtures/registration-support.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Far longer than any wait below: a rejection seen within a wait came from the signal, not a timeout. */
const SLOW_TIMEOUT_MS = 60_000;
const WAIT_MS = 10_000;

describe('AbortSignal on Catalog.open/close, deregister() and Registrar.close() (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('Catalog.open: an aborted signal rejects with its reason, before or during the first listing', async (t) => {
    const before = new AbortController();
    before.abort(new Error('gave up before'));
    await assert.rejects(Catalog.open({ endpoints: server.etcd.endpoints, signal: before.signal }), /gave up before/);

    const proxy = await TcpProxy.start(t, server.etcd.clientUrl);
    proxy.blackhole();
    const during = new AbortController();
    const opening = Catalog.open({ endpoints: [proxy.endpoint], prefix: 'abort-open', timeoutMs: SLOW_TIMEOUT_MS, signal: during.signal });
    const reason = new Error('gave up while listing');
    during.abort(reason);
    await assert.rejects(within(opening, WAIT_MS, 'open() to reject'), (error) => error === reason);
    proxy.restore();
  });

  it('Catalog.close: an aborted signal rejects with its reason; the catalog still closes', async () => {
    const catalog = await Catalog.open({ endpoints: server.etcd.endpoints, prefix: 'abort-close' });
    const closed = once(catalog, 'closed');
    await assert.rejects(catalog.close({ signal: AbortSignal.abort(new Error('no wait')) }), /no wait/);
    await within(closed, WAIT_MS, 'the catalog to close anyway');
    await catalog.close(); // idempotent after an aborted close
  });

  it('Registration.deregister: aborted while etcd is silent, it rejects with the reason and stays registered', async (t) => {
    const proxy = await TcpProxy.start(t, server.etcd.clientUrl);
    const admin = etcdClient(t, server.etcd);
    const r = new Registrar({ endpoints: [proxy.endpoint], prefix: 'abort-dereg', ttl: 5, timeoutMs: SLOW_TIMEOUT_MS });
    t.after(() => r.close().catch(() => undefined));
    const registration = await r.register({ service: 'api', id: 'a1', address: '10.0.0.1:80' });

    await assert.rejects(registration.deregister({ signal: AbortSignal.abort(new Error('not now')) }), /not now/);
    assert.equal(registration.state, 'registered');

    proxy.blackhole();
    const controller = new AbortController();
    const deregistering = registration.deregister({ signal: controller.signal });
    const reason = new Error('stop waiting');
    controller.abort(reason);
    await assert.rejects(within(deregistering, WAIT_MS, 'deregister() to reject'), (error) => error === reason);
    await waitFor(() => registration.state === 'registered', { timeoutMs: WAIT_MS, message: 'the registration to stay registered' });
    proxy.restore();

    await within(registration.deregister(), WAIT_MS, 'a second deregister()');
    assert.equal(registration.state, 'deregistered');
    assert.equal(await rawKv(admin, 'abort-dereg/api/a1'), undefined);
  });

  it('Registrar.close: aborted while etcd is silent, it rejects with the reason and still releases local resources', async (t) => {
    const proxy = await TcpProxy.start(t, server.etcd.clientUrl);
    const r = new Registrar({ endpoints: [proxy.endpoint], prefix: 'abort-close-r', ttl: 5, timeoutMs: SLOW_TIMEOUT_MS });
    t.after(() => r.close().catch(() => undefined));
    const registration = await r.register({ service: 'api', id: 'c1', address: '10.0.0.1:80' });
    proxy.blackhole();
    t.after(() => proxy.restore());
    const closed = once(r, 'closed');
    const controller = new AbortController();
    const closing = r.close({ signal: controller.signal });
    const reason = new Error('shutting down now');
    controller.abort(reason);
    await assert.rejects(within(closing, WAIT_MS, 'close() to reject'), (error) => error === reason);
    await within(closed, WAIT_MS, 'the registrar to release its local resources');
    assert.equal(registration.state, 'deregistered');
    assert.equal(r.closed, true);
    assert.equal(r.state, 'closed');
  });
});
