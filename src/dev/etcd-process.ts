/**
 * One throwaway etcd on loopback, for tests and `rollcall etcd`: free ports, a temp data dir,
 * ready when its /health says true, and always cleaned up: a failed start kills it and removes
 * its dir; stop() is SIGTERM, then SIGKILL after a deadline, then the dir; the exit safety net
 * catches whatever a crashing test forgot. Modelled on consul's sdk/testutil/server.go.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { EtcdProcessError } from '../errors.js';
import { findEtcd } from './etcd-binary.js';
import { clientUrlOf, etcdArgs, metricsUrlOf, peerUrlOf, type EtcdTlsOptions } from './etcd-args.js';
import { EtcdChild } from './etcd-child.js';
import { isHealthy, memberStatus, type HttpTls, type MemberStatus } from './etcd-http.js';
import { ensureDir, makeTempDataDir, removeDir, wipeDir } from './data-dir.js';
import { freePort, isPortFree, reservePort } from './free-port.js';
import { track, untrack, type Reapable } from './exit-safety-net.js';
import { waitUntil } from './wait-until.js';

export type { EtcdTlsOptions } from './etcd-args.js';

export interface EtcdProcessOptions {
  /** Data dir to use (created if missing). Default: a new temp dir `rollcall-etcd-*` (see data-dir.ts). */
  dataDir?: string;
  /** Keep the data dir after stop(). Default: true when you gave dataDir, false for a temp dir. */
  keepDataDir?: boolean;
  /** Client port on 127.0.0.1. Default: a free port. */
  clientPort?: number;
  /** Peer port on 127.0.0.1. Default: a free port. */
  peerPort?: number;
  /** Member name (`--name`). Default `rollcall`. */
  name?: string;
  /** Extra etcd flags, appended last (they override ours). */
  extraArgs?: readonly string[];
  /** Serve the client URL over TLS (https). */
  tls?: EtcdTlsOptions;
  /** Serve the peer URL over TLS (https between members; set by EtcdCluster). */
  peerTls?: EtcdTlsOptions;
  /** How long start()/restart() wait for health. Default 15 000 ms. */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 000 ms. */
  stopTimeoutMs?: number;
  /** Path to the etcd binary. Default: findEtcd() (ROLLCALL_ETCD_BIN, then PATH). */
  binary?: string;
  /** `--initial-cluster` (set by EtcdCluster). Default: this member alone. */
  initialCluster?: string;
  /** `--initial-cluster-token` (set by EtcdCluster). Default: a fresh random token. */
  initialClusterToken?: string;
  /** Abandons start(): etcd is killed, its temp dir removed, and start() rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** How the etcd child ended. `expected` is false when it died without stop()/kill()/restart(). */
export interface EtcdExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  expected: boolean;
}

const KILL_WAIT_MS = 5_000;
/** Automatic ports may be taken by another process between freePort() and etcd's bind. */
const PORT_CONFLICT_ATTEMPTS = 3;
const PORT_CONFLICT = /127\.0\.0\.1:(\d+): bind: address already in use/;

/** "port 2379 is in use", instead of etcd's start-up log and Go stack trace. */
function portInUse(port: number, cause?: unknown): EtcdProcessError {
  return new EtcdProcessError(`port ${port} is in use`, { ...(cause === undefined ? {} : { cause }), details: { port, host: '127.0.0.1' } });
}

/**
 * What status() trusts and presents on a TLS client URL: the listener's CA, and its own
 * certificate as the client certificate, as etcd's grpc-gateway does. Read once, up front, so a
 * missing file fails start() before etcd is spawned.
 */
function probeTlsOf(tls: EtcdTlsOptions | undefined): HttpTls | undefined {
  if (tls === undefined) return undefined;
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new EtcdProcessError(`cannot read the TLS ${what} ${file}: ${(error as Error).message}`, { cause: error, details: { file } });
    }
  };
  return { ca: read(tls.trustedCaFile, 'CA'), cert: read(tls.certFile, 'certificate'), key: read(tls.keyFile, 'key') };
}

/** Ports the caller chose must be free before etcd starts; ports we pick are retried instead. */
async function assertPortsFree(options: EtcdProcessOptions): Promise<void> {
  for (const port of [options.clientPort, options.peerPort]) {
    if (port !== undefined && !(await isPortFree(port))) throw portInUse(port);
  }
}

export class EtcdProcess implements Reapable {
  readonly name: string;
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly metricsPort: number;
  /** e.g. `http://127.0.0.1:40123` (https with tls). */
  readonly clientUrl: string;
  /** https with peerTls. */
  readonly peerUrl: string;
  /** Plain-HTTP /health and /metrics, also with tls. */
  readonly metricsUrl: string;
  readonly binary: string;
  /** The etcd command line, without the binary. */
  readonly args: readonly string[];

