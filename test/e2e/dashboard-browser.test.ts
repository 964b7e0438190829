/**
 * The dashboard in a real browser (Debian's headless Chromium via playwright-core) against
 * `rollcall dashboard` on a real etcd: services listed; an instance registered during the test
 * shows up without a reload; a SIGKILLed registrar's instance turns `expired` and dimmed; a
 * deregistered one leaves as `deregistered`; hostile metadata stays text; the keys view shows,
 * puts and deletes; the cluster view lists a 3-member cluster and marks its leader. Every request
 * the page makes goes to the loopback dashboard. Screenshots land in the temp dir;
 * ROLLCALL_UPDATE_SCREENSHOTS=1 writes the service view to docs/dashboard.png (the README's picture).
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/cli.js';
import { etcdClient, eventually, startCluster, useEtcd } from '../helpers/etcd.js';
import { startFixtureChild } from '../helpers/fixture-child.js';
import { registrar } from '../fixtures/registration-support.js';
import { chromiumSkip, launchBrowser, startDashboard, type LaunchedBrowser } from './dashboard-support.js';

const skip = chromiumSkip();
const TOKEN = 'browser-test-token';
const XSS = '<img src=x onerror=alert(1)>';
const REGISTRAR_CHILD = fileURLToPath(new URL('../fixtures/registrar-child.js', import.meta.url));

describe('the dashboard in a browser', { skip }, () => {
  const server = useEtcd();
  let launched: LaunchedBrowser;
  /** Every URL any page asked for, and every dialog any page opened. */
  const requested: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    const outside = requested.filter((u) => !/^http:\/\/127\.0\.0\.1:\d+\//.test(u) && !u.startsWith('data:') && u !== 'about:blank');
    assert.deepEqual(outside, [], 'the pages asked nothing of anyone but the loopback dashboard');
  });

  async function openPage(t: TestContext, width = 1280, height = 800): Promise<Page> {
    const page = await launched.browser.newPage({ viewport: { width, height } });
    t.after(() => page.close());
    page.on('request', (r) => requested.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      // The keys view asks before deleting; every other dialog would be a bug (an alert() from metadata).
      void (d.type() === 'confirm' ? d.accept() : d.dismiss());
    });
    return page;
  }

  it('lists services; a new instance appears live; a SIGKILLed one turns expired and dimmed, a deregistered one leaves as deregistered; metadata stays text', async (t) => {
    const endpoints = server.etcd.endpoints;
    const board = await startDashboard(t, ['--endpoints', endpoints.join(','), '--prefix', 'web', '--allow-writes', '--token', TOKEN]);
    const r = registrar(t, endpoints, { prefix: 'web', ttl: 5 });
    await r.register({ service: 'api', id: 'api-1', address: '127.0.0.1:9101', zone: 'eu-a', version: '1.4.2', weight: 3, tags: ['grpc'], meta: { team: 'payments', note: XSS } });
    const leaving = await r.register({ service: 'api', id: 'api-2', address: '127.0.0.1:9102', zone: 'eu-b', version: '1.4.2' });
    await r.register({ service: 'billing', id: 'billing-1', address: '127.0.0.1:9201', zone: 'eu-a', version: '0.9.0' });

    const page = await openPage(t);
    await page.goto(board.url);
    await page.locator('tr[data-service="api"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await page.locator('tr[data-service]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service'))), ['api', 'billing']);
    assert.match((await page.locator('tr[data-service="api"]').textContent()) ?? '', /api2.*eu-a, eu-b.*1\.4\.2/);
    await page.screenshot({ path: join(tmpdir(), 'rollcall-dashboard-services.png') });

    await page.locator('a', { hasText: 'api' }).first().click();
    await page.locator('tr[data-instance="api-1"]').waitFor({ timeout: 10_000 });
    const meta = page.locator('tr[data-instance="api-1"] td.meta');
    assert.equal(await meta.textContent(), JSON.stringify({ team: 'payments', note: XSS }), 'the metadata is shown as text, markup and all');
    assert.equal(await page.locator('main img').count(), 0, 'no element was made from the metadata');

    // Registered while the page is open: it appears without a reload, within 2 s.
    const reloads: string[] = [];
    page.on('framenavigated', (frame) => reloads.push(frame.url()));
    await r.register({ service: 'api', id: 'api-3', address: '127.0.0.1:9103', zone: 'eu-b', version: '1.5.0' });
    await page.locator('tr[data-instance="api-3"]').waitFor({ timeout: 2000 });
    assert.deepEqual(reloads, [], 'no reload');

    // A registrar that dies by SIGKILL never deregisters: its key goes when its 1 s lease runs out.
    const child = await startFixtureChild<{ keys: string[] }>(t, REGISTRAR_CHILD, {
      ROLLCALL_CHILD: JSON.stringify({ endpoints, prefix: 'web', service: 'api', count: 1, ttl: 1 }),
    }, 'registrar child');
    const crashed = page.locator('tr[data-instance="c0"]');
    await eventually(async () => assert.equal(await crashed.getAttribute('data-state'), 'up'));
    child.process.kill('SIGKILL');
    await child.exit;
    await eventually(async () => assert.equal(await crashed.getAttribute('data-state'), 'expired'), { timeoutMs: 15_000 });
    assert.equal(await crashed.locator('td.state').textContent().then((s) => s?.startsWith('expired')), true);
    const opacity = Number(await crashed.locator('td').first().evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(td).opacity));
    assert.ok(opacity < 0.6, `an expired row is dimmed (opacity ${opacity})`);

    await leaving.deregister();
    const gone = page.locator('tr[data-instance="api-2"]');
    await eventually(async () => assert.equal(await gone.getAttribute('data-state'), 'deregistered'));

    // The filter matches any field, metadata included.
    await page.getByLabel('Filter instances').fill('payments');
    await eventually(async () => assert.deepEqual(await page.locator('tr[data-instance]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance'))), ['api-1']));
    await page.getByLabel('Filter instances').fill('');
    await page.locator('tr[data-instance="api-3"]').waitFor();
    await page.getByRole('list', { name: 'Event log' }).getByText('removed (deregistered)').first().waitFor();
    // The README's picture is refreshed only on request, so a test run leaves the work tree clean.
    const shot = process.env['ROLLCALL_UPDATE_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'dashboard.png') : join(tmpdir(), 'rollcall-dashboard-service.png');
    await page.screenshot({ path: shot });

    const narrow = await openPage(t, 420, 800);
    await narrow.goto(board.url);
    await narrow.locator('tr[data-service="api"]').waitFor();
    await narrow.goto(`${board.base}/#/service/api`);
    await narrow.locator('tr[data-instance="api-1"]').waitFor();
    await narrow.screenshot({ path: join(tmpdir(), 'rollcall-dashboard-narrow.png'), fullPage: true });

    assert.deepEqual(dialogs, [], 'nothing opened a dialog (the metadata ran nothing)');
    assert.equal(requested.some((u) => new URL(u).pathname === '/x'), false, 'the metadata\'s <img src=x> was never requested');
  });

  it('the keys view shows a value with its lease and revisions, and with writes allowed puts and deletes a key', async (t) => {
    const endpoints = server.etcd.endpoints;
    const client = etcdClient(t, server.etcd);
    await client.put('cfg/app/settings').value(JSON.stringify({ retries: 3, zones: ['eu-a'] }));
    const board = await startDashboard(t, ['--endpoints', endpoints.join(','), '--allow-writes', '--token', TOKEN]);
    const page = await openPage(t);
    await page.goto(`${board.base}/#token=${TOKEN}`);
    // The app takes the token from the hash when its module runs, then rewrites the hash: only then
    // may the test move on (a hash changed earlier would hide the token from it on a slow machine).
    await page.waitForURL(/#\/services$/);
    await page.goto(`${board.base}/#/keys?prefix=cfg/`);
    await page.locator('button[data-key="cfg/app/settings"]').click();
    const value = page.locator('pre[data-value]');
    assert.equal(await value.textContent(), JSON.stringify({ retries: 3, zones: ['eu-a'] }, null, 2), 'pretty JSON');
    await page.getByLabel('Show value as').selectOption('hex');
    assert.match((await value.textContent()) ?? '', /^7b 22 72 65/);

    // The open prefix is watched: a key written elsewhere shows up by itself.
    await client.put('cfg/app/elsewhere').value('written by etcdctl, say');
    await page.locator('button[data-key="cfg/app/elsewhere"]').waitFor({ timeout: 5000 });

    await page.getByLabel('Key to put').fill('cfg/app/flag');
    await page.getByLabel('Value to put').fill('on');
    await page.getByLabel('TTL in seconds (empty: no lease)').fill('60');
    await page.getByRole('button', { name: 'Put', exact: true }).click();
    await eventually(async () => assert.equal(await client.get('cfg/app/flag').string(), 'on'));
    await page.locator('button[data-key="cfg/app/flag"]').waitFor();
    await eventually(async () => assert.match((await page.locator('dl.facts').textContent()) ?? '', /Lease[0-9a-f]+TTL left\d+s/));
    await page.screenshot({ path: join(tmpdir(), 'rollcall-dashboard-keys.png') });

    await page.getByRole('button', { name: 'Delete key' }).click();
    await eventually(async () => assert.equal(await client.get('cfg/app/flag').string(), null));
    await page.locator('button[data-key="cfg/app/flag"]').waitFor({ state: 'detached' });
    assert.deepEqual(dialogs, ['confirm: Delete cfg/app/flag?']);
    dialogs.length = 0;
  });

  it('the cluster view lists the 3 members of a cluster and marks the leader', async (t) => {
    const cluster = await startCluster(t);
    const board = await startDashboard(t, ['--endpoints', cluster.endpoints.join(',')]);
    const page = await openPage(t);
    await page.goto(`${board.base}/#/cluster`);
    await page.locator('tr[data-member]').nth(2).waitFor({ timeout: 10_000 });
    const rows = await page.locator('tr[data-member]').evaluateAll((trs) => trs.map((tr) => ({ leader: tr.getAttribute('data-leader'), text: tr.textContent ?? '' })));
    assert.equal(rows.length, 3);
    assert.equal(rows.filter((r) => r.leader === 'true').length, 1, 'exactly one leader');
    assert.match(rows.find((r) => r.leader === 'true')?.text ?? '', /leader/);
    for (const row of rows) assert.match(row.text, /3\.4\.\d+.*healthy/);
    await page.screenshot({ path: join(tmpdir(), 'rollcall-dashboard-cluster.png') });

    // Keyboard only: Tab reaches the views' links in order, Enter opens one, and its fields follow.
    type Focusable = { textContent: string | null; getAttribute(name: string): string | null };
    const focused = (): Promise<string> =>
      page.evaluate(() => {
        const active = (globalThis as unknown as { document: { activeElement: Focusable | null } }).document.activeElement;
        return active?.getAttribute('aria-label') ?? active?.textContent ?? '';
      });
    const tabs: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      tabs.push(await focused());
    }
    assert.deepEqual(tabs, ['Services', 'Keys', 'Cluster']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keys' }).waitFor();
    // Focus stays on the Keys link: past Cluster, the prefix box.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Key prefix');
  });
});
