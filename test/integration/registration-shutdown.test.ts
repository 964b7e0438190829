/**
 * Graceful and ungraceful ends against a real etcd: deregister() and close() write `leaving` before
 * the DELETE and revoke the lease; a registrar process killed with SIGKILL loses its keys within
 * ttl + 1 s; `handleSignals` drains, closes and re-raises SIGTERM; a re-put racing close() does
 * not bring keys back.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ClosedError } from '../../src/errors.js';
import { LeaseState, Registrar } from '../../src/registration/index.js';
import { etcdClient, processGone, useEtcd, waitFor } from '../helpers/etcd.js';
import { startFixtureChild } from '../helpers/fixture-child.js';
import { rollcallFields } from '../helpers/wire-value.js';
import { assertNoListenerLeakWarnings, assertNoUnhandledRejections, keysOnLease, rawKv, recordEvents, registrar, type RecordedEvent } from '../fixtures/registration-support.js';

const CHILD = fileURLToPath(new URL('../fixtures/registrar-child.js', import.meta.url));

const statusOf = (event: RecordedEvent): string => (rollcallFields(event.value) as { status: string }).status;
const describeEvent = (event: RecordedEvent): string => (event.type === 'put' ? `put ${event.key} ${statusOf(event)}` : `delete ${event.key}`);

interface Child {
  readonly process: ChildProcess;
  readonly leaseId: string;
  readonly keys: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts test/fixtures/registrar-child.ts; SIGKILLed by pid when the test ends if still running. */
async function startChild(t: TestContext, settings: Record<string, unknown>): Promise<Child> {
  const child = await startFixtureChild<{ leaseId: string; keys: string[] }>(t, CHILD, { ROLLCALL_CHILD: JSON.stringify(settings) }, 'registrar child');
  return { process: child.process, leaseId: child.ready.leaseId, keys: child.ready.keys, exit: child.exit };
}

