/**
 * `/api/cluster`: each member as etcdkeeper shows it (name, client URL, leader, version, db size,
 * raft index, healthy), asked of the member itself, plus the cluster's revision and compaction
 * point. Members are asked concurrently over connections kept for the dashboard's lifetime.
 */
import { EtcdConnection, type ClientSource } from '../etcd/index.js';

export interface MemberRow {
  readonly id: string;
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly isLeader: boolean;
  readonly isLearner: boolean;
  readonly version: string | null;
  readonly dbSize: number | null;
  readonly raftIndex: number | null;
  readonly raftTerm: number | null;
  readonly healthy: boolean;
  readonly error: string | null;
}

export interface ClusterView {
  readonly clusterId: string;
  readonly members: MemberRow[];
  readonly revision: number;
  /** The oldest revision still readable: history before it was compacted away (0: never compacted). */
  readonly compactRevision: number;
}

export class ClusterProbe {
  private readonly perMember = new Map<string, EtcdConnection>();

  constructor(
    private readonly conn: EtcdConnection,
    private readonly source: ClientSource,
  ) {}

  async view(): Promise<ClusterView> {
    const list = await this.conn.call('member list', () => this.conn.client.cluster.memberList({}));
    const members = await Promise.all(
      list.members.map(async (m): Promise<MemberRow> => {
        const base = { id: BigInt(m.ID).toString(16), name: m.name, clientUrl: m.clientURLs[0] ?? '', peerUrl: m.peerURLs[0] ?? '', isLearner: m.isLearner };
        if (base.clientUrl === '') return { ...base, isLeader: false, version: null, dbSize: null, raftIndex: null, raftTerm: null, healthy: false, error: 'not started' };
        try {
          const member = this.connectionTo(base.clientUrl);
          const s = await member.call('status', () => member.client.maintenance.status());
          return {
            ...base,
            isLeader: s.leader !== '0' && s.leader === s.header.member_id,
            version: s.version,
            dbSize: Number(s.dbSize),
            raftIndex: Number(s.raftIndex),
            raftTerm: Number(s.raftTerm),
            healthy: s.leader !== '0' && s.errors.length === 0,
            error: s.errors.length > 0 ? s.errors.join('; ') : s.leader === '0' ? 'no leader' : null,
          };
        } catch (error) {
          return { ...base, isLeader: false, version: null, dbSize: null, raftIndex: null, raftTerm: null, healthy: false, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    // The cluster API's header carries no revision; a count-only read's does.
    const head = await this.conn.call('revision', () => this.conn.client.kv.range({ key: Buffer.from([0]), count_only: true }));
    const revision = Number(head.header.revision);
    members.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { clusterId: BigInt(list.header.cluster_id).toString(16), members, revision, compactRevision: await this.compactRevision(revision) };
  }

  close(): void {
    for (const member of this.perMember.values()) member.close();
    this.perMember.clear();
  }

  private connectionTo(url: string): EtcdConnection {
    let found = this.perMember.get(url);
    if (found === undefined) {
      const { client: _shared, ...options } = this.source;
      found = EtcdConnection.create({ ...options, endpoints: [url] });
      this.perMember.set(url, found);
    }
    return found;
  }

  /**
   * etcd 3.4 does not report its compaction point directly; a read at a revision older than it
   * fails with "required revision has been compacted". So the point is the oldest readable
   * revision, found by bisection (a count-only read of one key per step, about 20 at most).
   */
  private async compactRevision(current: number): Promise<number> {
    const readable = async (revision: number): Promise<boolean> => {
      try {
        await this.conn.call(`read at ${revision}`, () => this.conn.client.kv.range({ key: Buffer.from([0]), revision, count_only: true, serializable: false }));
        return true;
      } catch (error) {
        if (error instanceof Error && /compacted/i.test(`${error.message} ${String((error as Error & { cause?: unknown }).cause)}`)) return false;
        throw error;
      }
    };
    if (current <= 1 || (await readable(1))) return 0;
    let low = 1; // not readable
    let high = current; // readable
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await readable(mid)) high = mid;
      else low = mid;
    }
    return high;
  }
}
