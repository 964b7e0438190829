/**
 * `rollcall dashboard` over HTTP, no browser: write routes answer 401 without the token, work
 * with it, and are 404 without --allow-writes; a prefix delete needs its confirmation; every
 * answer carries the strict CSP; a foreign Host header is refused; /api/events numbers its
 * events and resumes after Last-Event-ID; /metrics passes promtool and follows instances; a
 * non-loopback --host without --token is refused with a clear message and binds nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createDashboard } from '../../src/dashboard/index.js';
import { Catalog } from '../../src/discovery/index.js';
import { rollcall } from '../helpers/cli.js';
import { etcdClient, eventually, useEtcd } from '../helpers/etcd.js';
import { registrar } from '../fixtures/registration-support.js';
import { startDashboard } from './dashboard-support.js';

const TOKEN = 'api-test-token-1';
const PROMTOOL = '/usr/bin/promtool';
const PROMTOOL_HINT = 'promtool is missing: apt-get install prometheus (or bash scripts/install-deps.sh)';
if (!existsSync(PROMTOOL) && process.env['CI'] === 'true') throw new Error(PROMTOOL_HINT);

async function call(base: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token !== undefined ? { 'X-Rollcall-Token': init.token } : {}), ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

type Frame = { id: number; event: string; data: Record<string, unknown> };

/** Reads `/api/events` until `count` frames with an id arrived (bounded), then closes the stream. */
function readEvents(base: string, count: number, lastEventId?: string): Promise<Frame[]> {
  return openEvents(base, count, lastEventId).frames;
}

/** Like readEvents; `opened` resolves once the server answered (its events from then on will arrive). */
function openEvents(base: string, count: number, lastEventId?: string): { opened: Promise<void>; frames: Promise<Frame[]> } {
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const frames = new Promise<Frame[]>((resolve, reject) => {
    const frames: Frame[] = [];
    const req = request(`${base}/api/events`, { headers: lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId } }, (res) => {
      markOpened();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (id !== undefined && event !== undefined && data !== undefined) frames.push({ id: Number(id), event, data: JSON.parse(data) as Record<string, unknown> });
          if (frames.length >= count) {
            clearTimeout(timer);
            req.destroy();
            resolve(frames);
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${frames.length} of ${count} events arrived: ${JSON.stringify(frames)}`));
    }, 10_000);
    req.on('error', (error) => {
      if (frames.length < count) reject(error);
    });
    req.end();
  });
  return { opened, frames };
}

/** GET `url` with a Host header of our choosing (fetch would not send one). */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}` }),
    );
    child.stdin?.end(text);
  });
}

