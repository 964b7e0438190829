/**
 * Builds the Go interop program (test/go/interop) once, offline, in GOPATH mode over the Go
 * sources Debian installs (golang-etcd-server-dev: etcd 3.4 clientv3 and its naming packages;
 * golang-google-grpc-dev: grpc-go). No module proxy, no network.
 *
 * The binary is cached in os.tmpdir() under a hash of the Go sources and `go version`, so every
 * test file and process reuses one build, and a changed source builds anew. Concurrent builders
 * take a lock directory; the winner builds to a temporary name and renames it into place, so a
 * reader never sees a half-written binary, and the others wait for it.
 *
 * When Go or Debian's Go sources are missing, a developer's run skips the Go tests with the
 * install command; under CI=true that is a failure (CI installs them: scripts/install-deps.sh).
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './cli.js';
import { processGone, waitFor } from './etcd.js';

const run = promisify(execFile);

/** Where Debian's golang-*-dev packages put their sources (`dpkg -L golang-etcd-server-dev`). */
export const DEBIAN_GOPATH = '/usr/share/gocode';
export const GO_INSTALL_HINT = 'apt-get install golang-go golang-etcd-server-dev golang-google-grpc-dev';
const GO_SOURCES = join(ROOT, 'test', 'go');
const REQUIRED_GO_PACKAGES = [
  'go.etcd.io/etcd/clientv3/naming/resolver',
  'go.etcd.io/etcd/clientv3/naming/endpoints',
  'google.golang.org/grpc/health/grpc_health_v1',
];
const BUILD_TIMEOUT_MS = 10 * 60_000;

/** The built program, or why the Go tests are skipped (never both). */
export type GoProgram = { readonly binary: string; readonly skip?: undefined } | { readonly binary?: undefined; readonly skip: string };

let cached: Promise<GoProgram> | undefined;

/** Builds (or finds) test/go/interop; memoised for the process. Throws when the build fails. */
export function goInteropProgram(): Promise<GoProgram> {
  cached ??= locateOrBuild();
  return cached;
}

async function locateOrBuild(): Promise<GoProgram> {
  const goVersion = await run('go', ['version'], { timeout: 30_000 }).then(
    (r) => r.stdout.trim(),
    () => undefined,
  );
  const missing = [
    ...(goVersion === undefined ? ['the go command'] : []),
    ...REQUIRED_GO_PACKAGES.filter((pkg) => !existsSync(join(DEBIAN_GOPATH, 'src', pkg))).map((pkg) => `${DEBIAN_GOPATH}/src/${pkg}`),
  ];
  if (goVersion === undefined || missing.length > 0) {
    const message = `Go interop tests need Go and Debian's Go sources (missing: ${missing.join(', ')}); install them: ${GO_INSTALL_HINT} (or bash scripts/install-deps.sh)`;
    if (process.env['CI'] === 'true') throw new Error(message);
    return { skip: message };
  }
  const dir = join(tmpdir(), `rollcall-go-interop-${sourceHash(goVersion)}`);
  const binary = join(dir, 'interop');
  mkdirSync(dir, { recursive: true });
  while (!existsSync(binary)) {
    if (takeLock(dir)) {
      try {
        if (!existsSync(binary)) await build(dir, binary);
      } finally {
        rmSync(join(dir, 'lock'), { recursive: true, force: true });
      }
    } else {
      // Another process is building: wait for its binary, or for its lock to be abandoned.
      await waitFor(() => existsSync(binary) || lockAbandoned(dir), { timeoutMs: BUILD_TIMEOUT_MS, intervalMs: 200, message: `the Go build in ${dir}` });
      if (!existsSync(binary)) rmSync(join(dir, 'lock'), { recursive: true, force: true });
    }
  }
  return { binary };
}

function sourceHash(goVersion: string): string {
  const hash = createHash('sha256').update(goVersion);
  for (const file of listFiles(GO_SOURCES).sort()) hash.update(`\0${relative(GO_SOURCES, file)}\0`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function takeLock(dir: string): boolean {
  try {
    mkdirSync(join(dir, 'lock'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeFileSync(join(dir, 'lock', 'pid'), String(process.pid));
  return true;
}

/** A lock whose builder died (or that never got a pid within a minute) is abandoned. */
function lockAbandoned(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'lock', 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && processGone(pid);
  } catch {
    try {
      return Date.now() - statSync(join(dir, 'lock')).mtimeMs > 60_000;
    } catch {
      return true; // the lock is gone: the builder finished or gave up
    }
  }
}

async function build(dir: string, binary: string): Promise<void> {
  const partial = `${binary}.partial-${process.pid}`;
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPROXY: 'off',
    GOFLAGS: '',
    GOPATH: `${join(dir, 'gopath')}:${DEBIAN_GOPATH}`,
    // Shared by every source version, so a changed test program rebuilds only itself.
    GOCACHE: join(tmpdir(), 'rollcall-go-cache'),
    // Pure Go: no C compiler needed.
    CGO_ENABLED: '0',
  };
  try {
    await run('go', ['build', '-o', partial, './interop'], { cwd: GO_SOURCES, env, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    rmSync(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`building the Go interop program failed (GOPATH=${env.GOPATH}):\n${stderr}`, { cause: error });
  }
  renameSync(partial, binary);
}
