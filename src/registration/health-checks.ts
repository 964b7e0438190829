/**
 * Ready-made health checks for `register({ healthCheck })`, with the semantics of Consul's agent
 * checks, so a service that is not written in Node can be registered with a check
 * (`rollcall register --health-http URL` / `--health-cmd CMD`):
 *
 * - httpHealthCheck(url): a GET; any 2xx answer is passing, anything else (another status, a
 *   refused connection, no answer before the deadline) is failing. Redirects are followed.
 * - commandHealthCheck(cmd): `/bin/sh -c cmd` in its own process group; exit code 0 is passing,
 *   any other exit is failing. At the deadline (or when the registration ends) the whole group is
 *   SIGKILLed, and it is killed after a normal exit too, so nothing the check started is left
 *   running.
 *
 * Both throw HealthCheckError saying why they fail; runHealthCheck() bounds them by the
 * registration's `healthTimeoutMs` and aborts their signal then.
 */
import { spawn } from 'node:child_process';
import { HealthCheckError } from '../errors.js';
import type { HealthCheck } from './health-monitor.js';

/** Bytes of a failing command's stderr kept for the message. */
const STDERR_TAIL = 300;

export function httpHealthCheck(url: string): HealthCheck {
  return async (signal) => {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow', headers: { 'user-agent': 'rollcall-health-check' } });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new HealthCheckError(`GET ${url} failed: ${describeFetchError(error)}`, { cause: error });
    }
    // The body is not needed; cancelling it frees the connection at once.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return true;
    throw new HealthCheckError(`GET ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  };
}

export function commandHealthCheck(command: string): HealthCheck {
  return (signal) =>
    new Promise<boolean>((resolve, reject) => {
      signal.throwIfAborted();
      const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
      });
      const killGroup = (): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      };
      const onAbort = (): void => {
        killGroup();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(new HealthCheckError(`health command \`${command}\` could not start: ${error.message}`, { cause: error }));
      });
      child.once('close', (code, exitSignal) => {
        signal.removeEventListener('abort', onAbort);
        killGroup(); // anything the command left in the background
        if (code === 0) {
          resolve(true);
          return;
        }
        const how = code === null ? `was killed by ${String(exitSignal)}` : `exited with code ${code}`;
        const said = stderr.trim().split('\n').at(-1)?.trim();
        reject(new HealthCheckError(`health command \`${command}\` ${how}${said ? `: ${said}` : ''}`));
      });
    });
}

function describeFetchError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
