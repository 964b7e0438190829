// rollcall/http when instances fail: retries of idempotent requests on another instance after a
// refused or reset connection or a per-try timeout, no retry of a POST that reached a server,
// 5xx answers feeding outlier ejection, in-flight counts for least-loaded, and NoInstanceError
// naming the service when nothing can take the request.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { ServiceDispatcher, type ServiceDispatcherOptions } from '../../src/http/index.js';
import { NoInstanceError, RollcallError } from '../../src/errors.js';
import { freePort } from '../../src/dev/index.js';
import type { Registration } from '../../src/registration/index.js';
import { useEtcd, waitFor } from '../helpers/etcd.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';
import { startWhoamiServer, type WhoamiAnswer } from '../fixtures/http-whoami.js';

/** A server that takes requests and then does `behaviour` (reset the socket, or never answer). */
async function badServer(t: TestContext, behaviour: 'reset' | 'hang'): Promise<{ address: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((req) => {
    requests += 1;
    if (behaviour === 'reset') req.socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('rollcall/http: retries, failures and errors', () => {
  const server = useEtcd();
  assertNoUnhandledRejections();

  function dispatcher(t: TestContext, options: ServiceDispatcherOptions): ServiceDispatcher {
    const d = new ServiceDispatcher({ endpoints: server.etcd.endpoints, lingerMs: 100, ...options });
    t.after(() => d.close());
    return d;
  }

  async function register(t: TestContext, prefix: string, instances: { id: string; address: string }[]): Promise<Registration[]> {
    const reg = registrar(t, server.etcd.endpoints, { prefix });
    return Promise.all(instances.map((i) => reg.register({ service: 'api', ...i })));
  }

  async function get(d: ServiceDispatcher, init: Partial<Parameters<typeof request>[1]> = {}): Promise<{ statusCode: number; answer: WhoamiAnswer }> {
    const { statusCode, body } = await request('http://api/', { dispatcher: d, ...init });
    return { statusCode, answer: (await body.json()) as WhoamiAnswer };
  }

  it('an instance refusing connections: every GET succeeds on another instance', async (t) => {
    const live = await startWhoamiServer(t, 'live');
    const deadPort = await freePort(); // nothing listens there
    await register(t, 'rr', [{ id: 'dead', address: `127.0.0.1:${deadPort}` }, { id: 'live', address: live.address }]);
    // Ejection off: every request that picks "dead" must be saved by a retry.
    const d = dispatcher(t, { prefix: 'rr', strategy: 'round-robin', outlier: { consecutiveFailures: Infinity } });
    for (let i = 0; i < 10; i++) assert.equal((await get(d)).answer.id, 'live');
    assert.equal(live.requests(), 10);
    // A POST that could not connect never reached a server: it is retried too.
    const posts = await Promise.all([1, 2].map(() => get(d, { method: 'POST', body: 'hello' })));
    assert.deepEqual(posts.map((p) => [p.answer.id, p.answer.body]), [['live', 'hello'], ['live', 'hello']]);
  });

  it('a connection reset before the response: GET and a POST with Idempotency-Key are retried, a plain POST is not', async (t) => {
    const live = await startWhoamiServer(t, 'live');
    const reset = await badServer(t, 'reset');
    await register(t, 'rs', [{ id: 'reset', address: reset.address }, { id: 'live', address: live.address }]);
    const d = dispatcher(t, { prefix: 'rs', strategy: 'round-robin', outlier: { consecutiveFailures: Infinity } });
    for (let i = 0; i < 4; i++) assert.equal((await get(d)).answer.id, 'live');
    for (let i = 0; i < 2; i++) assert.equal((await get(d, { method: 'POST', body: 'x', headers: { 'idempotency-key': `k${i}` } })).answer.id, 'live');
    const before = reset.requests();
    const outcomes = await Promise.allSettled([1, 2].map(() => get(d, { method: 'POST', body: 'once' })));
    const failed = outcomes.filter((o) => o.status === 'rejected');
    assert.equal(failed.length, 1, 'the POST that reached the resetting instance fails, the other succeeds');
    assert.equal(((failed[0] as PromiseRejectedResult).reason as { code?: string }).code, 'UND_ERR_SOCKET');
    assert.equal(reset.requests() - before, 1, 'the failed POST was sent once');
  });

  it('a stream body already read is never sent twice', async (t) => {
    const reset = await badServer(t, 'reset');
    const live = await startWhoamiServer(t, 'live');
    await register(t, 'sb', [{ id: 'reset', address: reset.address }, { id: 'live', address: live.address }]);
    const d = dispatcher(t, { prefix: 'sb', strategy: 'round-robin', outlier: { consecutiveFailures: Infinity } });
    const outcomes = await Promise.allSettled([1, 2].map(() => get(d, { method: 'PUT', body: Readable.from(['a', 'b']) })));
    const failed = outcomes.filter((o) => o.status === 'rejected');
    assert.equal(failed.length, 1, 'the PUT whose stream the resetting instance consumed fails');
    assert.equal(live.requests(), 1);
  });

  it('a try that gets no response within tryTimeoutMs is abandoned and the GET goes to another instance', async (t) => {
    const hang = await badServer(t, 'hang');
    const live = await startWhoamiServer(t, 'live');
    await register(t, 'tt', [{ id: 'hang', address: hang.address }, { id: 'live', address: live.address }]);
    const d = dispatcher(t, { prefix: 'tt', strategy: 'round-robin', tryTimeoutMs: 200, outlier: { consecutiveFailures: Infinity } });
    const answers = await Promise.all([1, 2].map(() => get(d)));
    assert.deepEqual(answers.map((a) => a.answer.id), ['live', 'live']);
    assert.equal(hang.requests(), 1, 'one try went to the hanging instance');
    // With one attempt only, the timeout is the request's error.
    const once = dispatcher(t, { prefix: 'tt', strategy: 'round-robin', tryTimeoutMs: 200, maxAttempts: 1 });
    const outcomes = await Promise.allSettled([1, 2].map(() => get(once)));
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(failed.length, 1);
    assert.equal((failed[0]?.reason as { code?: string }).code, 'UND_ERR_HEADERS_TIMEOUT');
    assert.match(String(failed[0]?.reason), /instance hang .* of service "api"/);
  });

  it('5xx answers count toward outlier ejection; an ejected instance gets no more requests', async (t) => {
    const sick = await startWhoamiServer(t, 'sick');
    const well = await startWhoamiServer(t, 'well');
    sick.answerWith(503);
    await register(t, 'ej', [{ id: 'sick', address: sick.address }, { id: 'well', address: well.address }]);
    const d = dispatcher(t, { prefix: 'ej', strategy: 'round-robin', outlier: { consecutiveFailures: 2, baseEjectionMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(d)).statusCode);
    assert.equal(statuses.filter((s) => s === 503).length, 2, 'a 5xx is the answer (not retried), and two eject the instance');
    assert.equal(sick.requests(), 2);
    assert.equal(well.requests(), 8);
  });

  it('least-loaded sends requests away from an instance with requests in flight', async (t) => {
    const hang = await badServer(t, 'hang');
    const live = await startWhoamiServer(t, 'live');
    await register(t, 'll', [{ id: 'hang', address: hang.address }, { id: 'live', address: live.address }]);
    const d = dispatcher(t, { prefix: 'll', strategy: 'least-loaded', tryTimeoutMs: 0 });
    const controller = new AbortController();
    // One request at a time until one reaches "hang" and stays in flight there.
    let stuck: Promise<unknown> | undefined;
    for (let i = 0; i < 30 && stuck === undefined; i++) {
      const before = hang.requests();
      let answered = false;
      const pending = get(d, { signal: controller.signal }).then(() => (answered = true));
      await waitFor(() => answered || hang.requests() > before || undefined, { intervalMs: 1, message: 'the request is answered or reaches hang' });
      if (!answered) stuck = pending.catch(() => undefined);
    }
    assert.ok(stuck !== undefined, 'a request reached the hanging instance');
    for (let i = 0; i < 20; i++) assert.equal((await get(d)).answer.id, 'live');
    assert.equal(hang.requests(), 1, 'while one request is in flight there, no other is sent there');
    controller.abort();
    await stuck;
  });

  it('etcd unreachable: a service request fails with the catalog error, the next one tries again, plain hosts still pass', async (t) => {
    const plain = await startWhoamiServer(t, 'plain');
    const d = new ServiceDispatcher({ endpoints: [`http://127.0.0.1:${await freePort()}`], timeoutMs: 300 });
    t.after(() => d.close());
    for (let i = 0; i < 2; i++) {
      await assert.rejects(request('http://api/', { dispatcher: d }), (error: unknown) => {
        assert.ok(error instanceof RollcallError, String(error));
        assert.equal(error.code, 'ERR_ETCD_UNAVAILABLE');
        return true;
      });
    }
    const { body } = await request(`http://127.0.0.1:${plain.port}/`, { dispatcher: d });
    assert.equal(((await body.json()) as WhoamiAnswer).id, 'plain');
  });

  it('an unknown service or one with only draining instances fails with NoInstanceError naming the service', async (t) => {
    const live = await startWhoamiServer(t, 'live');
    const [reg] = await register(t, 'ni', [{ id: 'live', address: live.address }]);
    const d = dispatcher(t, { prefix: 'ni' });
    await assert.rejects(request('http://nobody/', { dispatcher: d }), (error: unknown) => {
      assert.ok(error instanceof NoInstanceError);
      assert.equal(error.details.service, 'nobody');
      assert.equal(error.details.reason, 'none-registered');
      assert.match(error.message, /"nobody"/);
      return true;
    });
    await (reg as Registration).drain();
    await assert.rejects(
      (async () => {
        for (;;) await get(d); // until the catalog sees the drain
      })(),
      (error: unknown) => error instanceof NoInstanceError && error.details.service === 'api' && error.details.reason === 'all-draining',
    );
  });
});
