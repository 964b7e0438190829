/**
 * The published package, as a user installs it: packed from a clean copy of the sources (no
 * dist/ yet, so `prepack` must build it), then unpacked twice as two installed copies.
 *
 * - the tarball has the entry points (root, rollcall/testing, the CLI) and their types;
 * - every source map's `sources` resolve to a file inside the tarball;
 * - the exports map serves `rollcall` and `rollcall/testing`, the root exports no internals, and
 *   deep imports of internal files are refused;
 * - errors from one copy are `instanceof` the other copy's classes and match its `hasErrorCode`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** What a clean clone has that the package build needs (no dist/, no build output). */
const SOURCES = ['package.json', 'tsconfig.base.json', 'tsconfig.build.json', 'src', 'docs', 'README.md', 'LICENSE'];

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** Every file under `dir`, as paths relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path)];
  });
}

interface ErrorsModule {
  LeaseLostError: new (message: string, options: { details: { leaseId: string } }) => Error;
  LockLostError: abstract new (...args: never[]) => unknown;
  RollcallError: abstract new (...args: never[]) => unknown;
  hasErrorCode: (error: unknown, code: string) => boolean;
}

describe('the packed package', () => {
  let work: string;
  let files: string[];
  /** Two installed copies: <work>/a/node_modules/rollcall and <work>/b/node_modules/rollcall. */
  const installed = (copy: 'a' | 'b'): string => join(work, copy, 'node_modules', 'rollcall');

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'rollcall-pack-'));
    const clone = join(work, 'clone');
    mkdirSync(clone);
    for (const name of SOURCES) cpSync(join(repo, name), join(clone, name), { recursive: true });
    // The dependencies a clean clone gets from `npm ci`; also what the unpacked copies import.
    symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'), 'dir');
    symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');
    assert.equal(existsSync(join(clone, 'dist')), false);

    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: clone, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        // Show why (tsc prints its errors on stdout), not only npm's exit code.
        throw new Error(`npm pack failed:\n${String(error.stdout).slice(-4000)}\n${String(error.stderr).slice(-2000)}`, { cause: error });
      },
    );
    const [result] = JSON.parse(stdout) as PackResult[];
    assert.ok(result, 'npm pack reported no package');
    files = result.files.map((f) => f.path);
    for (const copy of ['a', 'b'] as const) {
      mkdirSync(installed(copy), { recursive: true });
      await run('tar', ['-xzf', join(work, result.filename), '-C', installed(copy), '--strip-components=1']);
    }
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the built entry points and their types (prepack builds dist/ from a clean clone)', () => {
    for (const path of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/cli/main.js',
      'package.json',
      'README.md',
      'LICENSE',
    ]) {
      assert.ok(files.includes(path), `${path} is in the tarball`);
    }
    assert.equal(files.filter((f) => f.startsWith('build')).length, 0, 'no test build output');
  });

  it("every source map's sources resolve to a file inside the tarball", () => {
    const root = installed('a');
    const maps = walk(root).filter((path) => path.endsWith('.map'));
    assert.ok(maps.length > 50, `source maps shipped (found ${maps.length})`);
    let checked = 0;
    for (const map of maps) {
      const { sources, sourceRoot = '' } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
      assert.ok(sources.length > 0, `${map} names its sources`);
      for (const source of sources) {
        const target = resolve(root, dirname(map), sourceRoot, source);
        assert.ok(target.startsWith(root + sep), `${map}: ${source} stays inside the package`);
        assert.ok(existsSync(target), `${map}: ${source} is in the tarball`);
        checked++;
      }
    }
    assert.ok(checked >= maps.length);
  });

  it('serves rollcall and rollcall/testing through the exports map, without internals', async () => {
    const probe = join(work, 'a', 'probe.mjs');
    writeFileSync(
      probe,
      [
        "const root = await import('rollcall');",
        "const testing = await import('rollcall/testing');",
        'let deep = "imported";',
        "try { await import('rollcall/dist/etcd/backoff.js'); } catch (error) { deep = error.code; }",
        'console.log(JSON.stringify({ root: Object.keys(root), testing: Object.keys(testing), deep }));',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: join(work, 'a') });
    const { root, testing, deep } = JSON.parse(stdout) as { root: string[]; testing: string[]; deep: string };
    for (const name of ['Registrar', 'Catalog', 'createPicker', 'EtcdStore', 'RollcallError', 'LeaseLostError', 'hasErrorCode']) {
      assert.ok(root.includes(name), `rollcall exports ${name}`);
    }
    for (const name of ['Backoff', 'sleep', 'withDeadline', 'translateEtcdError', 'KeepAliveChannel', 'MemoryBackend', 'resolveConnectionOptions', 'EtcdSessionState']) {
      assert.ok(!root.includes(name), `rollcall does not export ${name}`);
    }
    for (const name of ['MemoryStore', 'MemoryBackend', 'EtcdProcess', 'EtcdCluster', 'waitUntil']) {
      assert.ok(testing.includes(name), `rollcall/testing exports ${name}`);
    }
    assert.equal(deep, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('errors from one installed copy are instanceof the other copy’s classes and match its hasErrorCode', async () => {
    const load = async (copy: 'a' | 'b'): Promise<ErrorsModule> =>
      (await import(pathToFileURL(join(installed(copy), 'dist', 'index.js')).href)) as ErrorsModule;
    const a = await load('a');
    const b = await load('b');
    assert.notEqual(a.LeaseLostError, b.LeaseLostError, 'two separate copies were loaded');

    const fromA = new a.LeaseLostError('lease 1 lost', { details: { leaseId: '1' } });
    assert.ok(fromA instanceof b.LeaseLostError);
    assert.ok(fromA instanceof b.RollcallError);
    assert.ok(!(fromA instanceof b.LockLostError), 'the class brand is checked, not only the base brand');
    assert.ok(b.hasErrorCode(fromA, 'ERR_LEASE_LOST'));
    assert.ok(!b.hasErrorCode(fromA, 'ERR_LOCK_LOST'));
    assert.ok(!(new Error('plain') instanceof b.RollcallError));
    assert.ok(!b.hasErrorCode({ code: 'ERR_LEASE_LOST' }, 'ERR_LEASE_LOST'), 'a look-alike without the brand is not a rollcall error');
  });
});
