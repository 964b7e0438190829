// rollcall/http against real node:http servers and a real etcd: requests for service hosts spread
// over the registered instances, follow new, drained and SIGKILLed ones, honour weights, and
// requests for other hosts pass through untouched; fetch(), request() and setGlobalDispatcher.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fetch, getGlobalDispatcher, request, setGlobalDispatcher, type Dispatcher } from 'undici';
import { ServiceDispatcher, type ServiceDispatcherOptions } from '../../src/http/index.js';
import type { Registration } from '../../src/registration/index.js';
import { etcdClient, eventually, useEtcd, waitFor } from '../helpers/etcd.js';
import { startFixtureChild } from '../helpers/fixture-child.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';
import { startWhoamiServer, type WhoamiAnswer, type WhoamiServer } from '../fixtures/http-whoami.js';

const SERVER_CHILD = fileURLToPath(new URL('../fixtures/http-server-child.js', import.meta.url));

/** One GET through `dispatcher`: the instance's answer. */
async function who(dispatcher: Dispatcher, url: string): Promise<WhoamiAnswer> {
  const { statusCode, body } = await request(url, { dispatcher });
  assert.equal(statusCode, 200);
  return (await body.json()) as WhoamiAnswer;
}

/** `n` GETs, `concurrency` at a time: how many each instance answered. */
async function spread(dispatcher: Dispatcher, url: string, n: number, concurrency = 1): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let left = n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left -= 1;
        const { id } = await who(dispatcher, url);
        counts[id] = (counts[id] ?? 0) + 1;
      }
    }),
  );
  return counts;
}

