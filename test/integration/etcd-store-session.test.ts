/**
 * EtcdStore sessions against a real etcd: what `lost` means. A lease is lost only when etcd says
 * so. A keepalive failing for less than the TTL is not a loss (ALIVE -> UNCONFIRMED -> ALIVE, keys
 * kept); nor is a cut longer than the TTL while it lasts (etcd may still hold the lease: on a
 * cluster a new leader extends it): the session stays UNCONFIRMED, and once etcd answers that the
 * lease expired, `lost` aborts with LeaseLostError. A lease revoked by someone else is noticed at
 * the next keepalive.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { EtcdSessionState, type EtcdSession } from '../../src/store/etcd-session.js';
import { abortedWithin } from '../contract/contract-helpers.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { etcdClient, eventually, useEtcd, waitFor } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { etcdStore } from './etcd-store-support.js';

const TTL = 3;

describe('EtcdStore sessions: failed keepalives vs a lost lease (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('a cut shorter than the TTL is not a loss: UNCONFIRMED, then ALIVE again, key kept', async (t) => {
    const proxy = await TcpProxy.start(t, server.etcd.clientUrl);
    const store = etcdStore(t, { endpoints: [proxy.endpoint], namespace: `session-short/${Date.now()}/`, timeoutMs: 500 });
    const session = (await store.session({ ttl: TTL })) as EtcdSession;
    const published: string[] = [];
    const onSession = (message: unknown): void => {
      const { leaseId, from, to } = message as { leaseId: string; from: string; to: string };
      if (leaseId === session.lease) published.push(`${from}->${to}`);
    };
    diagnostics.subscribe('rollcall:store:session', onSession);
    t.after(() => diagnostics.unsubscribe('rollcall:store:session', onSession));
    await store.put('ephemeral', 'x', { lease: session.lease });
    proxy.cut();
    await waitFor(() => session.state === EtcdSessionState.Unconfirmed, { timeoutMs: TTL * 1000, message: 'a keepalive to fail' });
    proxy.restore();
    await waitFor(() => session.state === EtcdSessionState.Alive, { timeoutMs: TTL * 1000, message: 'a keepalive to succeed again' });
    assert.equal(session.lost.aborted, false, 'a failed keepalive is not a lost lease');
    assert.equal((await store.get('ephemeral'))?.lease, session.lease);
    await session.close();
    assert.deepEqual(published, ['alive->unconfirmed', 'unconfirmed->alive', 'alive->closed'], 'every transition on rollcall:store:session');
    assert.equal(await store.exists('ephemeral'), false);
  });

  it('a cut longer than the TTL is not a loss until etcd answers: UNCONFIRMED throughout, then LeaseLostError once etcd says expired', async (t) => {
    const proxy = await TcpProxy.start(t, server.etcd.clientUrl);
    const namespace = `session-long/${Date.now()}/`;
    const store = etcdStore(t, { endpoints: [proxy.endpoint], namespace, timeoutMs: 500 });
    const admin = etcdClient(t, server.etcd);
    const session = (await store.session({ ttl: TTL })) as EtcdSession;
    await store.put('ephemeral', 'x', { lease: session.lease });
    proxy.cut();
    // etcd itself is up, so it expires the lease a TTL after the last keepalive it received.
    await eventually(async () => assert.equal(await admin.get(`${namespace}ephemeral`).string(), null), { timeoutMs: TTL * 1000 + 3000 });
    assert.equal(session.lost.aborted, false, 'unanswered keepalives are not a loss, however long');
    assert.equal(session.state, EtcdSessionState.Unconfirmed);
    assert.ok(session.unconfirmedForMs >= (TTL - 1) * 1000, `unconfirmed for ${session.unconfirmedForMs} ms`);
    proxy.restore();
    const reason = await abortedWithin(session.lost, TTL * 1000 + 2000, 'etcd to answer that the lease is gone');
    assert.equal((reason as { code?: string }).code, 'ERR_LEASE_LOST');
    assert.equal(session.state, EtcdSessionState.Lost);
    await session.close(); // resolves: nothing left to revoke
  });

  it('a lease revoked by someone else is noticed at the next keepalive (LeaseLostError)', async (t) => {
    const store = etcdStore(t, { endpoints: server.etcd.endpoints, namespace: `session-revoked/${Date.now()}/` });
    const admin = etcdClient(t, server.etcd);
    const session = await store.session({ ttl: TTL });
    await admin.leaseClient.leaseRevoke({ ID: session.lease });
    const reason = await abortedWithin(session.lost, TTL * 1000, 'the revoke to be noticed');
    assert.equal((reason as { code?: string }).code, 'ERR_LEASE_LOST');
    await assert.rejects(store.put('k', 'v', { lease: session.lease }), { code: 'ERR_LEASE_NOT_FOUND' });
  });
});
