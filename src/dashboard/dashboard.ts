/**
 * createDashboard(): a Node request handler serving rollcall's dashboard (docs/dashboard.md) over
 * a Catalog and an etcd connection, for `rollcall dashboard`, `rollcall demo`, or mounting in an
 * application's own HTTP server.
 *
 * Security model: the front end renders everything from etcd as text; every answer carries a
 * strict Content-Security-Policy; with a `token`, every API route needs it in the
 * `X-Rollcall-Token` header (a header, never a cookie: a cross-site page cannot send it, so
 * there is nothing to forge); write routes exist only with `allowWrites` (404 otherwise) and
 * always need the token (401 otherwise).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Catalog } from '../discovery/index.js';
import { EtcdConnection, type ClientSource } from '../etcd/index.js';
import { InvalidConfigError, RollcallError } from '../errors.js';
import { ClusterProbe } from './cluster-api.js';
import { EventHub } from './event-hub.js';
import { hasToken, HttpError, readJsonBody, securityHeaders, sendError, sendJson } from './http-util.js';
import { deleteKey, deletePrefix, listKeys, putKey, setInstanceStatus } from './kv-api.js';
import { describeService, listServices } from './services-api.js';
import { serveEvents, serveKeyWatch } from './sse.js';
import { loadStaticFiles } from './static-files.js';

export interface DashboardOptions extends ClientSource {
  /** The catalog whose services and instances the dashboard shows. The dashboard never closes it. */
  catalog: Catalog;
  /** Needed (in the X-Rollcall-Token header) by every API route and /metrics when set; required with allowWrites. */
  token?: string;
  /** Adds the write routes (put, delete, delete-prefix, drain, undrain). Default false: they answer 404. */
  allowWrites?: boolean;
  /**
   * Where /metrics reads from. Default: a Registry of the dashboard's own with rollcall's metrics
   * (rollcall/metrics) counting `catalog`; `false` turns /metrics off (404). Needs prom-client.
   */
  metrics?: Registry | false;
  /** When given, requests whose Host header is not in this list get 421 (guards a loopback dashboard from DNS rebinding). */
  allowedHosts?: readonly string[];
}

export interface Dashboard {
  /** The request handler, for `http.createServer(dashboard.handler)` or a route of your own server. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Ends the dashboard's own etcd connections, event streams and metrics. The catalog stays open. */
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void> | void;

export async function createDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { catalog, token, allowWrites = false, metrics, allowedHosts, ...source } = options;
  if (catalog === undefined || catalog === null) throw new InvalidConfigError('createDashboard() needs a catalog');
  if (token !== undefined && token.length < 8) throw new InvalidConfigError('the dashboard token must be at least 8 characters');
  if (allowWrites && token === undefined) throw new InvalidConfigError('allowWrites needs a token: every write must carry it');
  const conn = EtcdConnection.create(source);
  const hub = new EventHub(catalog);
  const cluster = new ClusterProbe(conn, source);
  const staticFile = loadStaticFiles();
  const scrape = await metricsSource(catalog, metrics);

