// The built CLI's consumer commands against a real etcd: `instances` (table and JSON, Go-format
// keys written by etcdctl, invalid values on stderr with exit 0), `services`, `pick` (strategies,
// count, hash key, exit 3), `drain` (CAS rewrite keeping the lease) and `watch` (current, then
// added/updated/removed expired and deregistered, exit 0 on SIGINT).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { etcdClient, eventually, useEtcd } from '../helpers/etcd.js';
import { etcdctl, rollcall, startRollcall, type RunningCli } from '../helpers/cli.js';
import { rollcallFields } from '../helpers/wire-value.js';

async function register(t: TestContext, url: string, prefix: string, service: string, id: string, address: string, ...extra: string[]): Promise<RunningCli> {
  const reg = startRollcall(t, ['register', service, address, '--id', id, '--ttl', '2', '--prefix', prefix, '--endpoints', url, ...extra]);
  await reg.waitForLine(/"event":"registered"/);
  return reg;
}

describe('rollcall consumer commands (built CLI)', () => {
  const server = useEtcd();

  it('instances: rollcall and Go-format (etcdctl put) instances, table and --json; an invalid value is a stderr warning, exit 0', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'inst';
    await register(t, url, p, 'api', 'api-1', '127.0.0.1:9001', '--weight', '3', '--zone', 'eu-a', '--tag', 'grpc', '--meta', 'team=pay');
    await etcdctl(url, 'put', `${p}/api/10.0.0.1:50051`, '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":null}');
    await etcdctl(url, 'put', `${p}/api/garbage`, 'not json');

    const json = await rollcall(['instances', 'api', '--json', '--prefix', p, '--endpoints', url]);
    assert.equal(json.code, 0);
    const list = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.equal(list.length, 2);
    assert.deepEqual(list[0], {
      service: 'api', id: '10.0.0.1:50051', address: '10.0.0.1:50051', status: 'up', weight: 1, tags: [], meta: {}, key: `${p}/api/10.0.0.1:50051`, lease: '0',
    });
    const own = list[1] ?? {};
    assert.equal(own['id'], 'api-1');
    assert.equal(own['weight'], 3);
    assert.equal(own['zone'], 'eu-a');
    assert.deepEqual(own['tags'], ['grpc']);
    assert.deepEqual(own['meta'], { team: 'pay' });
    assert.match(String(own['lease']), /^\d+$/);
    assert.match(json.stderr, /^rollcall: warning: invalid instance at inst\/api\/garbage: value is not JSON\n$/);

    const table = await rollcall(['instances', 'api', '--prefix', p, '--endpoints', url]);
    assert.equal(table.code, 0);
    const lines = table.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /^SERVICE\s+ID\s+ADDRESS\s+STATUS\s+WEIGHT\s+ZONE/);
    assert.match(lines[1] ?? '', /^api\s+10\.0\.0\.1:50051\s+10\.0\.0\.1:50051\s+up\s+1\s+-/);
    assert.match(lines[2] ?? '', /^api\s+api-1\s+127\.0\.0\.1:9001\s+up\s+3\s+eu-a/);

    const services = await rollcall(['services', '--json', '--prefix', p, '--endpoints', url]);
    assert.equal(services.code, 0);
    assert.deepEqual(JSON.parse(services.stdout), [{ service: 'api', instances: 2, up: 2, draining: 0, leaving: 0 }]);
    const empty = await rollcall(['instances', 'nothing', '--json', '--prefix', p, '--endpoints', url]);
    assert.deepEqual([empty.code, empty.stdout.trim()], [0, '[]']);
  });

  it('pick: round-robin, weighted and hash over up instances; --count; exit 3 with none; hash needs --key (exit 1)', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'pick';
    await register(t, url, p, 'api', 'a', '127.0.0.1:1', '--weight', '3');
    await register(t, url, p, 'api', 'b', '127.0.0.1:2');
    const common = ['--prefix', p, '--endpoints', url];

    const rr = await rollcall(['pick', 'api', '--count', '4', ...common]);
    assert.equal(rr.code, 0);
    assert.deepEqual(rr.stdout.trim().split('\n').sort(), ['127.0.0.1:1', '127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:2']);
    const weighted = await rollcall(['pick', 'api', '--strategy', 'weighted', '--count', '8', ...common]);
    const counts = weighted.stdout.trim().split('\n').filter((a) => a === '127.0.0.1:1').length;
    assert.equal(counts, 6);
    const h1 = await rollcall(['pick', 'api', '--strategy', 'hash', '--key', 'user-42', '--count', '3', ...common]);
    const picks = h1.stdout.trim().split('\n');
    assert.equal(new Set(picks).size, 1);

    const none = await rollcall(['pick', 'ghost', ...common]);
    assert.equal(none.code, 3);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^rollcall: .*no instance.*ghost.*\n$/);
    const noKey = await rollcall(['pick', 'api', '--strategy', 'hash', ...common]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /--key/);
    assert.match(noKey.stderr, /Usage: rollcall pick/);
    const badStrategy = await rollcall(['pick', 'api', '--strategy', 'fastest', ...common]);
    assert.equal(badStrategy.code, 1);
    assert.match(badStrategy.stderr, /Usage: rollcall pick/);
  });

  it('drain: status draining on the same lease, no longer picked; a draining instance only: pick exits 3', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'drain';
    const client = etcdClient(t, server.etcd);
    await register(t, url, p, 'api', 'only', '127.0.0.1:7');
    const before = await client.get(`${p}/api/only`).exec();
    const result = await rollcall(['drain', 'api', 'only', '--prefix', p, '--endpoints', url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /drain\/api\/only draining \(lease [0-9a-f]+\)/);
    const after = await client.get(`${p}/api/only`).exec();
    assert.equal(after.kvs[0]?.lease, before.kvs[0]?.lease);
    const value = JSON.parse(after.kvs[0]?.value.toString() ?? '{}') as { Addr: string };
    assert.equal(rollcallFields(after.kvs[0]?.value)['status'], 'draining');
    assert.equal(value.Addr, '127.0.0.1:7');
    const pick = await rollcall(['pick', 'api', '--prefix', p, '--endpoints', url]);
    assert.equal(pick.code, 3);
    assert.match(pick.stderr, /draining/);
    const listed = JSON.parse((await rollcall(['instances', 'api', '--json', '--prefix', p, '--endpoints', url])).stdout) as { status: string }[];
    assert.deepEqual(listed.map((i) => i.status), ['draining']);
    const missing = await rollcall(['drain', 'api', 'nope', '--prefix', p, '--endpoints', url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no instance at drain\/api\/nope/);
  });

  it('watch: current instances, then added, updated, removed (expired after SIGKILL, deregistered after SIGTERM); SIGINT exits 0', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'watch';
    await register(t, url, p, 'api', 'w-1', '127.0.0.1:1');
    const watch = startRollcall(t, ['watch', 'api', '--json', '--prefix', p, '--endpoints', url]);
    await watch.waitForLine(/"event":"current".*"id":"w-1"/);

    const crash = await register(t, url, p, 'api', 'w-crash', '127.0.0.1:2');
    const clean = await register(t, url, p, 'api', 'w-clean', '127.0.0.1:3');
    await watch.waitForLine(/"event":"added".*"id":"w-crash"/);
    await watch.waitForLine(/"event":"added".*"id":"w-clean"/);
    assert.equal((await rollcall(['drain', 'api', 'w-1', '--prefix', p, '--endpoints', url])).code, 0);
    await watch.waitForLine(/"event":"updated".*"previousStatus":"up".*"id":"w-1".*"status":"draining"/);

    crash.child.kill('SIGKILL');
    clean.child.kill('SIGTERM');
    await watch.waitForLine(/"event":"removed".*"reason":"deregistered".*"id":"w-clean"/, 5000);
    await watch.waitForLine(/"event":"removed".*"reason":"expired".*"id":"w-crash"/, 5000);

    watch.child.kill('SIGINT');
    assert.deepEqual(await watch.waitExit(), { code: 0, signal: null });
    for (const line of watch.stdoutLines()) JSON.parse(line);
    assert.equal(watch.output.stderr, '');
  });

  it('watch (table form, every service) prints current lines and change lines', async (t) => {
    const url = server.etcd.clientUrl;
    const p = 'watch-all';
    await register(t, url, p, 'api', 'x-1', '127.0.0.1:1');
    const watch = startRollcall(t, ['watch', '--prefix', p, '--endpoints', url]);
    await watch.waitForLine(/^current\s+api\/x-1 127\.0\.0\.1:1 up weight 1$/);
    await etcdctl(url, 'put', `${p}/db/10.0.0.9:5432`, '{"Addr":"10.0.0.9:5432"}');
    await watch.waitForLine(/^added\s+db\/10\.0\.0\.9:5432 10\.0\.0\.9:5432 up weight 1$/);
    await etcdctl(url, 'del', `${p}/db/10.0.0.9:5432`);
    await watch.waitForLine(/^removed\s+db\/10\.0\.0\.9:5432 .* reason expired$/);
    watch.child.kill('SIGTERM');
    assert.deepEqual(await watch.waitExit(), { code: 0, signal: null });
    await eventually(() => assert.equal(watch.exit?.code, 0));
  });
});
