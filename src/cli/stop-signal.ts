/**
 * SIGINT/SIGTERM as an AbortSignal, for the commands that run until interrupted (register, watch,
 * kv watch, lease keep-alive, lock, demo, etcd). While one is armed, the signals do not kill the
 * process: the command sees `signal.aborted`, cleans up, and returns normally (exit code 0 unless
 * it says otherwise). `dispose()` stops listening.
 *
 * A signal can arrive before a command has armed its StopSignal: while Node loads the etcd client
 * (a few hundred ms) or while the command opens its connection. main.ts therefore calls
 * captureStartupSignals() as its very first statement, before the heavy imports; for a
 * long-running command a signal that arrives then is remembered, and armStopSignal() delivers it
 * at once, so the command undoes whatever it had started and exits as documented. This module
 * imports nothing, so it is loaded before anything with side effects.
 */

export interface StopSignal {
  readonly signal: AbortSignal;
  /** Which signal ended the command, once one arrived. */
  readonly received: NodeJS.Signals | undefined;
  /** Resolves with the signal name when SIGINT or SIGTERM arrives. */
  readonly stopped: Promise<NodeJS.Signals>;
  /**
   * Calls `listener` for every further SIGINT/SIGTERM after the first (a second Ctrl-C while the
   * command cleans up). Returns a function that unsubscribes.
   */
  onRepeat(listener: (signal: NodeJS.Signals) => void): () => void;
  dispose(): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The commands that document a clean exit on SIGINT/SIGTERM, as the words that name them on the
 * command line. Every other command keeps Node's default: a signal ends it at once (exit 128+n).
 */
const LONG_RUNNING = new Set(['register', 'watch', 'lock', 'demo', 'dashboard', 'etcd', 'kv watch', 'lease keep-alive']);
const WITH_SUBCOMMAND = new Set(['kv', 'lease']);
/** Program options that take a value (`rollcall --endpoints URL watch`): their value is not a command word. */
const PROGRAM_VALUE_OPTIONS = new Set(['--endpoints', '--cacert', '--cert', '--key', '--user', '--timeout', '--prefix']);

/** `register`, `kv watch`, …: the command named by `argv` (process.argv form), or '' when none. */
export function commandOf(argv: readonly string[]): string {
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (words.length === 0 && PROGRAM_VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    words.push(arg);
    if (words.length === 2 || !WITH_SUBCOMMAND.has(arg)) break;
  }
  return words.join(' ');
}

/** Whether `argv` runs a command that handles SIGINT/SIGTERM itself (see LONG_RUNNING). */
export function isLongRunning(argv: readonly string[]): boolean {
  return LONG_RUNNING.has(commandOf(argv));
}

interface StartupCapture {
  /** The first signal that arrived, if any. */
  first: NodeJS.Signals | undefined;
  /** Whether an armed StopSignal took that signal over. */
  claimed: boolean;
  readonly onSignal: (signal: NodeJS.Signals) => void;
}

let startup: StartupCapture | undefined;

/**
 * Installs SIGINT/SIGTERM listeners right away when `argv` names a long-running command, so that
 * a signal arriving before the command arms its StopSignal is remembered instead of killing the
 * process halfway through its start-up. The listeners stay until release(): a signal during the
 * command's clean-up, after it disposed its StopSignal, must not kill it either.
 */
export function captureStartupSignals(argv: readonly string[]): void {
  if (startup !== undefined || !isLongRunning(argv)) return;
  const capture: StartupCapture = {
    first: undefined,
    claimed: false,
    onSignal: (signal) => {
      capture.first ??= signal;
    },
  };
  startup = capture;
  for (const s of STOP_SIGNALS) process.on(s, capture.onSignal);
}

/**
 * Removes the start-up listeners. Returns the signal that arrived and that no command took over
 * (the command ended before arming, e.g. on a usage error): the caller should then end the
 * process by that signal, as it would have without the capture.
 */
export function releaseStartupSignals(): NodeJS.Signals | undefined {
  const capture = startup;
  if (capture === undefined) return undefined;
  startup = undefined;
  for (const s of STOP_SIGNALS) process.off(s, capture.onSignal);
  return capture.claimed ? undefined : capture.first;
}

export function armStopSignal(): StopSignal {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let resolveStopped: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const repeatListeners = new Set<(signal: NodeJS.Signals) => void>();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      for (const listener of [...repeatListeners]) listener(signal);
      return;
    }
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
    resolveStopped(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // From now on the command handles the signals; one that arrived during start-up is its own.
  if (startup !== undefined && !startup.claimed) {
    startup.claimed = true;
    if (startup.first !== undefined) onSignal(startup.first);
  }
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    stopped,
    onRepeat(listener) {
      repeatListeners.add(listener);
      return () => repeatListeners.delete(listener);
    },
    dispose() {
      repeatListeners.clear();
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    },
  };
}

