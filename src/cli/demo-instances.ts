/**
 * The demo's service instances: each one a child process running this CLI's own
 * `rollcall register` (process.execPath + dist/cli/main.js), so the demo shows exactly what a
 * user gets from the command. Every child carries `--meta demo=<marker>` on its command line, so
 * `pgrep -f <marker>` finds any that outlived the demo (none should). Children still running when
 * the process exits, however it exits, are SIGKILLed by an exit hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

export interface DemoInstanceSpec {
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly weight: number;
  readonly zone: string;
}

/** The CLI entry point next to this file (dist/cli/main.js, or build/src/cli/main.js in tests). */
const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export class DemoInstance {
  readonly spec: DemoInstanceSpec;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly registeredLine: Promise<void>;
  private readonly stderr: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(spec: DemoInstanceSpec, args: readonly string[]) {
    installExitHook();
    this.spec = spec;
    this.child = spawn(process.execPath, [CLI_MAIN, 'register', spec.service, spec.address, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this.child);
        resolve();
      });
      this.child.once('error', () => {
        running.delete(this.child);
        resolve();
      });
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(...chunk.toString().split('\n').filter(Boolean)));
    const stdout = this.child.stdout;
    this.registeredLine = new Promise((resolve) => {
      if (stdout === null) return;
      createInterface({ input: stdout }).on('line', (line) => {
        if (line.includes('"event":"registered"')) resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the child printed its `registered` line; rejects if it exits first or takes too long. */
  async waitRegistered(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const done = new AbortController();
    const name = `${this.spec.service}/${this.spec.id}`;
    const failed = this.exited.then(() => {
      throw new Error(`instance ${name} exited before registering: ${this.stderr.slice(-3).join(' | ')}`);
    });
    const late = delay(timeoutMs, undefined, { signal: AbortSignal.any([signal, done.signal]) }).then(() => {
      throw new Error(`instance ${name} did not register within ${timeoutMs} ms`);
    });
    failed.catch(() => undefined);
    late.catch(() => undefined);
    try {
      await Promise.race([this.registeredLine, failed, late]);
    } finally {
      done.abort();
    }
  }

  /** Sends `signal` to the child (no-op once it has exited). */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM (a clean deregistration), SIGKILL after `graceMs`; resolves once the child is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves once the child has exited. */
  whenExited(): Promise<void> {
    return this.exited;
  }
}
