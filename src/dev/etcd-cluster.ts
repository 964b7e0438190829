/**
 * A loopback etcd cluster (3 members by default) for fault tests: kill, stop, pause or restart one
 * member and watch the others carry on. Members are ordinary EtcdProcess instances, started
 * together so they can form a quorum; each keeps its ports and data dir across restarts.
 *
 * Raft timing is faster than etcd's defaults (heartbeat 50 ms, election timeout 500 ms instead of
 * 100 / 1000) so a lost leader is replaced quickly; tests must still wait with waitUntil, never
 * rely on those numbers. After killing or pausing a member, call waitForLeader({ notIndex })
 * before writing: a write sent to a follower that still believes in the dead leader is lost and
 * waits out etcd's request timeout (about 5 s) before the client retries.
 *
 * With `tls` and `peerTls` the whole cluster speaks TLS: clients and members reach each member
 * over https only, with client certificates when clientCertAuth is set. The harness's own status
 * probes (leader, member ids) then go over https with the CA and certificate of `tls`; readiness
 * is read from each member's plain-HTTP metrics listener, which carries no data.
 */
import { randomBytes } from 'node:crypto';
import { EtcdProcessError } from '../errors.js';
import { findEtcd } from './etcd-binary.js';
import { peerUrlOf } from './etcd-args.js';
import type { MemberStatus } from './etcd-http.js';
import { EtcdProcess, type EtcdTlsOptions } from './etcd-process.js';
import { freePorts } from './free-port.js';
import { waitUntil } from './wait-until.js';

export interface EtcdClusterOptions {
  /** Number of members. Default 3. */
  size?: number;
  /** `--heartbeat-interval` in ms. Default 50. */
  heartbeatIntervalMs?: number;
  /** `--election-timeout` in ms. Default 500. */
  electionTimeoutMs?: number;
  /** Extra flags for every member, appended last. */
  extraArgs?: readonly string[];
  /** How long start() and restart(i) wait for health and a leader. Default 30 000 ms. */
  startTimeoutMs?: number;
  /** Per member: how long stop waits after SIGTERM before SIGKILL. Default 10 000 ms. */
  stopTimeoutMs?: number;
  /** Path to the etcd binary. Default: findEtcd(). */
  binary?: string;
  /** TLS on every member's client URL (https endpoints). */
  tls?: EtcdTlsOptions;
  /** TLS between members (https peer URLs); certFile must allow both serverAuth and clientAuth. */
  peerTls?: EtcdTlsOptions;
}

const PORT_CONFLICT_ATTEMPTS = 3;

export class EtcdCluster {
  /** Member i is `members[i]`, named `m<i>`. */
  readonly members: readonly EtcdProcess[];
  /** etcd member id (decimal string) of each member, learned at start; stable across restarts. */
  private readonly memberIds: readonly string[];

  private constructor(members: EtcdProcess[], memberIds: string[]) {
    this.members = members;
    this.memberIds = memberIds;
  }

