/**
 * `handleSignals: true`: one process-wide SIGINT/SIGTERM handler shared by every Registrar that
 * asked for it, so that several registrars drain and close together and the signal is re-sent only
 * once, after all of them are done.
 *
 * On the first signal: every participant drains (status `draining`), waits its `drainMs`, then
 * closes (status `leaving`, lease revoked). A second signal during the wait cuts the wait short.
 * When all are done, rollcall removes its handlers and sends the same signal to its own process
 * with `process.kill(process.pid, signal)`. With no other listener for that signal, Node's default
 * action runs (the process ends, killed by that signal, as if rollcall had not been there); if the
 * application has its own listeners, they receive it and decide. rollcall never ends the process itself.
 */
import { debuglog } from 'node:util';

const trace = debuglog('rollcall:registrar');

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];

export interface SignalParticipant {
  /** Drains, waits (until `skipWait` aborts), closes. Must not reject. */
  shutdownOnSignal(signal: ShutdownSignal, skipWait: AbortSignal): Promise<void>;
}

class SignalShutdown {
  private readonly participants = new Set<SignalParticipant>();
  private installed = false;
  private running: AbortController | undefined;
  private readonly handlers = new Map<ShutdownSignal, () => void>(SIGNALS.map((s) => [s, () => this.onSignal(s)]));

  add(participant: SignalParticipant): void {
    this.participants.add(participant);
    if (this.installed) return;
    this.installed = true;
    for (const [signal, handler] of this.handlers) process.on(signal, handler);
    trace('signal handlers installed for %s', SIGNALS.join(', '));
  }

  /** A registrar closed by the application no longer takes part; the last one out removes the handlers. */
  remove(participant: SignalParticipant): void {
    this.participants.delete(participant);
    if (this.participants.size === 0 && !this.running) this.uninstall();
  }

  private uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    trace('signal handlers removed');
  }

  private onSignal(signal: ShutdownSignal): void {
    if (this.running) {
      trace('%s again: skipping the rest of the drain wait', signal);
      this.running.abort();
      return;
    }
    const skipWait = new AbortController();
    this.running = skipWait;
    const participants = [...this.participants];
    trace('%s: draining and closing %d registrar(s)', signal, participants.length);
    void Promise.allSettled(participants.map((p) => p.shutdownOnSignal(signal, skipWait.signal))).then(() => {
      this.running = undefined;
      this.participants.clear();
      this.uninstall();
      trace('re-sending %s to process %d', signal, process.pid);
      process.kill(process.pid, signal);
    });
  }
}

/** The one coordinator per process (per copy of this module). */
export const signalShutdown = new SignalShutdown();
