/**
 * The front end: a few static files (HTML, a handful of ES modules, one stylesheet), read once
 * and served from memory. The package ships src/dashboard/static, and `npm run build` also copies
 * it next to the compiled handler (dist/dashboard/static) so that dist/ stands on its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/dom.js': 'dom.js',
  '/net.js': 'net.js',
  '/view-services.js': 'view-services.js',
  '/view-keys.js': 'view-keys.js',
  '/view-cluster.js': 'view-cluster.js',
  '/app.css': 'app.css',
};

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * The directory holding index.html: src/dashboard/static of the package (walking up from this
 * module; the package ships src/), else the copy beside this module. The sources win so that a
 * build without the copy step (plain tsc) never serves an older copy.
 */
export function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; ) {
    const candidate = join(dir, 'src', 'dashboard', 'static');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const beside = join(here, 'static');
  if (existsSync(join(beside, 'index.html'))) return beside;
  throw new Error(`the dashboard's static files are missing (looked for src/dashboard/static above ${here}, and in ${beside})`);
}

/** Reads every front-end file once; `find(path)` then answers from memory. */
export function loadStaticFiles(dir = staticDir()): (path: string) => StaticFile | undefined {
  const loaded = new Map<string, StaticFile>();
  for (const [route, file] of Object.entries(FILES)) {
    const ext = file.slice(file.lastIndexOf('.') + 1);
    loaded.set(route, { body: readFileSync(join(dir, file)), type: TYPES[ext] ?? 'application/octet-stream' });
  }
  return (path) => loaded.get(path);
}