  private readonly probeTls: HttpTls | undefined;
  private readonly removeOnStop: boolean;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly exitListeners = new Set<(exit: EtcdExit) => void>();
  private child: EtcdChild | undefined;
  private isPaused = false;
  private expectingExit = false;
  private closed = false;

  private constructor(
    options: EtcdProcessOptions,
    binary: string,
    dataDir: string,
    ports: [number, number, number],
    probeTls: HttpTls | undefined,
  ) {
    const tls = options.tls !== undefined;
    this.name = options.name ?? 'rollcall';
    this.binary = binary;
    this.dataDir = dataDir;
    [this.clientPort, this.peerPort, this.metricsPort] = ports;
    this.clientUrl = clientUrlOf(this.clientPort, tls);
    this.peerUrl = peerUrlOf(this.peerPort, options.peerTls !== undefined);
    this.probeTls = probeTls;
    this.metricsUrl = metricsUrlOf(this.metricsPort);
    this.removeOnStop = options.keepDataDir === undefined ? options.dataDir === undefined : !options.keepDataDir;
    this.startTimeoutMs = options.startTimeoutMs ?? 15_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.args = etcdArgs({
      name: this.name,
      dataDir,
      clientPort: this.clientPort,
      peerPort: this.peerPort,
      metricsPort: this.metricsPort,
      initialCluster: options.initialCluster ?? `${this.name}=${this.peerUrl}`,
      initialClusterToken: options.initialClusterToken ?? `rollcall-${randomBytes(6).toString('hex')}`,
      tls: options.tls,
      peerTls: options.peerTls,
      extraArgs: options.extraArgs,
    });
  }

  /**
   * Starts etcd and resolves once it reports healthy. Throws EtcdBinaryNotFoundError when there
   * is no etcd, EtcdProcessError (with etcd's last stderr lines) when it exits or stays unhealthy;
   * either way nothing is left running and a data dir it created is removed.
   */
  static async start(options: EtcdProcessOptions = {}): Promise<EtcdProcess> {
    const binary = options.binary ?? findEtcd();
    await assertPortsFree(options);
    const probeTls = probeTlsOf(options.tls);
    for (let attempt = 1; ; attempt++) {
      const ports: [number, number, number] = [
        options.clientPort ?? (await freePort()),
        options.peerPort ?? (await freePort()),
        await freePort(),
      ];
      if (options.clientPort !== undefined) reservePort(options.clientPort);
      if (options.peerPort !== undefined) reservePort(options.peerPort);
      const created = options.dataDir === undefined || !existsSync(options.dataDir);
      const dataDir = options.dataDir ?? makeTempDataDir();
      ensureDir(dataDir);
      const etcd = new EtcdProcess(options, binary, dataDir, ports, probeTls);
      track(etcd);
      try {
        await etcd.launch(options.signal);
        return etcd;
      } catch (error) {
        untrack(etcd);
        etcd.closed = true;
        if (created || etcd.removeOnStop) removeDir(dataDir);
        if (options.signal?.aborted === true) throw options.signal.reason;
        // Retry only when the port etcd could not bind is one we picked, not one the caller asked for.
        const conflict = PORT_CONFLICT.exec(etcd.stderrTail().join('\n'))?.[1];
        const ours = conflict !== undefined && Number(conflict) !== options.clientPort && Number(conflict) !== options.peerPort;
        if (ours && attempt < PORT_CONFLICT_ATTEMPTS) continue;
        // A port the caller asked for was taken between our check and etcd's bind: say so in one line.
        if (conflict !== undefined && !ours) throw portInUse(Number(conflict), error);
        throw error;
      }
    }
  }

  /** The client URLs, ready for `new Etcd3({ hosts: etcd.endpoints })`. A fresh array each time. */
  get endpoints(): string[] {
    return [this.clientUrl];
  }

  /**
   * What this member says about itself and its leader (POST /v3/maintenance/status on its client
   * URL, with its CA and certificate when that URL is TLS). Rejects when it does not answer
   * within `timeoutMs`.
   */
  status(timeoutMs = 1_000): Promise<MemberStatus> {
    return memberStatus(this.clientUrl, timeoutMs, this.probeTls);
  }

