// `rollcall instances` without a service (every service under the prefix) and its --status,
// --zone and --tag filters, and `rollcall undrain` (drain's undo: status back to up, same lease,
// picked again), on the built CLI against a real etcd.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { useEtcd } from '../helpers/etcd.js';
import { rollcall, startRollcall } from '../helpers/cli.js';

async function register(t: TestContext, url: string, prefix: string, service: string, id: string, ...extra: string[]): Promise<void> {
  const reg = startRollcall(t, ['register', service, `127.0.0.1:${9000 + id.length}`, '--id', id, '--ttl', '3', '--prefix', prefix, '--endpoints', url, ...extra]);
  await reg.waitForLine(/"event":"registered"/);
}

interface Listed {
  service: string;
  id: string;
  status: string;
  lease: string;
}

describe('rollcall instances (every service, filters) and undrain (built CLI)', () => {
  const server = useEtcd();

  it('instances with no service lists every service; --status, --zone and --tag (all given tags) filter', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'all';
    await Promise.all([
      register(t, url, p, 'api', 'a1', '--zone', 'eu-a', '--tag', 'grpc', '--tag', 'v2'),
      register(t, url, p, 'api', 'a2', '--zone', 'eu-b', '--tag', 'grpc'),
      register(t, url, p, 'billing', 'b1', '--zone', 'eu-a'),
    ]);
    const list = async (...args: string[]): Promise<string[]> => {
      const r = await rollcall(['instances', ...args, '--json', '--prefix', p, '--endpoints', url]);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as Listed[]).map((i) => `${i.service}/${i.id}`);
    };
    assert.deepEqual(await list(), ['api/a1', 'api/a2', 'billing/b1']);
    assert.deepEqual(await list('--zone', 'eu-a'), ['api/a1', 'billing/b1']);
    assert.deepEqual(await list('--tag', 'grpc'), ['api/a1', 'api/a2']);
    assert.deepEqual(await list('--tag', 'grpc', '--tag', 'v2'), ['api/a1']);
    assert.deepEqual(await list('api', '--zone', 'eu-a'), ['api/a1']);
    assert.equal((await rollcall(['drain', 'billing', 'b1', '--prefix', p, '--endpoints', url])).code, 0);
    assert.deepEqual(await list('--status', 'draining'), ['billing/b1']);
    assert.deepEqual(await list('--status', 'up'), ['api/a1', 'api/a2']);

    const table = await rollcall(['instances', '--prefix', p, '--endpoints', url]);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(table.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join('/')), ['api/a1', 'api/a2', 'billing/b1']);
    const bad = await rollcall(['instances', '--status', 'sleeping', '--endpoints', url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^rollcall: .*up, draining, leaving[^]*Usage: rollcall instances/);
  });

  it('undrain: a drained instance is up again on the same lease and picked; undrain of an up one says so', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'undrain';
    const e = ['--prefix', p, '--endpoints', url];
    await register(t, url, p, 'api', 'u1');
    const before = (JSON.parse((await rollcall(['instances', 'api', '--json', ...e])).stdout) as Listed[])[0];
    assert.equal((await rollcall(['drain', 'api', 'u1', ...e])).code, 0);
    assert.equal((await rollcall(['pick', 'api', ...e])).code, 3);

    const undrain = await rollcall(['undrain', 'api', 'u1', ...e]);
    assert.equal(undrain.code, 0, undrain.stderr);
    assert.match(undrain.stdout, /^undrain\/api\/u1 up \(lease [0-9a-f]+\)\n$/);
    const after = (JSON.parse((await rollcall(['instances', 'api', '--json', ...e])).stdout) as Listed[])[0];
    assert.deepEqual([after?.status, after?.lease], ['up', before?.lease]);
    assert.equal((await rollcall(['pick', 'api', ...e])).code, 0);
    assert.equal((await rollcall(['undrain', 'api', 'u1', ...e])).stdout, 'undrain/api/u1 is already up\n');
    const missing = await rollcall(['undrain', 'api', 'nope', ...e]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^rollcall: no instance at undrain\/api\/nope\n$/);
  });
});