  const reads: Array<[string, RegExp, Route]> = [
    ['GET', /^\/api\/services$/, (_q, res) => sendJson(res, 200, { prefix: catalog.prefix, stale: catalog.isStale, services: listServices(catalog, hub) })],
    ['GET', /^\/api\/services\/([^/]+)$/, async (_q, res, _u, [name]) => sendJson(res, 200, await describeService(catalog, hub, conn, name as string))],
    ['GET', /^\/api\/kv$/, async (_q, res, url) => sendJson(res, 200, await listKeys(conn, url.searchParams.get('prefix') ?? ''))],
    ['GET', /^\/api\/kv\/events$/, (req, res, url) => serveKeyWatch(req, res, conn, url.searchParams.get('prefix') ?? '')],
    ['GET', /^\/api\/cluster$/, async (_q, res) => sendJson(res, 200, await cluster.view())],
    ['GET', /^\/api\/events$/, (req, res) => serveEvents(req, res, hub)],
    ['GET', /^\/metrics$/, async (_q, res) => {
      if (scrape === undefined) throw new HttpError(404, 'metrics are turned off');
      if ('missing' in scrape) throw new HttpError(501, scrape.missing);
      const text = await scrape.registry.metrics();
      res.writeHead(200, { 'Content-Type': scrape.registry.contentType, 'Cache-Control': 'no-store' });
      res.end(text);
    }],
  ];
  const writes: Array<[string, RegExp, Route]> = [
    ['POST', /^\/api\/kv$/, async (req, res) => sendJson(res, 200, await putKey(conn, await readJsonBody(req)))],
    ['DELETE', /^\/api\/kv$/, async (_q, res, url) => {
      const prefix = url.searchParams.get('prefix');
      if (prefix !== null) sendJson(res, 200, await deletePrefix(conn, prefix, url.searchParams.get('confirm')));
      else sendJson(res, 200, await deleteKey(conn, url.searchParams.get('key') ?? ''));
    }],
    ['POST', /^\/api\/services\/([^/]+)\/([^/]+)\/(drain|undrain)$/, async (_q, res, _u, [service, id, action]) =>
      sendJson(res, 200, await setInstanceStatus(conn, catalog.prefix, service as string, id as string, action === 'drain' ? 'draining' : 'up'))],
  ];

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res);
    if (allowedHosts !== undefined && !allowedHosts.includes(req.headers.host ?? '')) throw new HttpError(421, `unexpected Host header ${JSON.stringify(req.headers.host ?? '')}`);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const file = staticFile(path);
    if (file !== undefined && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length, 'Cache-Control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/healthz' && method === 'GET') {
      sendJson(res, catalog.isStale ? 503 : 200, { ok: !catalog.isStale, stale: catalog.isStale, lastContact: catalog.lastContact });
      return;
    }
    if (path === '/api/config' && method === 'GET') {
      sendJson(res, 200, { prefix: catalog.prefix, allowWrites, tokenRequired: token !== undefined });
      return;
    }
    const write = writes.find(([m, pattern]) => m === method && pattern.test(path));
    if (write !== undefined && !allowWrites) throw new HttpError(404, 'not found (writes are off: start the dashboard with --allow-writes)');
    const read = reads.find(([m, pattern]) => m === method && pattern.test(path));
    const found = write ?? read;
    if (found === undefined) {
      const known = [...reads, ...writes].some(([, pattern]) => pattern.test(path));
      throw new HttpError(known ? 405 : 404, known ? `${method} is not allowed here` : 'not found');
    }
    if (token !== undefined && !hasToken(req, token)) throw new HttpError(401, 'missing or wrong token (X-Rollcall-Token header)');
    const params = (found[1].exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
    await found[2](req, res, url, params);
  };

  return {
    handler(req, res) {
      route(req, res).catch((error: unknown) => sendError(res, statusOf(error), error instanceof Error ? error.message : String(error)));
    },
    async close() {
      hub.close();
      cluster.close();
      if (scrape !== undefined && 'registry' in scrape) scrape.close?.();
      conn.close();
    },
  };
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof URIError) return 400;
  if (error instanceof RollcallError) {
    if (error.code === 'ERR_INVALID_NAME' || error.code === 'ERR_INVALID_CONFIG' || error.code === 'ERR_MALFORMED_VALUE') return 400;
    if (error.code === 'ERR_KEY_NOT_FOUND') return 404;
    if (error.code.startsWith('ERR_ETCD') || error.code === 'ERR_LEASE_NOT_FOUND') return 502;
  }
  return 500;
}

type MetricsSource = { registry: Registry; close?: () => void } | { missing: string } | undefined;

/** rollcall/metrics on a registry of the dashboard's own, loaded only now: prom-client is an optional peer. */
async function metricsSource(catalog: Catalog, metrics: Registry | false | undefined): Promise<MetricsSource> {
  if (metrics === false) return undefined;
  if (metrics !== undefined) return { registry: metrics };
  try {
    const [{ Registry: RegistryClass }, { registerRollcallMetrics }] = await Promise.all([import('prom-client'), import('../metrics/index.js')]);
    const registry = new RegistryClass();
    const handle = registerRollcallMetrics({ registry, catalogs: [catalog] });
    return { registry, close: () => handle.close() };
  } catch (error) {
    return { missing: `metrics need the prom-client package (npm install prom-client): ${error instanceof Error ? error.message : String(error)}` };
  }
}
