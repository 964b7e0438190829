/**
 * Server-Sent Events: `/api/events` streams the catalog's events, each with an `id:`, so a client
 * that reconnects with `Last-Event-ID` gets exactly what it missed (or a `reset` event when the
 * hub no longer holds it, meaning "reload"); `/api/kv/events?prefix=` streams etcd's watch on one
 * prefix for the keys view. A comment line every 15 s keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EtcdConnection } from '../etcd/index.js';
import type { DashboardEvent, EventHub } from './event-hub.js';

const HEARTBEAT_MS = 15_000;

function openStream(req: IncomingMessage, res: ServerResponse, onClose: () => void): (text: string) => void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write('retry: 1000\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = (): void => {
    clearInterval(heartbeat);
    onClose();
  };
  req.once('close', close);
  res.once('close', close);
  return (text) => {
    if (!res.writableEnded && !res.destroyed) res.write(text);
  };
}

function frame(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** `/api/events`: replays what followed Last-Event-ID, then streams live events. */
export function serveEvents(req: IncomingMessage, res: ServerResponse, hub: EventHub): void {
  const header = req.headers['last-event-id'];
  const lastId = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
  const listener = (event: DashboardEvent): void => write(frame('catalog', event, event.id));
  const write = openStream(req, res, () => hub.off('event', listener));
  if (lastId !== undefined) {
    const missed = hub.since(lastId);
    if (missed === undefined) write(frame('reset', { lastId: hub.lastId }, hub.lastId));
    else for (const event of missed) write(frame('catalog', event, event.id));
  } else {
    // A fresh client starts from now: tell it where "now" is, so a reconnect resumes from here.
    write(frame('hello', { lastId: hub.lastId }, hub.lastId));
  }
  hub.on('event', listener);
}

/** `/api/kv/events?prefix=`: one `kv` event per put or delete under the prefix. */
export async function serveKeyWatch(req: IncomingMessage, res: ServerResponse, conn: EtcdConnection, prefix: string): Promise<void> {
  const builder = prefix === '' ? conn.client.watch().inRange({ start: Buffer.from([0]), end: Buffer.from([0]) }) : conn.client.watch().prefix(prefix);
  const watcher = await builder.create();
  if (res.destroyed || req.socket.destroyed) {
    // The browser left while the watch was being created.
    await watcher.cancel();
    return;
  }
  const write = openStream(req, res, () => void watcher.cancel().catch(() => undefined));
  watcher.on('put', (kv) => write(frame('kv', { type: 'put', key: kv.key.toString('utf8'), modRevision: Number(kv.mod_revision) })));
  watcher.on('delete', (kv) => write(frame('kv', { type: 'delete', key: kv.key.toString('utf8'), modRevision: Number(kv.mod_revision) })));
  watcher.on('error', (error: Error) => write(frame('error', { message: error.message })));
}
