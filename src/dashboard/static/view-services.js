// The services view (#/services) and a service's view (#/service/<name>).
/* global window */
import { age, debounce, h, showError, sparkline, table } from './dom.js';
import { api, session } from './net.js';

export async function servicesView(ctx) {
  const render = async () => {
    const data = await api('/api/services');
    const rows = data.services.map((s) =>
      h('tr', { 'data-service': s.name },
        h('td', {}, h('a', { href: `#/service/${encodeURIComponent(s.name)}` }, s.name)),
        h('td', { class: 'num' }, s.up),
        h('td', { class: 'num' }, s.draining),
        h('td', { class: 'num' }, s.lost),
        h('td', {}, s.zones.join(', ') || '–'),
        h('td', {}, s.versions.join(', ') || '–'),
        h('td', {}, sparkline(s.history))));
    ctx.show(
      h('h1', {}, 'Services'),
      h('p', { class: 'muted' }, `Prefix ${data.prefix}/ · ${data.services.length} service(s)`, data.stale ? ' · STALE: etcd cannot be reached, showing the last known state' : ''),
      data.services.length === 0 ? h('p', {}, 'No service is registered under this prefix yet.') : table(['Service', 'Up#', 'Draining#', 'Lost#', 'Zones', 'Versions', 'Instances over time'], rows),
    );
  };
  ctx.onCatalog = debounce(() => render().catch(showError), 100);
  ctx.every(5000, () => render().catch(showError));
  await render();
}

// ---- Service ----

function instanceText(i) {
  return [i.id, i.address, i.state, i.zone, i.weight, i.version, i.tags.join(' '), JSON.stringify(i.meta), i.key, i.lease, i.registeredAt].join(' ').toLowerCase();
}

export async function serviceView(ctx, name) {
  let filter = '';
  let data = null;
  const fetched = { at: Date.now() };
  const filterBox = h('input', { type: 'search', placeholder: 'Filter on every field, metadata included', 'aria-label': 'Filter instances', value: '' });
  const tableHolder = h('div', {});
  const logHolder = h('ul', { class: 'log', 'aria-label': 'Event log' });
  filterBox.addEventListener('input', () => {
    filter = filterBox.value.trim().toLowerCase();
    drawTable();
  });
  const act = (i, action) => async () => {
    try {
      await api(`/api/services/${encodeURIComponent(name)}/${encodeURIComponent(i.id)}/${action}`, { method: 'POST' });
    } catch (error) {
      window.alert(`${action} failed: ${error.message}`);
    }
  };
  const drawTable = () => {
    if (data === null) return;
    const elapsed = (Date.now() - fetched.at) / 1000;
    const shown = data.instances.filter((i) => filter === '' || instanceText(i).includes(filter));
    const rows = shown.map((i) => {
      const gone = i.state === 'expired' || i.state === 'deregistered';
      const ttl = i.ttlLeft === null ? '–' : `${Math.max(0, Math.round(i.ttlLeft - elapsed))}s`;
      const since = i.registeredAt ? age(Date.now() - Date.parse(i.registeredAt)) : '–';
      return h('tr', { class: gone ? i.state : '', 'data-instance': i.id, 'data-state': i.state },
        h('td', { class: 'mono' }, i.id),
        h('td', { class: 'mono' }, i.address),
        h('td', { class: `state state-${i.state}` }, i.state, gone && i.goneAt ? h('span', { class: 'muted' }, ` ${age(Date.now() - i.goneAt)} ago`) : null),
        h('td', {}, i.zone || '–'),
        h('td', { class: 'num' }, i.weight),
        h('td', {}, i.version || '–'),
        h('td', {}, i.tags.join(', ') || '–'),
        h('td', { class: 'meta mono' }, JSON.stringify(i.meta)),
        h('td', { class: 'num', title: i.lease ? `lease ${i.lease}` : 'no lease' }, gone ? '–' : ttl),
        h('td', { class: 'num' }, since),
        session.config.allowWrites && !gone
          ? h('td', {}, i.state === 'draining' ? h('button', { onclick: act(i, 'undrain') }, 'Undrain') : h('button', { onclick: act(i, 'drain') }, 'Drain'))
          : session.config.allowWrites ? h('td', {}) : null);
    });
    const columns = ['ID', 'Address', 'Status', 'Zone', 'Weight#', 'Version', 'Tags', 'Metadata', 'TTL left#', 'Age#'];
    if (session.config.allowWrites) columns.push('Actions');
    tableHolder.replaceChildren(
      shown.length === 0 ? h('p', { class: 'muted' }, data.instances.length === 0 ? 'No instance.' : 'No instance matches the filter.') : table(columns, rows),
    );
  };
  const drawLog = (events) => {
    logHolder.replaceChildren(...events.slice().reverse().map(logLine));
  };
  const render = async () => {
    data = await api(`/api/services/${encodeURIComponent(name)}`);
    fetched.at = Date.now();
    drawTable();
    drawLog(data.events);
  };
  ctx.show(
    h('h1', {}, h('a', { href: '#/services' }, 'Services'), ' / ', name),
    h('div', { class: 'toolbar' }, filterBox),
    tableHolder,
    h('h2', {}, 'Event log'),
    logHolder,
  );
  ctx.onCatalog = (event) => {
    // A `reset` (events missed) carries no service: reload to be safe.
    if (event.service === name || event.service === undefined) refresh();
  };
  const refresh = debounce(() => render().catch(showError), 50);
  ctx.every(1000, drawTable);
  ctx.every(3000, () => render().catch(showError));
  await render();
}

function logLine(e) {
  const when = new Date(e.at).toLocaleTimeString();
  const what = e.kind === 'removed' ? `removed (${e.reason})` : e.kind === 'warning' ? `warning ${e.reason}` : e.kind;
  return h('li', {}, h('span', { class: 'muted mono' }, when), ' ', h('strong', {}, what), ' ', e.instance ? h('span', { class: 'mono' }, e.instance) : null,
    e.status ? h('span', { class: 'muted' }, ` status ${e.status}`) : null, e.key ? h('span', { class: 'muted mono' }, ` ${e.key}`) : null, e.message ? h('span', {}, ` ${e.message}`) : null);
}

