/**
 * A bench child process (consumer-child.ts, registrar-child.ts) driven over IPC: started, waited
 * for until it says {ready}, asked for the `added` report of one key, stopped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** What a child reports of one key: when its event was emitted, and (with stage timing) when etcd's message arrived. */
export interface ChildReport {
  readonly at: number;
  readonly receivedAt?: number;
}

interface ChildMessage {
  ready?: boolean;
  event?: 'added' | 'removed';
  key?: string;
  at?: number;
  receivedAt?: number;
}

export interface BenchChild {
  readonly child: ChildProcess;
  /** The child's `added` report of `key` (already arrived, or the next one). */
  added(key: string): Promise<ChildReport>;
}

export async function startChild(url: URL, args: string[]): Promise<BenchChild> {
  const child = fork(url, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (report: ChildReport) => void>();
  const arrived = new Map<string, ChildReport>();
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench child ${url.pathname} exited with ${code}`)));
    child.on('message', (message: ChildMessage) => {
      if (message.ready) resolve();
      if (message.event !== 'added' || message.key === undefined || message.at === undefined) return;
      const report: ChildReport = message.receivedAt === undefined ? { at: message.at } : { at: message.at, receivedAt: message.receivedAt };
      const waiter = waiting.get(message.key);
      waiting.delete(message.key);
      if (waiter) waiter(report);
      else arrived.set(message.key, report);
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const added = (key: string): Promise<ChildReport> => {
    const report = arrived.get(key);
    arrived.delete(key);
    if (report !== undefined) return Promise.resolve(report);
    return new Promise((resolve) => waiting.set(key, resolve));
  };
  return { child, added };
}

/** Disconnects (the children exit on it) and waits for the exit; SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
