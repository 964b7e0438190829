// The built CLI's `rollcall register` against a real etcd: the JSON line once committed, the
// documented Go-compatible value as the real etcdctl reads it, SIGTERM deregisters at once (exit
// 0), SIGKILL leaves the key to expire within ttl + 1 s, a second instance under the same id is
// refused, and bad arguments are usage errors (exit 1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, processGone, useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdctl, rollcall, startRollcall } from '../helpers/cli.js';
import { rollcallFields } from '../helpers/wire-value.js';

const TTL = 2;

describe('rollcall register (built CLI)', () => {
  const server = useEtcd();

  it('prints {"event":"registered",…} once committed; etcdctl reads the documented JSON', async (t) => {
    const url = server.etcd.clientUrl;
    const reg = startRollcall(t, [
      'register', 'api', '10.0.0.1:8080', '--id', 'api-json', '--ttl', String(TTL), '--weight', '3', '--zone', 'eu-a',
      '--version', '1.4.2', '--tag', 'grpc', '--tag', 'canary', '--meta', 'team=payments', '--endpoints', url,
    ]);
    const line = JSON.parse(await reg.waitForLine(/"event":"registered"/)) as Record<string, unknown>;
    assert.equal(line['event'], 'registered');
    assert.equal(line['service'], 'api');
    assert.equal(line['id'], 'api-json');
    assert.equal(line['key'], 'services/api/api-json');
    assert.match(String(line['lease']), /^\d+$/);

    const value = JSON.parse(await etcdctl(url, 'get', 'services/api/api-json', '--print-value-only')) as Record<string, unknown>;
    assert.equal(value['Op'], 0);
    assert.equal(value['Addr'], '10.0.0.1:8080');
    const metadata = rollcallFields(JSON.stringify(value));
    assert.equal(metadata['status'], 'up');
    assert.equal(metadata['weight'], 3);
    assert.equal(metadata['zone'], 'eu-a');
    assert.equal(metadata['version'], '1.4.2');
    assert.deepEqual(metadata['tags'], ['grpc', 'canary']);
    assert.deepEqual(metadata['meta'], { team: 'payments' });
    assert.equal(metadata['id'], 'api-json');
    // The key is on the lease the JSON line named (etcdctl prints lease ids in hex).
    const leaseHex = BigInt(String(line['lease'])).toString(16);
    assert.match(await etcdctl(url, 'lease', 'timetolive', leaseHex, '--keys'), /services\/api\/api-json/);
    reg.child.kill('SIGTERM');
    assert.deepEqual(await reg.waitExit(), { code: 0, signal: null });
  });

  it('SIGTERM: status leaving, key deleted at once, lease revoked, "deregistered" line, exit 0', async (t) => {
    const url = server.etcd.clientUrl;
    const client = etcdClient(t, server.etcd);
    const reg = startRollcall(t, ['register', 'api', '10.0.0.2:8080', '--id', 'api-term', '--ttl', '30', '--endpoints', url]);
    const line = JSON.parse(await reg.waitForLine(/"event":"registered"/)) as { lease: string };
    const seen: string[] = [];
    const watcher = await client.watch().key('services/api/api-term').create();
    t.after(() => watcher.cancel());
    watcher.on('put', (kv) => seen.push(`put ${String(rollcallFields(kv.value)['status'])}`));
    watcher.on('delete', () => seen.push('delete'));

    reg.child.kill('SIGTERM');
    const exit = await reg.waitExit(5000);
    assert.deepEqual(exit, { code: 0, signal: null });
    // Gone at once (not after the 30 s TTL), and the lease with it.
    assert.equal(await client.get('services/api/api-term').string(), null);
    assert.match(await etcdctl(url, 'lease', 'timetolive', BigInt(line.lease).toString(16)), /already expired/);
    await waitFor(() => seen.includes('delete'), { timeoutMs: 5000, message: 'the delete event' });
    assert.deepEqual(seen, ['put leaving', 'delete']);
    assert.match(reg.stdoutLines().at(-1) ?? '', /"event":"deregistered"/);
    assert.equal(reg.output.stderr, '');
  });

  it('SIGINT also deregisters and exits 0', async (t) => {
    const client = etcdClient(t, server.etcd);
    const reg = startRollcall(t, ['register', 'web', '10.0.0.3:80', '--id', 'web-int', '--endpoints', server.etcd.clientUrl]);
    await reg.waitForLine(/"event":"registered"/);
    reg.child.kill('SIGINT');
    assert.deepEqual(await reg.waitExit(5000), { code: 0, signal: null });
    assert.equal(await client.get('services/web/web-int').string(), null);
  });

  it(`SIGKILL: the key stays until the ${TTL} s lease expires, and is gone within ttl + 1 s`, async (t) => {
    const client = etcdClient(t, server.etcd);
    const reg = startRollcall(t, ['register', 'api', '10.0.0.4:8080', '--id', 'api-kill', '--ttl', String(TTL), '--endpoints', server.etcd.clientUrl]);
    await reg.waitForLine(/"event":"registered"/);
    const killedAt = Date.now();
    reg.child.kill('SIGKILL');
    await reg.waitExit(5000);
    assert.equal(processGone(reg.pid), true);
    await waitFor(async () => (await client.get('services/api/api-kill').string()) === null, {
      timeoutMs: TTL * 1000 + 1000,
      intervalMs: 50,
      message: `services/api/api-kill to expire within ${TTL + 1} s of SIGKILL`,
    });
    assert.ok(Date.now() - killedAt <= TTL * 1000 + 1000);
  });

  it('a second register of the same id while the first is live: exit 1, the first keeps its key', async (t) => {
    const url = server.etcd.clientUrl;
    const client = etcdClient(t, server.etcd);
    const first = startRollcall(t, ['register', 'api', '10.0.0.5:8080', '--id', 'api-dup', '--endpoints', url]);
    await first.waitForLine(/"event":"registered"/);
    const second = await rollcall(['register', 'api', '10.0.0.6:8080', '--id', 'api-dup', '--endpoints', url]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^rollcall: .*already registered/);
    assert.equal(second.stderr.trim().split('\n').length, 1);
    assert.match((await client.get('services/api/api-dup').string()) ?? '', /10\.0\.0\.5:8080/);
    first.child.kill('SIGTERM');
    assert.equal((await first.waitExit()).code, 0);
  });

  it('usage errors exit 1 with the usage line: missing address, bad --ttl, bad --meta, invalid service name', async () => {
    const url = server.etcd.clientUrl;
    for (const args of [
      ['register', 'api'],
      ['register', 'api', 'h:1', '--ttl', 'soon'],
      ['register', 'api', 'h:1', '--meta', 'novalue'],
      ['register', 'bad/name', 'h:1', '--endpoints', url],
    ]) {
      const result = await rollcall(args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /Usage: rollcall register \[options\] <service> <address>/, args.join(' '));
      assert.equal(result.stdout, '');
    }
  });
});
