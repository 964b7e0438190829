// The built CLI's health checks: --health-http against a real node:http server that flips between
// 200 and 503, --health-cmd (exit 0 = passing) and its deadline (the command's process group is
// killed, nothing left running), a JSON `health` line per transition with the error, the stored
// status following it, and --drain-ms on SIGTERM (draining, then leaving, then gone).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { rollcall, startRollcall, type RunningCli } from '../helpers/cli.js';

interface HealthLine {
  event: string;
  healthy: boolean;
  status: string;
  error?: string;
}

function healthLines(run: RunningCli): HealthLine[] {
  return run
    .stdoutLines()
    .map((line) => JSON.parse(line) as HealthLine)
    .filter((line) => line.event === 'health');
}

async function healthServer(t: TestContext): Promise<{ url: string; setHealthy(healthy: boolean): void; requests(): number }> {
  let healthy = true;
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'db down');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { url: `http://127.0.0.1:${address.port}/health`, setHealthy: (h) => (healthy = h), requests: () => requests };
}

/** Pids of processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The rollcall status in a stored value (fields in a JSON-string Metadata, or an object there). */
function statusOf(value: Buffer | string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const body = JSON.parse(value.toString()) as { Metadata?: unknown };
  const fields = (typeof body.Metadata === 'string' ? JSON.parse(body.Metadata) : body.Metadata) as { status?: string } | null;
  return fields?.status ?? '?';
}

