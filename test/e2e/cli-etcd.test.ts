// The built CLI (dist/cli/main.js, from `npm run build`): `rollcall etcd` serves etcdctl, stops
// cleanly on SIGINT with exit code 0 and leaves nothing; --data-dir is kept; no etcd binary ->
// one stderr line and exit code 2; a busy --port -> `rollcall: port P is in use`, exit 1;
// --version and --help exit 0.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it, type TestContext } from 'node:test';
import { findEtcdctl, freePort } from '../../src/dev/index.js';
import { processGone, waitFor } from '../helpers/etcd.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const READY = /etcd ready at (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+), data dir (.+?), (kept|removed) on exit\)/;

interface CliRun {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** Spawns the CLI; when `t` ends, kills whatever is still running (CLI and its etcd). */
function spawnCli(t: TestContext, args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: CliRun = { child, output: { stdout: '', stderr: '' }, exit: undefined };
  child.stdout?.on('data', (chunk: Buffer) => (result.output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (result.output.stderr += chunk.toString()));
  child.once('exit', (code, signal) => (result.exit = { code, signal }));
  t.after(() => {
    if (result.exit === undefined) child.kill('SIGKILL');
    const ready = READY.exec(result.output.stdout);
    if (ready !== null && !processGone(Number(ready[2]))) process.kill(Number(ready[2]), 'SIGKILL');
  });
  return result;
}

async function waitReady(cli: CliRun): Promise<{ endpoint: string; pid: number; dataDir: string }> {
  const match = await waitFor(() => READY.exec(cli.output.stdout) ?? (cli.exit !== undefined ? 'exited' : undefined), {
    timeoutMs: 20_000,
    message: 'the "etcd ready" line',
  });
  if (match === 'exited') assert.fail(`CLI exited before etcd was ready: ${cli.output.stderr}`);
  return { endpoint: match[1] ?? '', pid: Number(match[2]), dataDir: match[3] ?? '' };
}

async function waitExit(cli: CliRun): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return waitFor(() => cli.exit, { timeoutMs: 20_000, message: 'the CLI to exit' });
}

async function etcdctl(endpoint: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(findEtcdctl(), [`--endpoints=${endpoint}`, ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return stdout;
}

describe('rollcall CLI', () => {
  it('--version prints the package.json version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(process.execPath, [CLI, '--version']);
    assert.equal(stdout.trim(), version);
  });

  it('--help lists the etcd command and exits 0', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help']);
    assert.match(stdout, /Usage: rollcall/);
    assert.match(stdout, /^\s+etcd\b/m);
  });

  it('etcd --port P: serves etcdctl put/get; SIGINT -> exit 0, etcd gone, temp data dir removed', async (t) => {
    const port = await freePort();
    const cli = spawnCli(t, ['etcd', '--port', String(port)]);
    const { endpoint, pid, dataDir } = await waitReady(cli);
    assert.equal(endpoint, `http://127.0.0.1:${port}`);
    assert.equal(processGone(pid), false);

    assert.equal((await etcdctl(endpoint, 'put', 'cli/key', 'cli-value')).trim(), 'OK');
    assert.equal(await etcdctl(endpoint, 'get', 'cli/key', '--print-value-only'), 'cli-value\n');

    cli.child.kill('SIGINT');
    const exit = await waitExit(cli);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(processGone(pid), true, `etcd pid ${pid} still exists`);
    assert.equal(existsSync(dataDir), false, `${dataDir} still exists`);
  });

  it('etcd --data-dir D: SIGTERM -> exit 0 and D is kept with etcd data in it', async (t) => {
    const parent = mkdtempSync(join(tmpdir(), 'rollcall-cli-test-'));
    t.after(() => rmSync(parent, { recursive: true, force: true }));
    const dir = join(parent, 'data');
    const cli = spawnCli(t, ['etcd', '--port', String(await freePort()), '--data-dir', dir]);
    const { pid, dataDir } = await waitReady(cli);
    assert.equal(dataDir, dir);

    cli.child.kill('SIGTERM');
    assert.deepEqual(await waitExit(cli), { code: 0, signal: null });
    assert.equal(processGone(pid), true);
    assert.ok(readdirSync(dir).includes('member'));
  });

  it('etcd --port on a busy port: the one line "rollcall: port P is in use", exit 1, no etcd log', async (t) => {
    const busy = createServer();
    busy.listen({ host: '127.0.0.1', port: 0 });
    await once(busy, 'listening');
    t.after(() => busy.close());
    const address = busy.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const cli = spawnCli(t, ['etcd', '--port', String(port)]);
    assert.deepEqual(await waitExit(cli), { code: 1, signal: null });
    assert.equal(cli.output.stderr, `rollcall: port ${port} is in use\n`);
    assert.equal(cli.output.stdout, '');
  });

  it('etcd without an etcd binary: one line on stderr naming the install command, exit code 2', async (t) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: '' };
    delete env['ROLLCALL_ETCD_BIN'];
    const cli = spawnCli(t, ['etcd', '--port', String(await freePort())], env);
    const exit = await waitExit(cli);
    assert.deepEqual(exit, { code: 2, signal: null });
    const lines = cli.output.stderr.trim().split('\n');
    assert.equal(lines.length, 1, cli.output.stderr);
    assert.match(lines[0] ?? '', /apt-get install etcd-server etcd-client/);
    assert.match(lines[0] ?? '', /brew install etcd/);
    assert.equal(cli.output.stdout, '');
  });
});
