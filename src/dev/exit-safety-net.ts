/**
 * Last line of defence against leaked etcds: when this Node process exits (normally, by
 * process.exit, or after an uncaught error) every etcd still tracked here is SIGKILLed and its
 * temp data dir removed, synchronously, because nothing async runs in an 'exit' handler.
 *
 * A signal (SIGINT, SIGTERM, SIGHUP) kills Node without an 'exit' event, also inside node --test.
 * reapOnSignals() covers that; it is opt-in because an application such as `rollcall etcd`
 * handles its own signals. Nothing helps when this process is SIGKILLed.
 */

/** Something that can kill its own process and remove its own files without awaiting. */
export interface Reapable {
  reapSync(): void;
}

const live = new Set<Reapable>();
let installed = false;

/** Starts tracking `item` until untrack(); installs the process 'exit' hook on first use. */
export function track(item: Reapable): void {
  live.add(item);
  if (!installed) {
    installed = true;
    process.on('exit', reapAllSync);
  }
}

export function untrack(item: Reapable): void {
  live.delete(item);
}

/** Kills every tracked etcd and removes its temp dir, synchronously. Safe to call twice. */
export function reapAllSync(): void {
  for (const item of [...live]) {
    try {
      item.reapSync();
    } catch {
      // Best effort: one failure must not stop the others from being reaped.
    }
    live.delete(item);
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let signalsInstalled = false;

/**
 * On SIGINT, SIGTERM or SIGHUP: reap every tracked etcd, then, if nobody else listens for that
 * signal, re-raise it so the process dies the way it would have. For test processes.
 */
export function reapOnSignals(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    reapAllSync();
    for (const s of SIGNALS) process.off(s, onSignal);
    signalsInstalled = false;
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}
