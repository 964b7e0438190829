// The cluster view (#/cluster): each member, the leader marked, the revision and compaction point.
import { bytes, h, showError, table } from './dom.js';
import { api } from './net.js';

export async function clusterView(ctx) {
  const render = async () => {
    const data = await api('/api/cluster');
    const rows = data.members.map((m) =>
      h('tr', { 'data-member': m.name, 'data-leader': m.isLeader ? 'true' : 'false' },
        h('td', {}, m.name || '(unstarted)'),
        h('td', { class: 'mono' }, m.id),
        h('td', { class: 'mono' }, m.clientUrl || '–'),
        h('td', { class: m.isLeader ? 'state state-up' : '' }, m.isLeader ? '★ leader' : m.isLearner ? 'learner' : 'follower'),
        h('td', {}, m.version || '–'),
        h('td', { class: 'num' }, bytes(m.dbSize)),
        h('td', { class: 'num' }, m.raftIndex === null ? '–' : m.raftIndex),
        h('td', { class: 'num' }, m.raftTerm === null ? '–' : m.raftTerm),
        h('td', { class: m.healthy ? 'state state-up' : 'state state-expired' }, m.healthy ? 'healthy' : `unhealthy${m.error ? `: ${m.error}` : ''}`)));
    ctx.show(
      h('h1', {}, 'Cluster'),
      h('p', {}, `Cluster ${data.clusterId} · ${data.members.length} member(s) · revision ${data.revision} · `,
        data.compactRevision === 0 ? 'never compacted' : `compacted up to revision ${data.compactRevision}`),
      table(['Name', 'ID', 'Client URL', 'Role', 'Version', 'DB size#', 'Raft index#', 'Raft term#', 'Health'], rows),
    );
  };
  ctx.every(5000, () => render().catch(showError));
  await render();
}