describe('rollcall dashboard over HTTP', () => {
  const server = useEtcd();

  it('write routes: 401 without the token, work with it (put with TTL, delete, delete-prefix with confirmation, drain/undrain); 404 without --allow-writes', async (t) => {
    const endpoints = server.etcd.endpoints.join(',');
    const client = etcdClient(t, server.etcd);
    const writable = await startDashboard(t, ['--endpoints', endpoints, '--prefix', 'w', '--allow-writes', '--token', TOKEN]);
    const base = writable.base;

    assert.equal((await call(base, '/api/kv', { method: 'POST', body: { key: 'wk/a', value: '1' } })).status, 401);
    assert.equal((await call(base, '/api/kv', { method: 'POST', token: 'wrong-token-1', body: { key: 'wk/a', value: '1' } })).status, 401);
    assert.equal((await call(base, '/api/services')).status, 401, 'with a token set, reads need it too');
    assert.equal(await client.get('wk/a').string(), null, 'nothing was written');

    const put = await call(base, '/api/kv', { method: 'POST', token: TOKEN, body: { key: 'wk/a', value: 'hello', ttl: 30 } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(await client.get('wk/a').string(), 'hello');
    const listed = await call(base, '/api/kv?prefix=wk/', { token: TOKEN });
    const keys = listed.body['keys'] as Array<Record<string, unknown>>;
    assert.deepEqual(keys.map((k) => [k['key'], k['kind'], k['text'], k['version']]), [['wk/a', 'text', 'hello', 1]]);
    assert.ok(Number(keys[0]?.['ttlLeft']) > 0 && Number(keys[0]?.['ttlLeft']) <= 30, `a TTL left: ${JSON.stringify(keys[0])}`);

    assert.equal((await call(base, '/api/kv?key=wk/a', { method: 'DELETE' })).status, 401);
    assert.deepEqual((await call(base, '/api/kv?key=wk/a', { method: 'DELETE', token: TOKEN })).body, { deleted: 1 });
    assert.equal(await client.get('wk/a').string(), null);

    await client.put('wk/b').value('1');
    await client.put('wk/c').value('2');
    assert.equal((await call(base, '/api/kv?prefix=wk/', { method: 'DELETE', token: TOKEN })).status, 400, 'no confirmation');
    assert.equal(await client.getAll().prefix('wk/').count(), 2);
    assert.deepEqual((await call(base, '/api/kv?prefix=wk/&confirm=wk/', { method: 'DELETE', token: TOKEN })).body, { deleted: 2 });

    const r = registrar(t, server.etcd.endpoints, { prefix: 'w', ttl: 5 });
    await r.register({ service: 'api', id: 'a1', address: '10.0.0.1:80' });
    assert.equal((await call(base, '/api/services/api/a1/drain', { method: 'POST' })).status, 401);
    assert.equal((await call(base, '/api/services/api/a1/drain', { method: 'POST', token: TOKEN })).status, 200);
    await eventually(async () => {
      const service = await call(base, '/api/services/api', { token: TOKEN });
      assert.deepEqual((service.body['instances'] as Array<Record<string, unknown>>).map((i) => [i['id'], i['state']]), [['a1', 'draining']]);
    });
    assert.equal((await call(base, '/api/services/api/a1/undrain', { method: 'POST', token: TOKEN })).status, 200);
    assert.equal((await call(base, '/api/services/api/nobody/drain', { method: 'POST', token: TOKEN })).status, 404);

    const readOnly = await startDashboard(t, ['--endpoints', endpoints, '--prefix', 'w', '--token', TOKEN]);
    const refused = await call(readOnly.base, '/api/kv', { method: 'POST', token: TOKEN, body: { key: 'wk/z', value: '1' } });
    assert.equal(refused.status, 404);
    assert.equal((await call(readOnly.base, '/api/kv?key=wk/z', { method: 'DELETE', token: TOKEN })).status, 404);
    assert.equal((await call(readOnly.base, '/api/services/api/a1/drain', { method: 'POST', token: TOKEN })).status, 404);
    assert.equal((await call(readOnly.base, '/api/config')).body['allowWrites'], false);
  });

  it('serves a strict CSP, refuses a foreign Host, numbers its events and resumes after Last-Event-ID, and /metrics passes promtool and follows instances', async (t) => {
    const board = await startDashboard(t, ['--endpoints', server.etcd.endpoints.join(','), '--prefix', 'ev']);
    const page = await call(board.base, '/');
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal((await call(board.base, '/api/services')).headers.get('content-security-policy'), csp, 'on API answers too');
    assert.equal(await statusWithHost(`${board.base}/api/services`, 'evil.example:80'), 421, 'a DNS-rebinding Host is refused');
    assert.equal(await statusWithHost(`${board.base}/api/services`, `localhost:${new URL(board.base).port}`), 200);
    assert.equal((await call(board.base, '/healthz')).status, 200);

    const r = registrar(t, server.etcd.endpoints, { prefix: 'ev', ttl: 5 });
    const stream = openEvents(board.base, 2);
    await stream.opened;
    // The stream opens with a `hello` frame carrying the current id, then the live events.
    const reg1 = await r.register({ service: 'api', id: 'e1', address: '10.0.0.1:80' });
    const [hello, added] = await stream.frames;
    assert.equal(hello?.event, 'hello');
    assert.equal(added?.event, 'catalog');
    assert.deepEqual([added?.data['kind'], added?.data['instance']], ['added', 'e1']);
    assert.equal(added?.id, (hello?.id ?? 0) + 1);

    await r.register({ service: 'api', id: 'e2', address: '10.0.0.2:80' });
    await reg1.deregister();
    // Reconnecting after `added e1` replays exactly what followed it, in order, with consecutive ids.
    const base = added?.id ?? 0;
    const resumed = await readEvents(board.base, 3, String(base));
    assert.deepEqual(
      resumed.map((f) => [f.id - base, f.event, f.data['kind'], f.data['instance'], f.data['reason'] ?? '-']),
      [[1, 'catalog', 'added', 'e2', '-'], [2, 'catalog', 'updated', 'e1', '-'], [3, 'catalog', 'removed', 'e1', 'deregistered']],
    );

    // /metrics: valid exposition, and the numbers follow the instances.
    const up = /^rollcall_instances\{prefix="ev",service="api",status="up"\} (\d+)$/m;
    const scrape = async (): Promise<string> => String((await call(board.base, '/metrics')).body['text']);
    await eventually(async () => assert.equal(up.exec(await scrape())?.[1], '1'));
    await r.register({ service: 'api', id: 'e3', address: '10.0.0.3:80' });
    await eventually(async () => assert.equal(up.exec(await scrape())?.[1], '2'));
    const text = await scrape();
    assert.match(text, /^rollcall_catalog_events_total\{prefix="ev",service="api",type="removed",reason="deregistered"\} 1$/m);
    if (existsSync(PROMTOOL)) assert.deepEqual(await promtool(text), { code: 0, output: '' });
    else t.diagnostic(PROMTOOL_HINT);

    // A bad value under a service is a warning in that service's event log, with its key.
    await etcdClient(t, server.etcd).put('ev/api/broken').value('not an instance');
    await eventually(async () => {
      const events = (await call(board.base, '/api/services/api')).body['events'] as Array<Record<string, unknown>>;
      const warning = events.find((e) => e['kind'] === 'warning');
      assert.deepEqual([warning?.['reason'], warning?.['key']], ['ERR_MALFORMED_VALUE', 'ev/api/broken']);
    });
  });

  it('createDashboard() refuses writes without a token, and a short token', async () => {
    const catalog = await Catalog.open({ endpoints: server.etcd.endpoints, prefix: 'cfgcheck', timeoutMs: 2000 });
    try {
      await assert.rejects(createDashboard({ catalog, endpoints: server.etcd.endpoints, allowWrites: true }), { code: 'ERR_INVALID_CONFIG', message: /allowWrites needs a token/ });
      await assert.rejects(createDashboard({ catalog, endpoints: server.etcd.endpoints, token: 'short' }), { code: 'ERR_INVALID_CONFIG', message: /at least 8 characters/ });
    } finally {
      await catalog.close();
    }
  });

  it('stops on SIGTERM: closes the port, prints "dashboard: stopped" and exits 0', async (t) => {
    const board = await startDashboard(t, ['--endpoints', server.etcd.endpoints.join(',')]);
    assert.equal((await call(board.base, '/healthz')).status, 200);
    process.kill(board.cli.pid, 'SIGTERM');
    assert.deepEqual(await board.cli.waitExit(), { code: 0, signal: null });
    assert.match(board.cli.output.stdout, /^dashboard: stopped$/m);
    await assert.rejects(fetch(`${board.base}/healthz`), 'nothing listens any more');
  });

  it('refuses a non-loopback --host without --token, with a clear message, and binds nothing; a busy port is one clear line', async () => {
    const result = await rollcall(['dashboard', '--host', '0.0.0.0', '--port', '0', '--endpoints', server.etcd.endpoints.join(',')]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^rollcall: refusing to serve the dashboard on 0\.0\.0\.0 without --token/m);
    assert.equal(result.stdout, '');

    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const port = (busy.address() as AddressInfo).port;
      const clash = await rollcall(['dashboard', '--port', String(port), '--endpoints', server.etcd.endpoints.join(',')]);
      assert.deepEqual([clash.code, clash.stderr.trim()], [1, `rollcall: port ${port} is in use`]);
    } finally {
      busy.close();
    }
  });
});
