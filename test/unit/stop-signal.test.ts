// The CLI's start-up signal capture: which command lines are long-running (they get the capture),
// a signal caught before a command arms is delivered when it arms (and not re-raised), and one
// that no command took is handed back so main.ts can end the process by it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { commandOf, isLongRunning } from '../../src/cli/stop-signal.js';

const argv = (...args: string[]): string[] => ['/usr/bin/node', '/x/dist/cli/main.js', ...args];

describe('commandOf / isLongRunning', () => {
  const cases: [string[], string, boolean][] = [
    [argv('register', 'api', '10.0.0.1:80', '--ttl', '5'), 'register', true],
    [argv('--endpoints', 'http://127.0.0.1:2379', 'watch', 'api'), 'watch', true],
    [argv('--timeout=5s', 'etcd', '--port', '2379'), 'etcd', true],
    [argv('kv', 'watch', 'config/', '--prefix'), 'kv watch', true],
    [argv('kv', 'get', 'watch'), 'kv get', false],
    [argv('lease', 'keep-alive', '694d7f1b2c3d4e05'), 'lease keep-alive', true],
    [argv('lease', 'grant', '10'), 'lease grant', false],
    [argv('lock', 'nightly', '--', 'sh', '-c', 'watch'), 'lock', true],
    [argv('demo', '--duration', '8'), 'demo', true],
    // A program option's value is not a command word: this runs `instances`, not `watch`.
    [argv('--prefix', 'watch', 'instances', 'api'), 'instances', false],
    [argv('--help'), '', false],
  ];
  for (const [args, command, long] of cases) {
    it(`${args.slice(2).join(' ')} -> "${command}" (${long ? 'long-running' : 'short'})`, () => {
      assert.equal(commandOf(args), command);
      assert.equal(isLongRunning(args), long);
    });
  }
});

/**
 * Runs `body` in a child Node process with stop-signal.js imported as `m`: the test runner handles
 * SIGINT/SIGTERM in its own process, so real signals are sent to a child. Resolves with its stdout lines.
 */
async function inChild(body: string): Promise<string[]> {
  // Signal handles do not keep Node's event loop alive: the interval does, until the body is done.
  const script = `const m = await import(${JSON.stringify(MODULE)});\nconst { once } = await import('node:events');\nconst alive = setInterval(() => {}, 1000);\n${body}\nclearInterval(alive);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
  return stdout.trim().split('\n');
}

const MODULE = new URL('../../src/cli/stop-signal.js', import.meta.url).href;
const run = promisify(execFile);

describe('captureStartupSignals (in a child process, with real signals)', () => {
  it('a SIGTERM before armStopSignal() is delivered when the command arms, and not handed back', async () => {
    const lines = await inChild(`
      m.captureStartupSignals(['node', 'main.js', 'watch']);
      const seen = once(process, 'SIGTERM');
      process.kill(process.pid, 'SIGTERM');
      await seen;
      const stop = m.armStopSignal();
      console.log(stop.signal.aborted, stop.received, await stop.stopped);
      stop.dispose();
      console.log(String(m.releaseStartupSignals()));`);
    assert.deepEqual(lines, ['true SIGTERM SIGTERM', 'undefined']);
  });

  it('a second signal after arming reaches onRepeat listeners; the first stays the one received', async () => {
    const lines = await inChild(`
      m.captureStartupSignals(['node', 'main.js', 'etcd']);
      const stop = m.armStopSignal();
      stop.onRepeat((signal) => console.log('repeat', signal));
      const first = once(process, 'SIGINT');
      process.kill(process.pid, 'SIGINT');
      await first;
      const second = once(process, 'SIGTERM');
      process.kill(process.pid, 'SIGTERM');
      await second;
      console.log('received', stop.received);
      stop.dispose();
      console.log(String(m.releaseStartupSignals()));`);
    assert.deepEqual(lines, ['repeat SIGTERM', 'received SIGINT', 'undefined']);
  });

  it('a signal no command took is handed back by releaseStartupSignals(), and the listeners are gone', async () => {
    const lines = await inChild(`
      m.captureStartupSignals(['node', 'main.js', 'register', 'api', 'h:1']);
      const seen = once(process, 'SIGINT');
      process.kill(process.pid, 'SIGINT');
      await seen;
      console.log(m.releaseStartupSignals(), process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'));`);
    assert.deepEqual(lines, ['SIGINT 0 0']);
  });

  it('short commands get no capture: nothing listens, so a signal ends them the default way', async () => {
    const lines = await inChild(`
      m.captureStartupSignals(['node', 'main.js', 'instances', 'api']);
      console.log(process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'), String(m.releaseStartupSignals()));`);
    assert.deepEqual(lines, ['0 0 undefined']);
  });
});
