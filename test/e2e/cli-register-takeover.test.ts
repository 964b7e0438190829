// The built CLI when a `rollcall register` key stops being its own: taken over by `register
// --replace` or by `etcdctl put --lease` -> one `rollcall: … was taken over by lease <hex>` line,
// exit 1; removed by `rollcall deregister` -> a `removed` line, exit 0, the key not put back, and a
// catalog (`rollcall watch`) reports it `deregistered`. `rollcall deregister` of an unknown id
// exits 3.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdClient, useEtcd } from '../helpers/etcd.js';
import { etcdctl, rollcall, startRollcall } from '../helpers/cli.js';

const hex = (decimal: string): string => BigInt(decimal).toString(16).padStart(16, '0');

/** The rollcall status in a stored value (fields in a JSON-string Metadata, or an object there). */
function statusOf(value: Buffer | string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const body = JSON.parse(value.toString()) as { Metadata?: unknown };
  const fields = (typeof body.Metadata === 'string' ? JSON.parse(body.Metadata) : body.Metadata) as { status?: string } | null;
  return fields?.status ?? '?';
}

describe('rollcall register: takeover, removal, --replace; rollcall deregister (built CLI)', () => {
  const server = useEtcd();

  it('register --replace takes the id over; the first process prints one "taken over by lease <hex>" line and exits 1', async (t) => {
    const url = server.etcd.clientUrl;
    const client = etcdClient(t, server.etcd);
    const first = startRollcall(t, ['register', 'api', '1.1.1.1:1', '--id', 't1', '--ttl', '3', '--endpoints', url]);
    await first.waitForLine(/"event":"registered"/);
    const refused = await rollcall(['register', 'api', '1.1.1.2:1', '--id', 't1', '--endpoints', url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already registered under lease [0-9a-f]+, not ours .*--replace/);

    const second = startRollcall(t, ['register', 'api', '1.1.1.2:1', '--id', 't1', '--ttl', '3', '--replace', '--endpoints', url]);
    const secondLine = JSON.parse(await second.waitForLine(/"event":"registered"/)) as { lease: string };
    assert.deepEqual(await first.waitExit(), { code: 1, signal: null });
    const lines = first.output.stderr.trim().split('\n');
    assert.equal(lines.length, 1, first.output.stderr);
    assert.match(lines[0] ?? '', new RegExp(`^rollcall: services/api/t1 was taken over by lease ${hex(secondLine.lease)} \\(address 1\\.1\\.1\\.2:1\\)`));
    assert.match(first.stdoutLines().at(-1) ?? '', /"event":"displaced".*"holderLease":"\d+"/);
    // The first process left the new owner's key alone on its way out.
    const kv = (await client.kv.range({ key: Buffer.from('services/api/t1') })).kvs[0];
    assert.equal(kv?.lease, secondLine.lease);
    assert.match(kv?.value.toString() ?? '', /1\.1\.1\.2:1/);
    second.child.kill('SIGTERM');
    assert.equal((await second.waitExit()).code, 0);
  });

  it('etcdctl put --lease under another lease: exit 1 naming that lease', async (t) => {
    const url = server.etcd.clientUrl;
    const reg = startRollcall(t, ['register', 'api', '1.1.1.1:2', '--id', 't2', '--ttl', '3', '--endpoints', url]);
    await reg.waitForLine(/"event":"registered"/);
    const granted = /lease ([0-9a-f]+) granted/.exec(await etcdctl(url, 'lease', 'grant', '30'))?.[1];
    assert.ok(granted !== undefined);
    t.after(() => etcdctl(url, 'lease', 'revoke', granted).catch(() => undefined));
    await etcdctl(url, 'put', `--lease=${granted}`, 'services/api/t2', '{"Op":0,"Addr":"5.5.5.5:5","Metadata":null}');
    assert.deepEqual(await reg.waitExit(), { code: 1, signal: null });
    assert.match(reg.output.stderr, new RegExp(`^rollcall: services/api/t2 was taken over by lease ${granted} \\(address 5\\.5\\.5\\.5:5\\)[^\\n]*\\n$`));
  });

  it('rollcall deregister: leaving then delete; the registrar prints "removed" and exits 0 without putting it back; watch says deregistered', async (t) => {
    const url = server.etcd.clientUrl;
    const client = etcdClient(t, server.etcd);
    const reg = startRollcall(t, ['register', 'web', '1.1.1.1:3', '--id', 't3', '--ttl', '3', '--endpoints', url]);
    const registered = JSON.parse(await reg.waitForLine(/"event":"registered"/)) as { lease: string };
    const watch = startRollcall(t, ['watch', 'web', '--json', '--endpoints', url]);
    await watch.waitForLine(/"event":"current".*"id":"t3"/);
    const seen: string[] = [];
    const watcher = await client.watch().key('services/web/t3').create();
    t.after(() => watcher.cancel());
    watcher.on('put', (kv) => seen.push(`put ${statusOf(kv.value)}`));
    watcher.on('delete', () => seen.push('delete'));

    const result = await rollcall(['deregister', 'web', 't3', '--endpoints', url]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `services/web/t3 deregistered (was on lease ${hex(registered.lease)})`);
    assert.deepEqual(await reg.waitExit(), { code: 0, signal: null });
    assert.match(reg.stdoutLines().at(-1) ?? '', /"event":"removed"/);
    assert.match(reg.output.stderr, /^rollcall: services\/web\/t3 was removed by someone else .* not registering it again\n$/);
    const removed = JSON.parse(await watch.waitForLine(/"event":"removed"/)) as { reason: string };
    assert.equal(removed.reason, 'deregistered', 'a catalog reports the operator removal as deregistered, not expired');
    assert.deepEqual(seen, ['put leaving', 'delete']);
    assert.equal(await client.get('services/web/t3').string(), null, 'not put back');
    watch.child.kill('SIGTERM');
    await watch.waitExit();
  });

  it('rollcall deregister of an id nobody registered: exit 3, one line', async () => {
    const result = await rollcall(['deregister', 'web', 'nobody', '--endpoints', server.etcd.clientUrl]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'rollcall: no instance at services/web/nobody\n');
  });
});