  /** Pid of the current etcd child (or of the last one, once it has exited). */
  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** True while the etcd child has not exited (also while paused). */
  get running(): boolean {
    return this.child?.alive ?? false;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** The last lines etcd wrote to stderr (zap JSON), oldest first. */
  stderrTail(): string[] {
    return this.child?.stderrTail() ?? [];
  }

  /** Calls `listener` each time the etcd child exits. Returns a function that unsubscribes. */
  onExit(listener: (exit: EtcdExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Stops etcd: SIGTERM, SIGKILL after stopTimeoutMs, then removes the data dir unless it is kept
   * (see keepDataDir). With `{ keepData: true }` the dir stays and restart() can bring etcd back;
   * otherwise this is final. Idempotent.
   */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    await this.halt();
    if (options.keepData === true || this.closed) return;
    this.closed = true;
    untrack(this);
    if (this.removeOnStop) removeDir(this.dataDir);
  }

  /** Sends `signal` (default SIGKILL) and waits for etcd to exit. The data dir stays for restart(). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || !child.alive) return;
    this.expectingExit = true;
    child.signal(signal);
    // A stopped process only acts on SIGKILL; let it run so it can handle the signal.
    if (this.isPaused && signal !== 'SIGKILL') child.signal('SIGCONT');
    if (!(await child.waitExit(KILL_WAIT_MS))) {
      throw new EtcdProcessError(`etcd ${this.name} (pid ${child.pid}) did not exit within ${KILL_WAIT_MS} ms of ${signal}`, {
        details: this.details(),
      });
    }
  }

  /** Freezes etcd with SIGSTOP: it holds its ports but answers nothing, like a hung server. */
  pause(): void {
    this.runningChild('pause').signal('SIGSTOP');
    this.isPaused = true;
  }

  /** Undoes pause() with SIGCONT. */
  resume(): void {
    this.runningChild('resume').signal('SIGCONT');
    this.isPaused = false;
  }

  /**
   * Stops etcd if it runs, then starts it again with the same ports, flags and data dir, and waits
   * for health. `wipeData: true` empties the data dir first (a member that lost its disk).
   */
  async restart(options: { wipeData?: boolean } = {}): Promise<void> {
    if (this.closed) throw new EtcdProcessError(`etcd ${this.name} was stopped for good; start a new one`, { details: this.details() });
    await this.halt();
    if (options.wipeData === true) wipeDir(this.dataDir);
    await this.launch();
  }

  /** For the exit safety net: SIGKILL and remove the temp dir without awaiting anything. */
  reapSync(): void {
    this.child?.signal('SIGKILL');
    if (this.removeOnStop) removeDir(this.dataDir);
  }

  private async launch(abort?: AbortSignal): Promise<void> {
    this.expectingExit = false;
    this.isPaused = false;
    const child = new EtcdChild(this.binary, this.args, (exit) => {
      // A late exit of an earlier child (before a restart) must not touch the current state.
      if (this.child === child) this.isPaused = false;
      const event: EtcdExit = { ...exit, expected: this.child !== child || this.expectingExit };
      for (const listener of [...this.exitListeners]) listener(event);
    });
    this.child = child;

    const startup = new AbortController();
    void child.exited.then((exit) => startup.abort(new Error(`etcd exited during start (code ${exit.code}, signal ${exit.signal})`)));
    try {
      await waitUntil(() => isHealthy(this.metricsUrl), {
        timeoutMs: this.startTimeoutMs,
        intervalMs: 50,
        message: `etcd ${this.name} at ${this.clientUrl} to report health true`,
        signal: abort === undefined ? startup.signal : AbortSignal.any([startup.signal, abort]),
      });
    } catch (error) {
      this.expectingExit = true;
      child.signal('SIGKILL');
      await child.waitExit(KILL_WAIT_MS);
      // Let the stderr pipe drain so the message carries etcd's last words.
      await Promise.race([child.drained, delay(1_000)]);
      const reason = error instanceof Error ? error.message : String(error);
      throw new EtcdProcessError(
        `etcd ${this.name} failed to start: ${reason}\ncommand: ${this.binary} ${this.args.join(' ')}\n` +
          `last lines of etcd stderr:\n${child.stderrTail().slice(-20).join('\n')}`,
        { cause: error, details: this.details() },
      );
    } finally {
      startup.abort();
    }
  }

  /** Graceful stop that keeps the data dir: SIGTERM, then SIGKILL after stopTimeoutMs. */
  private async halt(): Promise<void> {
    const child = this.child;
    if (child === undefined || !child.alive) return;
    this.expectingExit = true;
    child.signal('SIGTERM');
    if (this.isPaused) child.signal('SIGCONT');
    if (await child.waitExit(this.stopTimeoutMs)) return;
    await this.kill('SIGKILL');
  }

  private runningChild(action: string): EtcdChild {
    const child = this.child;
    if (child === undefined || !child.alive) {
      throw new EtcdProcessError(`cannot ${action} etcd ${this.name}: it is not running`, { details: this.details() });
    }
    return child;
  }

  private details(): Record<string, unknown> {
    return { name: this.name, clientUrl: this.clientUrl, dataDir: this.dataDir, pid: this.pid, stderrTail: this.stderrTail() };
  }
}
