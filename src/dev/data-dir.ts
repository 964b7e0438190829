/**
 * Where throwaway etcds keep their data. Every temp dir starts with DATA_DIR_MARKER so a leak is
 * easy to find (`ls /dev/shm/rollcall-etcd-*`, `pgrep -fa rollcall-etcd-`).
 *
 * /dev/shm (RAM) makes etcd's fsyncs cheap, but etcd 3.4 preallocates two 64 MB WAL segments
 * per member, about 125 MB of RAM each. Docker gives containers a 64 MB /dev/shm by default,
 * so we only use it when it has room for several members; otherwise os.tmpdir().
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Prefix of every temp data dir the harness creates. */
export const DATA_DIR_MARKER = 'rollcall-etcd-';

const SHM = '/dev/shm';
/** Room for a 3-node cluster plus a couple of single nodes, with margin. */
const SHM_MIN_FREE_BYTES = 1024 * 1024 * 1024;

function shmUsable(): boolean {
  try {
    if (!statSync(SHM).isDirectory()) return false;
    accessSync(SHM, constants.W_OK);
    const fs = statfsSync(SHM);
    return fs.bavail * fs.bsize >= SHM_MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/** The folder temp data dirs go in: /dev/shm when usable (see above), else os.tmpdir(). */
export function tempBase(): string {
  return shmUsable() ? SHM : tmpdir();
}

/** A new, empty, 0700 temp dir named rollcall-etcd-XXXXXX. */
export function makeTempDataDir(): string {
  return mkdtempSync(join(tempBase(), DATA_DIR_MARKER));
}

/** Creates `dir` (0700, as etcd recommends) if it does not exist. */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Removes `dir` and everything in it; no error when it is already gone. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Empties `dir` (removes and recreates it), for restart({ wipeData: true }). */
export function wipeDir(dir: string): void {
  removeDir(dir);
  ensureDir(dir);
}