describe('Registrar: deregister, close, kill, signals (real etcd)', () => {
  assertNoUnhandledRejections();
  assertNoListenerLeakWarnings();
  const server = useEtcd();

  it('deregister: PUT leaving, then DELETE; only that key goes, the lease stays', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { prefix: 'dereg' });
    const events = await recordEvents(t, client, 'dereg/');
    const one = await r.register({ service: 'api', id: 'd1', address: '10.0.0.1:80' });
    await r.register({ service: 'api', id: 'd2', address: '10.0.0.2:80' });
    await one.deregister();
    await waitFor(() => events.some((e) => e.type === 'delete'), { message: 'delete event' });
    const forD1 = events.filter((e) => e.key === 'dereg/api/d1').map(describeEvent);
    assert.deepEqual(forD1, ['put dereg/api/d1 up', 'put dereg/api/d1 leaving', 'delete dereg/api/d1']);
    assert.equal(await rawKv(client, 'dereg/api/d1'), undefined);
    assert.equal(one.state, 'deregistered');
    assert.deepEqual(await keysOnLease(client, r.leaseId as string), ['dereg/api/d2']);
    await one.deregister(); // twice is fine
    await assert.rejects(one.update({ weight: 2 }), ClosedError);
  });

  it('close: every key PUT leaving before any DELETE, lease revoked, alive -> closing -> closed', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { prefix: 'closing' });
    const states: string[] = [];
    r.on('stateChange', ({ from, to }) => states.push(`${from}->${to}`));
    let closedEvents = 0;
    r.on('closed', () => (closedEvents += 1));
    const events = await recordEvents(t, client, 'closing/');
    for (let i = 0; i < 5; i++) await r.register({ service: 'api', id: `c${i}`, address: `10.0.0.${i}:80` });
    const leaseId = r.leaseId as string;
    await r.close();
    await r.close();
    await waitFor(() => events.filter((e) => e.type === 'delete').length === 5, { message: 'five delete events' });
    const after = events.slice(5).map(describeEvent);
    assert.deepEqual(after.slice(0, 5).sort(), [0, 1, 2, 3, 4].map((i) => `put closing/api/c${i} leaving`));
    assert.deepEqual(after.slice(5).sort(), [0, 1, 2, 3, 4].map((i) => `delete closing/api/c${i}`));
    assert.equal(await client.getAll().prefix('closing/').count(), 0);
    assert.equal(await keysOnLease(client, leaseId), undefined, 'lease revoked');
    assert.deepEqual(states, ['idle->granting', 'granting->alive', 'alive->closing', 'closing->closed']);
    assert.equal(closedEvents, 1);
    assert.equal(r.state, LeaseState.Closed);
    await assert.rejects(r.register({ service: 'api', address: 'h:1' }), ClosedError);
  });

  it('a re-put racing close() does not bring keys back (lease revoked outside, close() as the new lease arrives)', async (t) => {
    const client = etcdClient(t, server.etcd);
    // A client the registrar does not own stays open after close(): a late write could still be sent on it.
    const shared = etcdClient(t, server.etcd);
    const r = new Registrar({ client: shared, endpoints: server.etcd.endpoints, prefix: 'race', ttl: 2, timeoutMs: 2000 });
    t.after(() => r.close().catch(() => undefined));
    for (let i = 0; i < 50; i++) await r.register({ service: 'api', id: `r${i}`, address: `10.0.0.${i}:80` });
    const old = r.leaseId as string;
    let reregistered = 0;
    r.on('reregistered', () => (reregistered += 1));
    let closing: Promise<void> | undefined;
    let newLease: string | undefined;
    r.on('leaseGranted', ({ leaseId, previousLeaseId }) => {
      if (previousLeaseId === undefined) return;
      newLease = leaseId;
      closing = r.close();
    });
    await client.leaseClient.leaseRevoke({ ID: old });
    await waitFor(() => closing !== undefined, { message: 'close() started when the new lease arrived' });
    await closing;
    assert.equal(await client.getAll().prefix('race/').count(), 0, 'no key came back');
    assert.equal(await keysOnLease(client, newLease as string), undefined, 'the new lease is revoked: no later put can use it');
    assert.equal(reregistered, 0);
    assert.ok(r.registrations.every((reg) => reg.state === 'deregistered'));
  });

  it('registrar process killed with SIGKILL: its keys are gone within ttl + 1 s', async (t) => {
    const client = etcdClient(t, server.etcd);
    const ttl = 2;
    const events = await recordEvents(t, client, 'killed/');
    const child = await startChild(t, { endpoints: server.etcd.endpoints, prefix: 'killed', service: 'api', count: 3, ttl });
    assert.deepEqual(await keysOnLease(client, child.leaseId), [...child.keys].sort());
    const killedAt = Date.now();
    process.kill(child.process.pid as number, 'SIGKILL');
    assert.equal((await child.exit).signal, 'SIGKILL');
    await waitFor(() => events.filter((e) => e.type === 'delete').length === 3, { timeoutMs: ttl * 1000 + 1000, message: `keys gone within ${ttl} s + 1 s` });
    const vanishedMs = Date.now() - killedAt;
    t.diagnostic(`keys of the SIGKILLed registrar vanished ${vanishedMs} ms after the kill (ttl ${ttl} s)`);
    assert.equal(await client.getAll().prefix('killed/').count(), 0);
    assert.ok(processGone(child.process.pid as number));
  });

  it('handleSignals: SIGTERM -> draining during drainMs, then leaving, DELETE, lease revoked, process ends by SIGTERM', async (t) => {
    const client = etcdClient(t, server.etcd);
    const events = await recordEvents(t, client, 'signalled/');
    const child = await startChild(t, { endpoints: server.etcd.endpoints, prefix: 'signalled', service: 'api', count: 2, ttl: 10, handleSignals: true, drainMs: 300 });
    process.kill(child.process.pid as number, 'SIGTERM');
    const exit = await child.exit;
    assert.equal(exit.signal, 'SIGTERM', 'the signal was re-raised with default behaviour: killed by SIGTERM');
    await waitFor(() => events.filter((e) => e.type === 'delete').length === 2, { message: 'both keys deleted' });
    for (const key of child.keys) {
      assert.deepEqual(events.filter((e) => e.key === key).map(describeEvent), [`put ${key} up`, `put ${key} draining`, `put ${key} leaving`, `delete ${key}`]);
    }
    assert.equal(await keysOnLease(client, child.leaseId), undefined, 'lease revoked, not left to expire');
  });
});
