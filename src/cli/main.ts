#!/usr/bin/env node
// The `rollcall` executable (package.json "bin"): build the program, run it, turn errors into exit codes.
// Signals first: stop-signal.js imports nothing, and everything with side effects is loaded after
// the listeners are in place, so a Ctrl-C during start-up is handled like one a moment later.
import { captureStartupSignals, releaseStartupSignals } from './stop-signal.js';

captureStartupSignals(process.argv);
const { runCli } = await import('./program.js');
// Loading is synchronous work: a signal that arrived meanwhile reaches its listener only in the
// event loop's poll phase. An immediate queued from an immediate runs after one full poll phase,
// so once it has run the command sees that signal before its first etcd call.
await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

const code = await runCli(process.argv);
const unclaimed = releaseStartupSignals();
// A signal arrived but the command ended before handling it (e.g. a usage error): end the way
// Node's default handler would have, by that signal.
if (unclaimed !== undefined) process.kill(process.pid, unclaimed);
process.exitCode = code;
// Everything a command opened is closed by now, so the process normally ends by itself. If a
// library handle still lingers, do not hang: this unref'd timer fires only in that case.
setTimeout(() => process.exit(code), 3000).unref();
