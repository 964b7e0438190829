/**
 * SIGINT/SIGTERM as an AbortSignal, for the commands that run until interrupted (register, watch,
 * kv watch, lease keep-alive, lock, demo). While one is armed, the signals do not kill the
 * process: the command sees `signal.aborted`, cleans up, and returns normally (exit code 0 unless
 * it says otherwise). `dispose()` restores Node's default behaviour.
 */

export interface StopSignal {
  readonly signal: AbortSignal;
  /** Which signal ended the command, once one arrived. */
  readonly received: NodeJS.Signals | undefined;
  /** Resolves with the signal name when SIGINT or SIGTERM arrives. */
  readonly stopped: Promise<NodeJS.Signals>;
  dispose(): void;
}

export function armStopSignal(): StopSignal {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let resolveStopped: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) return;
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
    resolveStopped(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    stopped,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Resolves when `signal` aborts (at once if it already has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
