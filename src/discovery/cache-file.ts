/**
 * The catalog's cache file: the key-values of every live instance, so that a consumer that
 * starts while etcd is down can still answer. Each value is the instance re-encoded in rollcall's
 * stored form (base64), from what the catalog keeps: the catalog keeps no value bytes (they would
 * cost more memory than the decoded instance), and the codec decodes the re-encoded form back to
 * the same instance, whatever form etcd held. Decoded by the codec on load, like any value read
 * from etcd. Key, lease and revisions are etcd's; `version` (etcd's per-key write count) is not
 * kept by the catalog and is written as 0.
 *
 * Writes are atomic (a temporary file in the same directory, then rename) and debounced; one
 * write runs at a time, and the last state always gets written. A failed write is reported
 * through `onError` and retried on the next change.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { encodeInstanceValue, type Instance } from '../codec/index.js';
import { CacheFileError } from '../errors.js';
import type { WatchedKV } from '../watch/index.js';

const FORMAT = 'rollcall-catalog-cache';
const VERSION = 1;

export interface CacheContents {
  /** The catalog's key prefix; a file written for another prefix is refused. */
  readonly prefix: string;
  /** When etcd last answered before the file was written (ms since epoch). */
  readonly lastContact: number;
  readonly savedAt: number;
  readonly kvs: readonly WatchedKV[];
}

interface StoredKV {
  key: string;
  value: string;
  lease: string;
  modRevision: number;
  createRevision: number;
  version: number;
}

/** `instance` as a cache file entry. */
export function instanceKV(instance: Instance): WatchedKV {
  return {
    key: instance.key,
    value: Buffer.from(encodeInstanceValue(instance)),
    lease: instance.lease,
    modRevision: instance.modRevision,
    createRevision: instance.createRevision,
    version: 0,
  };
}

export function serializeCache(contents: CacheContents): string {
  const kvs: StoredKV[] = contents.kvs.map((kv) => ({
    key: kv.key,
    value: kv.value.toString('base64'),
    lease: kv.lease,
    modRevision: kv.modRevision,
    createRevision: kv.createRevision,
    version: kv.version,
  }));
  return `${JSON.stringify({ format: FORMAT, version: VERSION, prefix: contents.prefix, lastContact: contents.lastContact, savedAt: contents.savedAt, kvs })}\n`;
}

/** Reads and checks a cache file. Throws CacheFileError (missing, unreadable, not a cache, other prefix). */
export async function readCacheFile(path: string, prefix: string): Promise<CacheContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CacheFileError(`cannot read cache file ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause, details: { path } });
  }
  const fail = (reason: string, cause?: unknown): never => {
    throw new CacheFileError(`cache file ${path} is not usable: ${reason}`, { cause, details: { path, reason } });
  };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    return fail('not JSON', cause);
  }
  if (!isRecord(body) || body['format'] !== FORMAT) return fail(`not a ${FORMAT} file`);
  if (body['version'] !== VERSION) return fail(`version ${String(body['version'])} is not ${VERSION}`);
  if (body['prefix'] !== prefix) return fail(`written for prefix ${JSON.stringify(body['prefix'])}, not ${JSON.stringify(prefix)}`);
  const { lastContact, savedAt, kvs } = body;
  if (typeof lastContact !== 'number' || typeof savedAt !== 'number' || !Array.isArray(kvs)) return fail('missing lastContact, savedAt or kvs');
  const out: WatchedKV[] = [];
  for (const raw of kvs) {
    if (
      !isRecord(raw) ||
      typeof raw['key'] !== 'string' ||
      typeof raw['value'] !== 'string' ||
      typeof raw['lease'] !== 'string' ||
      typeof raw['modRevision'] !== 'number' ||
      typeof raw['createRevision'] !== 'number' ||
      typeof raw['version'] !== 'number'
    ) {
      return fail('an entry lacks key, value, lease or revisions');
    }
    out.push({
      key: raw['key'],
      value: Buffer.from(raw['value'], 'base64'),
      lease: raw['lease'],
      modRevision: raw['modRevision'],
      createRevision: raw['createRevision'],
      version: raw['version'],
    });
  }
  return { prefix, lastContact, savedAt, kvs: out };
}

/** Writes `data` to `path` atomically: a sibling temporary file, then rename over the target. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode: 0o644, flush: true });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined); // the temp file may not exist; the write error is what matters
    throw error;
  }
}

export class CacheWriter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly delayMs: number,
    private readonly contents: () => CacheContents,
    private readonly onError: (error: CacheFileError) => void,
  ) {}

  /** Asks for a write within `delayMs`; calls within that time share one write. */
  schedule(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer !== undefined || this.running !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes now if anything changed since the last write; resolves when done. Never rejects. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    if (!this.dirty) return;
    this.dirty = false;
    let ok = true;
    this.running = this.write()
      .then(
        (written) => {
          ok = written;
        },
        () => {
          ok = false; // only if onError threw: write() itself never rejects
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
    if (!ok) this.dirty = true; // written again on the next change, not in a loop
    // Changes that arrived during the write get their own (debounced) write.
    else if (this.dirty && !this.closed) this.schedule();
  }

  /** Writes what is pending (unless `discard`), then accepts no more. */
  async close(options: { discard?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (options.discard === true) this.dirty = false;
    await this.flush();
  }

  /** True when written; a failure goes to onError. Never rejects. */
  private async write(): Promise<boolean> {
    try {
      await writeFileAtomic(this.path, serializeCache(this.contents()));
      return true;
    } catch (cause) {
      this.onError(new CacheFileError(`cannot write cache file ${this.path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause, details: { path: this.path } }));
      return false;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
