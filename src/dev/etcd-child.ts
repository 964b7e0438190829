/**
 * One spawned etcd OS process: its pid, whether it still runs, the last lines of its stderr, and
 * signalling it. EtcdProcess makes a new one for every (re)start; this class knows nothing of
 * ports, data dirs or health.
 */
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How many stderr lines we keep for error messages. */
const TAIL_LINES = 40;

export class EtcdChild {
  /** OS pid, or -1 when the spawn itself failed (then `exited` is already settled). */
  readonly pid: number;
  /** Settles once the process has exited (or failed to spawn). Never rejects. */
  readonly exited: Promise<ChildExit>;
  /** Settles once stderr is drained too, so the tail holds etcd's last words. */
  readonly drained: Promise<void>;

  private readonly tail: string[] = [];
  private isAlive: boolean;

  constructor(binary: string, args: readonly string[], onExit: (exit: ChildExit) => void) {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.pid = child.pid ?? -1;
    this.isAlive = child.pid !== undefined;

    let pending = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      this.remember(lines);
    });
    this.drained = new Promise((resolve) => child.once('close', () => resolve()));
    this.exited = new Promise((resolve) => {
      // 'error' without a pid is a failed spawn (ENOENT, EACCES): no 'exit' will follow.
      child.on('error', (error) => {
        this.remember([`spawn ${binary}: ${error.message}`]);
        if (child.pid === undefined) resolve({ code: null, signal: null });
      });
      child.once('exit', (code, signal) => {
        this.isAlive = false;
        if (pending !== '') this.remember([pending]);
        pending = '';
        resolve({ code, signal });
      });
    });
    void this.exited.then(onExit);
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.isAlive;
  }

  /** The last lines etcd wrote to stderr, oldest first. */
  stderrTail(): string[] {
    return [...this.tail];
  }

  /** Sends `signal`; a process that already exited is silently skipped. */
  signal(signal: NodeJS.Signals): void {
    // Never signal pid -1: process.kill(-1) would hit every process we are allowed to signal.
    if (!this.isAlive || this.pid <= 0) return;
    try {
      process.kill(this.pid, signal);
    } catch (error) {
      // ESRCH: it exited and the 'exit' event is on its way.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Resolves true once the process has exited, false if it still runs after `ms`. */
  async waitExit(ms: number): Promise<boolean> {
    if (!this.isAlive) return true;
    const timer = new AbortController();
    const exited = await Promise.race([
      this.exited.then(() => true),
      delay(ms, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    return exited;
  }

  private remember(lines: readonly string[]): void {
    for (const line of lines) if (line.trim() !== '') this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
  }
}
