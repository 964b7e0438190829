/**
 * Runs modes of the Go interop program (test/go/interop, built by go-build.ts) from tests. Every
 * mode prints JSON lines (`{"event": ...}`); a long-running one is stopped by pid when the test
 * ends (SIGKILL if it is still running), and a short one is run to completion with a deadline.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { waitFor } from './etcd.js';

const run = promisify(execFile);

export type GoLine = Readonly<Record<string, unknown>> & { readonly event: string };

export interface GoExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningGo {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stderr: () => string;
  /** Every JSON line printed so far, in order. */
  readonly lines: () => GoLine[];
  readonly exit: () => GoExit | undefined;
  /** Resolves with the first line matching `match` (bounded); rejects early if the program exits. */
  waitForLine(match: (line: GoLine) => boolean, what: string, timeoutMs?: number): Promise<GoLine>;
  /** Sends `signal` and waits for the exit (bounded). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<GoExit>;
}

/** Starts `binary mode ...args`; killed by pid when `t` ends if still running. */
export function startGo(t: TestContext, binary: string, mode: string, args: readonly string[]): RunningGo {
  const child = spawn(binary, [mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exit: GoExit | undefined;
  const parsed: GoLine[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const complete = stdout.lastIndexOf('\n');
    if (complete < 0) return;
    for (const text of stdout.slice(0, complete).split('\n')) if (text !== '') parsed.push(parseLine(text));
    stdout = stdout.slice(complete + 1);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('exit', (code, signal) => (exit = { code, signal }));
  t.after(() => {
    if (exit === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
  const label = `interop ${mode}`;
  const running: RunningGo = {
    child,
    pid: child.pid ?? -1,
    stderr: () => stderr,
    lines: () => parsed,
    exit: () => exit,
    async waitForLine(match, what, timeoutMs = 15_000) {
      const found = await waitFor(
        () => {
          const line = parsed.find(match);
          return line !== undefined ? { line } : exit !== undefined ? { line: undefined } : undefined;
        },
        { timeoutMs, message: `${label} to print ${what}` },
      );
      if (found.line === undefined) throw new Error(`${label} exited ${JSON.stringify(exit)} before printing ${what}; stderr:\n${stderr.slice(-2000)}`);
      return found.line;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exit === undefined) process.kill(running.pid, signal);
      return waitFor(() => exit, { timeoutMs, message: `${label} to exit after ${signal}` });
    },
  };
  return running;
}

/** Runs a short mode (list, add) to completion; rejects with its stderr when it fails. */
export async function runGo(binary: string, mode: string, args: readonly string[], timeoutMs = 15_000): Promise<GoLine[]> {
  const { stdout } = await run(binary, [mode, ...args], { timeout: timeoutMs });
  return stdout.split('\n').filter((text) => text !== '').map(parseLine);
}

function parseLine(text: string): GoLine {
  try {
    return JSON.parse(text) as GoLine;
  } catch {
    return { event: 'unparsed', text };
  }
}
