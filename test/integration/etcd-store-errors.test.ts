/**
 * EtcdStore against an etcd it cannot use: wrong password, nobody listening, a server certificate
 * from an unrelated CA. Each failure is typed (EtcdAuthError, EtcdUnavailableError, EtcdTlsError),
 * names its cause, arrives within the store's timeoutMs (plus scheduling slack), for plain calls,
 * sessions, locks and watches alike, and no promise rejection goes unhandled. Each case also has
 * its positive control (right password, right CA), so the test fails if the setup is wrong.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../../src/dev/index.js';
import { EtcdAuthError, EtcdTlsError, EtcdUnavailableError, RollcallError } from '../../src/errors.js';
import type { EtcdStore } from '../../src/store/index.js';
import { Reader } from '../contract/contract-helpers.js';
import { makeTestCertsFor } from '../helpers/certs.js';
import { etcdClient, startEtcd } from '../helpers/etcd.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { etcdStore } from './etcd-store-support.js';

const TIMEOUT_MS = 1500;
/** Time allowed beyond timeoutMs for timers and the event loop; the failures must not wait for a TCP or gRPC default. */
const SLACK_MS = 1000;

type ErrorClass = new (...args: never[]) => RollcallError;

/** Asserts that `run` rejects with `type` within timeoutMs + slack, its message matching `cause`. */
async function rejectsInTime(run: () => Promise<unknown>, type: ErrorClass, cause: RegExp, what: string): Promise<number> {
  const started = Date.now();
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  const elapsed = Date.now() - started;
  assert.ok(caught instanceof type, `${what}: expected ${type.name}, got ${String(caught)}`);
  assert.match((caught as Error).message, cause, `${what}: the message names the cause`);
  assert.ok(elapsed <= TIMEOUT_MS + SLACK_MS, `${what}: took ${elapsed} ms (timeoutMs ${TIMEOUT_MS})`);
  return elapsed;
}

/** Every kind of call a store makes: a read, a write, a session, a lock, the first item of a watch. */
function callsOf(store: EtcdStore): Array<[string, () => Promise<unknown>]> {
  return [
    ['get', () => store.get('k')],
    ['put', () => store.put('k', 'v')],
    ['session', () => store.session({ ttl: 5 })],
    ['lock', () => store.lock('x', { ttl: 5 })],
    ['watchTree', () => new Reader(store.watchTree(''), 10_000).pull()],
  ];
}

describe('EtcdStore: typed connection failures (real etcd)', () => {
  assertNoUnhandledRejections();

  it('a wrong password fails every call with EtcdAuthError; the right one works', async (t) => {
    const etcd = await startEtcd(t);
    const admin = etcdClient(t, etcd);
    await admin.role('root').create();
    await admin.user('root').create('right-password');
    await admin.user('root').addRole('root');
    await admin.auth.authEnable();

    const good = etcdStore(t, { endpoints: etcd.endpoints, auth: { username: 'root', password: 'right-password' }, timeoutMs: TIMEOUT_MS });
    assert.equal((await good.put('k', 'v')).text(), 'v', 'the right password works');

    const bad = etcdStore(t, { endpoints: etcd.endpoints, auth: { username: 'root', password: 'wrong' }, timeoutMs: TIMEOUT_MS });
    for (const [what, run] of callsOf(bad)) {
      const ms = await rejectsInTime(run, EtcdAuthError, /authentication failed|invalid/i, `${what} with a wrong password`);
      t.diagnostic(`${what}: EtcdAuthError after ${ms} ms`);
    }
  });

  it('an endpoint nobody listens on fails every call with EtcdUnavailableError within timeoutMs', async (t) => {
    const port = await freePort();
    const store = etcdStore(t, { endpoints: [`http://127.0.0.1:${port}`], timeoutMs: TIMEOUT_MS });
    for (const [what, run] of callsOf(store)) {
      const ms = await rejectsInTime(run, EtcdUnavailableError, new RegExp(`127\\.0\\.0\\.1:${port}`), `${what} with no etcd`);
      t.diagnostic(`${what}: EtcdUnavailableError after ${ms} ms`);
    }
  });

  it('a server certificate from an unrelated CA fails every call with EtcdTlsError; the right CA works', async (t) => {
    const certs = makeTestCertsFor(t);
    const etcd = await startEtcd(t, {
      tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, trustedCaFile: certs.caFile },
    });
    // etcd asks for a client certificate once it has a trusted CA; both stores present a valid one.
    const client = { cert: { path: certs.clientCertFile }, key: { path: certs.clientKeyFile } };
    const good = etcdStore(t, { endpoints: etcd.endpoints, tls: { ca: { path: certs.caFile }, ...client }, timeoutMs: TIMEOUT_MS });
    assert.equal((await good.put('k', 'v')).text(), 'v', 'the right CA works');

    const bad = etcdStore(t, { endpoints: etcd.endpoints, tls: { ca: { path: certs.otherCaFile }, ...client }, timeoutMs: TIMEOUT_MS });
    for (const [what, run] of callsOf(bad)) {
      const ms = await rejectsInTime(run, EtcdTlsError, /certificate|TLS/i, `${what} with the wrong CA`);
      t.diagnostic(`${what}: EtcdTlsError after ${ms} ms`);
    }
  });
});
