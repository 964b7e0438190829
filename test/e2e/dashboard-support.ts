/**
 * Shared by the dashboard e2e tests: `rollcall dashboard` (the built CLI) on a free port, and one
 * headless Debian Chromium per test file (through playwright-core's launchServer, so the test
 * knows its pid and kills it by pid at the end). No Chromium: a developer's run skips with the
 * install command; under CI=true that is a failure (CI installs it: scripts/install-deps.sh).
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';
import { startRollcall, type RunningCli } from '../helpers/cli.js';
import { processGone, waitFor } from '../helpers/etcd.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_HINT = 'the dashboard browser tests need Chromium at /usr/bin/chromium: apt-get install chromium (or bash scripts/install-deps.sh)';

/** False when Chromium is there; the reason to skip otherwise. Throws under CI=true. */
export function chromiumSkip(): false | string {
  if (existsSync(CHROMIUM)) return false;
  if (process.env['CI'] === 'true') throw new Error(CHROMIUM_HINT);
  return CHROMIUM_HINT;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  readonly browser: Browser;
  readonly pid: number;
  close(): Promise<void>;
}

/**
 * Starts Chromium (playwright gives it a fresh temporary profile, its own --user-data-dir) and
 * connects to it. close() disconnects, asks the server to close, and SIGKILLs the pid if it is
 * still there.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const server: BrowserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const pid = server.process().pid ?? -1;
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    return {
      browser,
      pid,
      async close() {
        await browser.close().catch(() => undefined);
        await server.close().catch(() => undefined);
        if (!processGone(pid)) process.kill(pid, 'SIGKILL');
        await waitFor(() => processGone(pid), { timeoutMs: 10_000, message: `chromium pid ${pid} to exit` });
      },
    };
  } catch (error) {
    await server.kill();
    throw error;
  }
}

export interface RunningDashboard {
  readonly cli: RunningCli;
  /** http://127.0.0.1:<port>/ */
  readonly base: string;
  /** The printed URL (with #token=… when there is a token). */
  readonly url: string;
}

/** `rollcall dashboard --port 0 …args`, ready once it prints its URL; SIGKILLed when `t` ends if still running. */
export async function startDashboard(t: TestContext, args: readonly string[]): Promise<RunningDashboard> {
  const cli = startRollcall(t, ['dashboard', '--port', '0', ...args]);
  const line = await cli.waitForLine(/^dashboard: http/, 20_000);
  const url = /^dashboard: (\S+)/.exec(line)?.[1] ?? '';
  return { cli, url, base: new URL(url).origin };
}