describe('rollcall/http: ServiceDispatcher over real HTTP servers', () => {
  const server = useEtcd();
  assertNoUnhandledRejections();

  function dispatcher(t: TestContext, options: ServiceDispatcherOptions): ServiceDispatcher {
    const d = new ServiceDispatcher({ endpoints: server.etcd.endpoints, lingerMs: 100, ...options });
    t.after(() => d.close());
    return d;
  }

  async function serve(t: TestContext, prefix: string, specs: { id: string; weight?: number; zone?: string }[]): Promise<{ servers: WhoamiServer[]; regs: Registration[] }> {
    const servers = await Promise.all(specs.map((spec) => startWhoamiServer(t, spec.id)));
    const reg = registrar(t, server.etcd.endpoints, { prefix });
    const regs = await Promise.all(
      specs.map((spec, i) => reg.register({ service: 'api', id: spec.id, address: (servers[i] as WhoamiServer).address, ...(spec.weight ? { weight: spec.weight } : {}), ...(spec.zone ? { zone: spec.zone } : {}) })),
    );
    return { servers, regs };
  }

  it('fetch() to http://api/ reaches all three instances with Host: api, then a new one, never a drained one', async (t) => {
    const { regs } = await serve(t, 'ha', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    const d = dispatcher(t, { prefix: 'ha' });
    const answers: WhoamiAnswer[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await fetch('http://api/whoami', { dispatcher: d });
      assert.equal(response.status, 200);
      answers.push((await response.json()) as WhoamiAnswer);
    }
    assert.deepEqual([...new Set(answers.map((a) => a.id))].sort(), ['a', 'b', 'c']);
    assert.deepEqual([...new Set(answers.map((a) => a.host))], ['api'], 'the Host header is what the caller wrote');

    const late = await startWhoamiServer(t, 'd');
    await registrar(t, server.etcd.endpoints, { prefix: 'ha' }).register({ service: 'api', id: 'd', address: late.address });
    await eventually(async () => assert.ok((await spread(d, 'http://api/', 20))['d'], 'the new instance gets requests'), { timeoutMs: 10_000 });

    await (regs[1] as Registration).drain();
    await eventually(async () => assert.equal((await spread(d, 'http://api/', 20))['b'], undefined, 'the drained instance gets none'), { timeoutMs: 10_000 });
    assert.deepEqual(Object.keys(await spread(d, 'http://api/', 40)).sort(), ['a', 'c', 'd']);
  });

  it('a host suffix routes api.rollcall, a services list routes exactly its names; Host is what the caller wrote unless hostHeader is instance', async (t) => {
    const { servers } = await serve(t, 'hs', [{ id: 'only' }]);
    const bySuffix = dispatcher(t, { prefix: 'hs', hostSuffix: '.rollcall' });
    const answer = await who(bySuffix, 'http://api.rollcall:8080/x');
    assert.deepEqual([answer.id, answer.host], ['only', 'api.rollcall:8080']);
    const byList = dispatcher(t, { prefix: 'hs', services: ['api'], hostHeader: 'instance' });
    const listed = await who(byList, 'http://api/x');
    assert.deepEqual([listed.id, listed.host], ['only', (servers[0] as WhoamiServer).address]);
    const own = await request('http://api/x', { dispatcher: byList, headers: { host: 'chosen.example' } });
    assert.equal(((await own.body.json()) as WhoamiAnswer).host, 'chosen.example', 'a Host header set by the caller wins');
  });

  it('a SIGKILLed instance stops getting requests while every GET keeps succeeding', async (t) => {
    const children = await Promise.all(
      ['k1', 'k2', 'k3'].map((id) =>
        startFixtureChild<{ port: number }>(t, SERVER_CHILD, { ROLLCALL_CHILD: JSON.stringify({ endpoints: server.etcd.endpoints, prefix: 'hk', service: 'api', id, ttl: 2 }) }, `http server ${id}`),
      ),
    );
    const d = dispatcher(t, { prefix: 'hk' });
    await eventually(async () => assert.deepEqual(Object.keys(await spread(d, 'http://api/', 30)).sort(), ['k1', 'k2', 'k3']), { timeoutMs: 10_000 });
    (children[1] as { process: { kill(signal: string): void } }).process.kill('SIGKILL');
    await (children[1] as { exit: Promise<unknown> }).exit;
    // Until its 2 s lease runs out etcd still lists k2: its tries are refused and sent elsewhere.
    const etcd = etcdClient(t, server.etcd);
    const seen = new Set<string>();
    await waitFor(
      async () => {
        seen.add((await who(d, 'http://api/')).id);
        return (await etcd.get('hk/api/k2').string()) === null || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 1, message: "k2's lease expires" },
    );
    assert.deepEqual([...seen].sort(), ['k1', 'k3'], 'every GET succeeded, none answered by the dead k2');
    // Once the catalog drops k2 nothing is tried there any more.
    await eventually(async () => assert.deepEqual(Object.keys(await spread(d, 'http://api/', 6)).sort(), ['k1', 'k3']));
  });

  it('the weighted strategy honours weights 3:1:1 within 10 % over 3,000 requests', async (t) => {
    await serve(t, 'hw', [{ id: 'heavy', weight: 3 }, { id: 'l1' }, { id: 'l2' }]);
    const d = dispatcher(t, { prefix: 'hw', strategy: 'weighted' });
    const counts = await spread(d, 'http://api/', 3000, 10);
    t.diagnostic(`weighted 3:1:1 over 3000 requests: ${JSON.stringify(counts)}`);
    const expected: Record<string, number> = { heavy: 1800, l1: 600, l2: 600 };
    for (const [id, want] of Object.entries(expected)) {
      const got = counts[id] ?? 0;
      assert.ok(Math.abs(got - want) <= want * 0.1, `${id}: ${got} requests, expected ${want} ± 10 %`);
    }
  });

  it('preferZone keeps requests in the local zone, and falls back when it has nothing pickable', async (t) => {
    const { regs } = await serve(t, 'hz', [{ id: 'near', zone: 'z1' }, { id: 'far1', zone: 'z2' }, { id: 'far2', zone: 'z2' }]);
    const d = dispatcher(t, { prefix: 'hz', preferZone: 'z1' });
    const connected: string[] = [];
    d.on('connect', (origin: URL) => connected.push(origin.host));
    assert.deepEqual(await spread(d, 'http://api/', 20), { near: 20 });
    await (regs[0] as Registration).drain();
    await eventually(async () => assert.deepEqual(Object.keys(await spread(d, 'http://api/', 20)).sort(), ['far1', 'far2']), { timeoutMs: 10_000 });
    assert.equal(new Set(connected).size, 3, 'one connection pool per instance origin');
  });

  it('the hash strategy sends each value of hashHeader to one instance', async (t) => {
    await serve(t, 'hh', [{ id: 'h1' }, { id: 'h2' }, { id: 'h3' }]);
    const d = dispatcher(t, { prefix: 'hh', strategy: 'hash', hashHeader: 'X-User' });
    const byUser = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (let user = 0; user < 12; user++) {
        const { body } = await request('http://api/', { dispatcher: d, headers: { 'x-user': `user-${user}` } });
        const { id } = (await body.json()) as WhoamiAnswer;
        byUser.set(`user-${user}`, (byUser.get(`user-${user}`) ?? new Set()).add(id));
      }
    }
    for (const [user, ids] of byUser) assert.equal(ids.size, 1, `${user} always reaches the same instance: ${[...ids].join(', ')}`);
    assert.ok(new Set([...byUser.values()].map((ids) => [...ids][0])).size > 1, 'different users reach different instances');
  });

  it('hosts that are not services pass through untouched: 127.0.0.1 and localhost', async (t) => {
    const plain = await startWhoamiServer(t, 'plain');
    const d = dispatcher(t, { prefix: 'hp' });
    const byAddress = await who(d, `http://127.0.0.1:${plain.port}/`);
    assert.deepEqual([byAddress.id, byAddress.host], ['plain', `127.0.0.1:${plain.port}`]);
    const byName = await who(d, `http://localhost:${plain.port}/`);
    assert.deepEqual([byName.id, byName.host], ['plain', `localhost:${plain.port}`]);
    assert.equal(plain.requests(), 2);
  });

  describe('as the global dispatcher', () => {
    let previous: Dispatcher;
    before(() => {
      previous = getGlobalDispatcher();
    });
    after(() => setGlobalDispatcher(previous));

    it('setGlobalDispatcher routes request() and Node\'s global fetch() without a dispatcher option, and plain hosts still pass', async (t) => {
      await serve(t, 'hg', [{ id: 'g1' }, { id: 'g2' }]);
      const plain = await startWhoamiServer(t, 'plain');
      setGlobalDispatcher(dispatcher(t, { prefix: 'hg' }));
      const ids = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const { body } = await request('http://api/');
        ids.add(((await body.json()) as WhoamiAnswer).id);
      }
      assert.deepEqual([...ids].sort(), ['g1', 'g2']);
      // Node's own fetch (its bundled undici) reads the same global dispatcher.
      const viaNodeFetch = await globalThis.fetch('http://api/');
      assert.ok(['g1', 'g2'].includes(((await viaNodeFetch.json()) as WhoamiAnswer).id));
      const { body } = await request(`http://127.0.0.1:${plain.port}/`);
      assert.equal(((await body.json()) as WhoamiAnswer).id, 'plain');
    });
  });
});