  /**
   * Starts all members concurrently and resolves once every one is healthy and a leader is known.
   * On failure every member is stopped and its data dir removed before the error is thrown.
   */
  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const size = options.size ?? 3;
    if (!Number.isInteger(size) || size < 1) throw new EtcdProcessError(`cluster size must be a positive integer, got ${size}`);
    const binary = options.binary ?? findEtcd();
    for (let attempt = 1; ; attempt++) {
      try {
        return await EtcdCluster.tryStart(options, size, binary);
      } catch (error) {
        const conflict = error instanceof EtcdProcessError && /address already in use/.test(error.message);
        if (!conflict || attempt >= PORT_CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  private static async tryStart(options: EtcdClusterOptions, size: number, binary: string): Promise<EtcdCluster> {
    const ports = await freePorts(size * 2);
    const names = Array.from({ length: size }, (_, i) => `m${i}`);
    const initialCluster = names.map((name, i) => `${name}=${peerUrlOf(ports[2 * i + 1] ?? 0, options.peerTls !== undefined)}`).join(',');
    const token = `rollcall-cluster-${randomBytes(6).toString('hex')}`;
    const timing = [
      `--heartbeat-interval=${options.heartbeatIntervalMs ?? 50}`,
      `--election-timeout=${options.electionTimeoutMs ?? 500}`,
    ];
    const startTimeoutMs = options.startTimeoutMs ?? 30_000;
    // One member failing means the others can never reach quorum: abandon them at once.
    const abandon = new AbortController();
    const results = await Promise.allSettled(
      names.map((name, i) =>
        EtcdProcess.start({
          name,
          binary,
          clientPort: ports[2 * i],
          peerPort: ports[2 * i + 1],
          initialCluster,
          initialClusterToken: token,
          tls: options.tls,
          peerTls: options.peerTls,
          extraArgs: [...timing, ...(options.extraArgs ?? [])],
          startTimeoutMs,
          stopTimeoutMs: options.stopTimeoutMs,
          signal: abandon.signal,
        }).catch((error: unknown) => {
          abandon.abort(error);
          throw error;
        }),
      ),
    );
    const members = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await Promise.allSettled(members.map((m) => m.stop()));
      // Report the member that failed first, not the ones we abandoned because of it.
      throw abandon.signal.reason ?? failure.reason;
    }
    try {
      const statuses = await Promise.all(members.map((m) => m.status(5_000)));
      const cluster = new EtcdCluster(members, statuses.map((s) => s.memberId));
      await cluster.waitForLeader({ timeoutMs: startTimeoutMs });
      return cluster;
    } catch (error) {
      await Promise.allSettled(members.map((m) => m.stop()));
      throw error;
    }
  }

  get size(): number {
    return this.members.length;
  }

  /** Client URLs of all members (running or not), for `new Etcd3({ hosts })`. */
  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** Client URLs of every member except `i` (e.g. the one just killed). */
  endpointsExcept(i: number): string[] {
    this.member(i);
    return this.members.filter((_, j) => j !== i).map((m) => m.clientUrl);
  }

  /** Member i, or EtcdProcessError for an index out of range. */
  member(i: number): EtcdProcess {
    const member = this.members[i];
    if (member === undefined) throw new EtcdProcessError(`no member ${i} in a cluster of ${this.members.length}`);
    return member;
  }

  /** Sends `signal` (default SIGKILL) to member i and waits for it to exit; its data dir stays. */
  kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.member(i).kill(signal);
  }

  /** Gracefully stops member i (SIGTERM, then SIGKILL); its data dir stays for restart(i). */
  stop(i: number): Promise<void> {
    return this.member(i).stop({ keepData: true });
  }

  /** SIGSTOP member i: it keeps its ports but answers nothing. */
  pause(i: number): void {
    this.member(i).pause();
  }

  /** SIGCONT member i. */
  resume(i: number): void {
    this.member(i).resume();
  }

  /** Starts member i again with the same flags, ports and data dir; resolves once it is healthy (rejoined). */
  restart(i: number): Promise<void> {
    return this.member(i).restart();
  }

  /**
   * Index of the current leader, or undefined when none is known. Asks every running, unpaused
   * member for its status and believes the ones with the highest raft term (a deposed leader
   * that has not heard of the new term yet is outvoted).
   */
  async leaderIndex(timeoutMs = 1_000): Promise<number | undefined> {
    const asked = this.members.filter((m) => m.running && !m.paused);
    const answers = await Promise.allSettled(asked.map((m) => m.status(timeoutMs)));
    const statuses = answers.flatMap((a): MemberStatus[] => (a.status === 'fulfilled' ? [a.value] : []));
    const term = Math.max(-1, ...statuses.map((s) => s.raftTerm));
    const leader = statuses.find((s) => s.raftTerm === term && s.leaderId !== '0')?.leaderId;
    const index = leader === undefined ? -1 : this.memberIds.indexOf(leader);
    return index < 0 ? undefined : index;
  }

  /** Waits until a leader is known (other than `notIndex`, when given) and returns its index. */
  async waitForLeader(options: { timeoutMs?: number; notIndex?: number } = {}): Promise<number> {
    const found = await waitUntil(
      async () => {
        const index = await this.leaderIndex();
        return index !== undefined && index !== options.notIndex ? { index } : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 15_000,
        intervalMs: 50,
        message: options.notIndex === undefined ? 'a cluster leader' : `a cluster leader other than member ${options.notIndex}`,
      },
    );
    return found.index;
  }

  /**
   * Stops every member for good and removes their data dirs. Safe to call twice. Followers go
   * first, one at a time: a leader stopped alongside its followers tries to hand leadership to a
   * member that is going away and waits out a timeout (seconds) before exiting.
   */
  async stopAll(): Promise<void> {
    const leader = await this.leaderIndex().catch(() => undefined);
    const order = this.members.filter((_, i) => i !== leader);
    if (leader !== undefined) order.push(this.member(leader));
    let failure: unknown;
    for (const member of order) {
      await member.stop().catch((error: unknown) => {
        failure ??= error;
      });
    }
    if (failure !== undefined) throw failure;
  }
}