describe('rollcall register: health checks and --drain-ms (built CLI)', () => {
  const server = useEtcd();

  it('--health-http: 503 -> health line (healthy false, the error) and status draining; 200 -> up again; --drain-ms on SIGTERM', async (t) => {
    const url = server.etcd.clientUrl;
    const client = etcdClient(t, server.etcd);
    const http = await healthServer(t);
    const reg = startRollcall(t, [
      'register', 'api', '1.1.1.1:1', '--id', 'h1', '--ttl', '3', '--health-http', http.url, '--interval', '100ms', '--health-timeout', '3s', '--drain-ms', '300', '--endpoints', url,
    ]);
    await reg.waitForLine(/"event":"registered"/);
    const status = async (): Promise<string> => statusOf(await client.get('services/api/h1').string());
    assert.equal(await status(), 'up');

    http.setHealthy(false);
    await waitFor(() => healthLines(reg).length === 1, { timeoutMs: 5000, message: 'a health line for the failing check' });
    const failing = healthLines(reg)[0];
    assert.equal(failing?.healthy, false);
    assert.equal(failing?.status, 'draining');
    assert.match(failing?.error ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/health answered 503/);
    await waitFor(async () => (await status()) === 'draining', { timeoutMs: 5000, message: 'status draining in etcd' });

    http.setHealthy(true);
    await waitFor(() => healthLines(reg).length === 2, { timeoutMs: 5000, message: 'a health line for the passing check' });
    assert.deepEqual(healthLines(reg)[1], { ...healthLines(reg)[1], healthy: true, status: 'up' });
    await waitFor(async () => (await status()) === 'up', { timeoutMs: 5000, message: 'status up in etcd' });
    const requests = http.requests();
    await waitFor(() => http.requests() >= requests + 3, { timeoutMs: 5000, message: 'three more checks' });
    assert.equal(healthLines(reg).length, 2, 'no line while the answer stays the same');

    const seen: string[] = [];
    const watcher = await client.watch().key('services/api/h1').create();
    t.after(() => watcher.cancel());
    watcher.on('put', (kv) => seen.push(`put ${statusOf(kv.value)}`));
    watcher.on('delete', () => seen.push('delete'));
    reg.child.kill('SIGTERM');
    assert.deepEqual(await reg.waitExit(), { code: 0, signal: null });
    const events = reg.stdoutLines().map((line) => (JSON.parse(line) as { event: string }).event);
    assert.deepEqual(events.slice(-2), ['draining', 'deregistered']);
    await waitFor(() => seen.includes('delete'), { timeoutMs: 5000, message: 'the delete' });
    assert.deepEqual(seen, ['put draining', 'put leaving', 'delete']);
    assert.equal(reg.output.stderr, '');
  });

  it('--health-cmd: exit 0 passing, exit 1 failing with its stderr; registered as draining when the first check fails', async (t) => {
    const url = server.etcd.clientUrl;
    const flag = join(tmpdir(), `rollcall-health-${process.pid}-${Date.now()}`);
    t.after(() => rmSync(flag, { force: true }));
    const reg = startRollcall(t, [
      'register', 'api', '1.1.1.1:2', '--id', 'h2', '--ttl', '3', '--health-cmd', `test -f ${flag} || { echo "no flag file" >&2; exit 1; }`, '--interval', '100ms', '--health-timeout', '3s', '--endpoints', url,
    ]);
    const registered = JSON.parse(await reg.waitForLine(/"event":"registered"/)) as { status?: string };
    assert.equal(registered.status, 'draining', 'the first check failed');
    await waitFor(() => healthLines(reg).length === 1, { timeoutMs: 5000, message: 'the first health line' });
    assert.equal(healthLines(reg)[0]?.healthy, false);
    assert.match(healthLines(reg)[0]?.error ?? '', /exited with code 1: no flag file/);
    writeFileSync(flag, '');
    await waitFor(() => healthLines(reg).length === 2, { timeoutMs: 5000, message: 'the passing line' });
    assert.equal(healthLines(reg)[1]?.healthy, true);
    assert.equal(healthLines(reg)[1]?.status, 'up');
    reg.child.kill('SIGTERM');
    assert.equal((await reg.waitExit()).code, 0);
  });

  it('--health-cmd past --health-timeout: failing "did not answer", and the command is killed, never left running', async (t) => {
    const url = server.etcd.clientUrl;
    const marker = `${40000 + (process.pid % 10000)}.5`;
    const reg = startRollcall(t, [
      'register', 'api', '1.1.1.1:3', '--id', 'h3', '--ttl', '3', '--health-cmd', `sleep ${marker}`, '--interval', '300ms', '--health-timeout', '200ms', '--endpoints', url,
    ]);
    await reg.waitForLine(/"event":"registered"/);
    await waitFor(() => healthLines(reg).length === 1, { timeoutMs: 5000, message: 'the failing health line' });
    assert.match(healthLines(reg)[0]?.error ?? '', /did not answer within 200 ms/);
    reg.child.kill('SIGTERM');
    assert.equal((await reg.waitExit()).code, 0);
    await waitFor(() => processesWith(`sleep ${marker}`).length === 0, { timeoutMs: 3000, message: `no "sleep ${marker}" left running` });
  });

  it('--drain-ms 60000: SIGTERM marks it draining; a second SIGTERM cuts the wait short and it leaves cleanly (exit 0)', async (t) => {
    const client = etcdClient(t, server.etcd);
    const reg = startRollcall(t, ['register', 'api', '1.1.1.1:4', '--id', 'h4', '--ttl', '3', '--drain-ms', '60000', '--endpoints', server.etcd.clientUrl]);
    await reg.waitForLine(/"event":"registered"/);
    reg.child.kill('SIGTERM');
    await reg.waitForLine(/"event":"draining"/);
    assert.equal(statusOf(await client.get('services/api/h4').string()), 'draining');
    reg.child.kill('SIGTERM');
    // Far less than the 60 s drain: only the second signal can end it this soon.
    assert.deepEqual(await reg.waitExit(15_000), { code: 0, signal: null });
    assert.match(reg.stdoutLines().at(-1) ?? '', /"event":"deregistered"/);
    assert.equal(await client.get('services/api/h4').string(), null);
  });

  it('usage: both checks, --interval without a check, a bad URL -> exit 1 with the usage line', async () => {
    const url = server.etcd.clientUrl;
    for (const args of [
      ['--health-http', 'http://127.0.0.1:1/', '--health-cmd', 'true'],
      ['--interval', '5s'],
      ['--health-http', 'localhost:80'],
      ['--drain-ms', 'soon'],
    ]) {
      const result = await rollcall(['register', 'api', 'h:1', ...args, '--endpoints', url]);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^rollcall: /, args.join(' '));
      assert.match(result.stderr, /Usage: rollcall register/, args.join(' '));
    }
  });
});
