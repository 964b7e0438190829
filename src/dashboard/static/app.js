// rollcall dashboard front end. No framework, no network beyond this server. Everything that
// comes from etcd is put on the page as text nodes (textContent) or attribute values, never as
// HTML: instance metadata is untrusted.
/* global document, window, fetch, sessionStorage, location, history, TextDecoder, setTimeout, clearTimeout, setInterval, clearInterval, URLSearchParams, AbortController */
'use strict';

const main = document.getElementById('main');
const live = document.getElementById('live');
const SVG = 'http://www.w3.org/2000/svg';
let config = { allowWrites: false, tokenRequired: false, prefix: '' };
let token = sessionStorage.getItem('rollcall-token') || '';
/** The open view: its catalog-event handler and the AbortController of its own streams and timers. */
let view = { onCatalog: null, controller: new AbortController() };

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

function headers(extra) {
  return Object.assign(token ? { 'X-Rollcall-Token': token } : {}, extra || {});
}

async function api(path, options) {
  const opts = options || {};
  const response = await fetch(path, { method: opts.method || 'GET', headers: headers(opts.body ? { 'Content-Type': 'application/json' } : {}), body: opts.body ? JSON.stringify(opts.body) : undefined });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

/** A Server-Sent Events reader over fetch (EventSource cannot send the token header); reconnects with Last-Event-ID. */
function stream(path, onEvent, signal, onState) {
  let lastId = null;
  const run = async () => {
    while (!signal.aborted) {
      try {
        const response = await fetch(path, { headers: headers(lastId === null ? {} : { 'Last-Event-ID': lastId }), signal });
        if (!response.ok || !response.body) throw new Error(`${response.status}`);
        if (onState) onState(true);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const message = { event: 'message', data: '' };
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) lastId = line.slice(4);
              else if (line.startsWith('event: ')) message.event = line.slice(7);
              else if (line.startsWith('data: ')) message.data += line.slice(6);
            }
            if (message.data !== '') onEvent(message.event, JSON.parse(message.data));
          }
        }
      } catch {
        // Dropped or refused: wait a moment and reconnect (below).
      }
      if (onState) onState(false);
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void run();
}

function debounce(fn, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

function every(ms, fn) {
  const timer = setInterval(fn, ms);
  view.controller.signal.addEventListener('abort', () => clearInterval(timer));
}

function table(columns, rows) {
  // A column name ending in '#' is numeric: right-aligned like its cells.
  const head = columns.map((c) => (c.endsWith('#') ? h('th', { scope: 'col', class: 'num' }, c.slice(0, -1)) : h('th', { scope: 'col' }, c)));
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}

function showError(error) {
  main.replaceChildren(h('p', { class: 'error', role: 'alert' }, String(error && error.message ? error.message : error)));
}

function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function sparkline(points) {
  const width = 160;
  const height = 28;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  const now = Date.now();
  // The window starts at the first sample (no older history is known), at least a minute wide.
  const first = points.length > 0 ? points[0][0] : now;
  const from = Math.min(now - 60000, Math.max(now - 15 * 60000, first));
  const max = Math.max(1, ...points.map((p) => p[1]));
  const y = (n) => (height - 2 - (n / max) * (height - 4)).toFixed(1);
  const coords = [];
  let last = points.length > 0 ? points[0][1] : 0;
  for (const [t, n] of points) {
    const x = Math.max(0, ((t - from) / (now - from)) * width).toFixed(1);
    if (coords.length > 0) coords.push(`${x},${y(last)}`);
    coords.push(`${x},${y(n)}`);
    last = n;
  }
  coords.push(`${width},${y(last)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', coords.join(' '));
  svg.appendChild(line);
  const title = document.createElementNS(SVG, 'title');
  title.textContent = `live instances since ${new Date(from).toLocaleTimeString()}: now ${last}, at most ${max}`;
  svg.appendChild(title);
  return svg;
}

// ---- Services ----

async function servicesView() {
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
    main.replaceChildren(
      h('h1', {}, 'Services'),
      h('p', { class: 'muted' }, `Prefix ${data.prefix}/ · ${data.services.length} service(s)`, data.stale ? ' · STALE: etcd cannot be reached, showing the last known state' : ''),
      data.services.length === 0 ? h('p', {}, 'No service is registered under this prefix yet.') : table(['Service', 'Up#', 'Draining#', 'Lost#', 'Zones', 'Versions', 'Instances over time'], rows),
    );
  };
  view.onCatalog = debounce(() => render().catch(showError), 100);
  every(5000, () => render().catch(showError));
  await render();
}

// ---- Service ----

function instanceText(i) {
  return [i.id, i.address, i.state, i.zone, i.weight, i.version, i.tags.join(' '), JSON.stringify(i.meta), i.key, i.lease, i.registeredAt].join(' ').toLowerCase();
}

async function serviceView(name) {
  let filter = '';
  let data = null;
  const fetched = { at: Date.now() };
  const filterBox = h('input', { type: 'search', placeholder: 'Filter: any field, metadata included', 'aria-label': 'Filter instances', value: '' });
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
        config.allowWrites && !gone
          ? h('td', {}, i.state === 'draining' ? h('button', { onclick: act(i, 'undrain') }, 'Undrain') : h('button', { onclick: act(i, 'drain') }, 'Drain'))
          : config.allowWrites ? h('td', {}) : null);
    });
    const columns = ['ID', 'Address', 'Status', 'Zone', 'Weight#', 'Version', 'Tags', 'Metadata', 'TTL left#', 'Age#'];
    if (config.allowWrites) columns.push('Actions');
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
  main.replaceChildren(
    h('h1', {}, h('a', { href: '#/services' }, 'Services'), ' / ', name),
    h('div', { class: 'toolbar' }, filterBox),
    tableHolder,
    h('h2', {}, 'Event log'),
    logHolder,
  );
  view.onCatalog = (event) => {
    // A `reset` (events missed) carries no service: reload to be safe.
    if (event.service === name || event.service === undefined) refresh();
  };
  const refresh = debounce(() => render().catch(showError), 50);
  every(1000, drawTable);
  every(3000, () => render().catch(showError));
  await render();
}

function logLine(e) {
  const when = new Date(e.at).toLocaleTimeString();
  const what = e.kind === 'removed' ? `removed (${e.reason})` : e.kind === 'warning' ? `warning ${e.reason}` : e.kind;
  return h('li', {}, h('span', { class: 'muted mono' }, when), ' ', h('strong', {}, what), ' ', e.instance ? h('span', { class: 'mono' }, e.instance) : null,
    e.status ? h('span', { class: 'muted' }, ` status ${e.status}`) : null, e.key ? h('span', { class: 'muted mono' }, ` ${e.key}`) : null, e.message ? h('span', {}, ` ${e.message}`) : null);
}

// ---- Keys ----

function buildTree(keys, prefix, onPick, selected) {
  const root = { dirs: new Map(), leaves: [] };
  for (const k of keys) {
    const parts = k.key.slice(prefix.length).split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!node.dirs.has(part)) node.dirs.set(part, { dirs: new Map(), leaves: [] });
      node = node.dirs.get(part);
    }
    node.leaves.push({ label: parts[parts.length - 1] || '(empty)', kv: k });
  }
  const draw = (node) => h('ul', {},
    [...node.dirs.entries()].map(([label, child]) => h('li', {}, h('details', { open: true }, h('summary', {}, `${label}/`), draw(child)))),
    node.leaves.map((leaf) => h('li', {}, h('button', { type: 'button', 'data-key': leaf.kv.key, 'aria-current': leaf.kv.key === selected ? 'true' : 'false', onclick: () => onPick(leaf.kv.key) }, leaf.label))));
  return draw(root);
}

function valueAs(kv, format) {
  if (format === 'hex') return kv.hex.replace(/(..)/g, '$1 ').trim();
  if (format === 'json' && kv.kind === 'json') return JSON.stringify(JSON.parse(kv.text), null, 2);
  return kv.kind === 'binary' ? '(binary: see hex)' : kv.text;
}

async function keysView(params) {
  const prefix = params.get('prefix') || '';
  let selected = params.get('key') || '';
  let format = 'json';
  let data = null;
  const prefixBox = h('input', { type: 'text', value: prefix, 'aria-label': 'Key prefix', placeholder: 'prefix (empty: everything)' });
  const treeHolder = h('div', { class: 'tree', 'aria-label': 'Keys' });
  const detail = h('section', { 'aria-label': 'Selected key' });
  const status = h('p', { class: 'muted', role: 'status' });
  const open = () => {
    location.hash = `#/keys?${new URLSearchParams({ prefix: prefixBox.value })}`;
  };
  prefixBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') open();
  });
  const pick = (key) => {
    selected = key;
    draw();
  };
  const draw = () => {
    if (data === null) return;
    treeHolder.replaceChildren(data.keys.length === 0 ? h('p', { class: 'muted' }, 'No key under this prefix.') : buildTree(data.keys, prefix, pick, selected));
    const kv = data.keys.find((k) => k.key === selected);
    if (kv === undefined) {
      detail.replaceChildren(h('p', { class: 'muted' }, selected ? `${selected} does not exist (any more).` : 'Choose a key.'), putForm());
      return;
    }
    const select = h('select', { 'aria-label': 'Show value as' }, ['json', 'text', 'hex'].map((f) => h('option', { value: f, selected: f === format }, f === 'json' ? 'JSON (pretty)' : f)));
    select.addEventListener('change', () => {
      format = select.value;
      draw();
    });
    detail.replaceChildren(
      h('h2', { class: 'mono' }, kv.key),
      h('div', { class: 'toolbar' }, select, config.allowWrites ? h('button', { class: 'danger', onclick: () => remove(kv.key) }, 'Delete key') : null),
      h('pre', { class: 'value', 'data-value': 'true' }, valueAs(kv, format)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Kind'), h('dd', {}, `${kv.kind}, ${kv.size} bytes`),
        h('dt', {}, 'Lease'), h('dd', { class: 'mono' }, kv.lease || 'none'),
        h('dt', {}, 'TTL left'), h('dd', {}, kv.ttlLeft === null ? '–' : `${kv.ttlLeft}s`),
        h('dt', {}, 'Create revision'), h('dd', {}, kv.createRevision),
        h('dt', {}, 'Mod revision'), h('dd', {}, kv.modRevision),
        h('dt', {}, 'Version'), h('dd', {}, kv.version)),
      putForm(),
    );
  };
  const putForm = () => {
    if (!config.allowWrites) return h('p', { class: 'muted' }, 'Read-only: start the dashboard with --allow-writes (and a token) to edit keys.');
    const key = h('input', { type: 'text', 'aria-label': 'Key to put', placeholder: 'key', value: selected || prefix });
    const value = h('textarea', { 'aria-label': 'Value to put', placeholder: 'value' });
    const ttl = h('input', { type: 'number', min: '1', 'aria-label': 'TTL in seconds (empty: no lease)', placeholder: 'TTL seconds (optional)' });
    const form = h('form', { class: 'put', 'aria-label': 'Put a key' }, h('strong', {}, 'Put'), key, value, ttl,
      h('div', { class: 'toolbar' }, h('button', { type: 'submit' }, 'Put'), prefix ? h('button', { type: 'button', class: 'danger', onclick: removePrefix }, `Delete every key under ${prefix}`) : null));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('/api/kv', { method: 'POST', body: { key: key.value, value: value.value, ttl: ttl.value === '' ? null : Number(ttl.value) } });
        selected = key.value;
        status.textContent = `put ${key.value}`;
        await render();
      } catch (error) {
        status.textContent = `put failed: ${error.message}`;
      }
    });
    return form;
  };
  const remove = async (key) => {
    if (!window.confirm(`Delete ${key}?`)) return;
    try {
      await api(`/api/kv?${new URLSearchParams({ key })}`, { method: 'DELETE' });
      status.textContent = `deleted ${key}`;
      await render();
    } catch (error) {
      status.textContent = `delete failed: ${error.message}`;
    }
  };
  const removePrefix = async () => {
    if (!window.confirm(`Delete EVERY key under ${prefix}? This cannot be undone.`)) return;
    try {
      const result = await api(`/api/kv?${new URLSearchParams({ prefix, confirm: prefix })}`, { method: 'DELETE' });
      status.textContent = `deleted ${result.deleted} key(s) under ${prefix}`;
      await render();
    } catch (error) {
      status.textContent = `delete failed: ${error.message}`;
    }
  };
  const render = async () => {
    data = await api(`/api/kv?${new URLSearchParams({ prefix })}`);
    draw();
    status.textContent = `${data.keys.length}${data.more ? '+' : ''} key(s) at revision ${data.revision}; watching ${prefix || 'everything'}`;
  };
  main.replaceChildren(
    h('h1', {}, 'Keys'),
    h('div', { class: 'toolbar' }, prefixBox, h('button', { onclick: open }, 'Open')),
    status,
    h('div', { class: 'keys' }, treeHolder, detail),
  );
  stream(`/api/kv/events?${new URLSearchParams({ prefix })}`, debounce(() => render().catch(showError), 100), view.controller.signal);
  await render();
}

// ---- Cluster ----

async function clusterView() {
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
    main.replaceChildren(
      h('h1', {}, 'Cluster'),
      h('p', {}, `Cluster ${data.clusterId} · ${data.members.length} member(s) · revision ${data.revision} · `,
        data.compactRevision === 0 ? 'never compacted' : `compacted up to revision ${data.compactRevision}`),
      table(['Name', 'ID', 'Client URL', 'Role', 'Version', 'DB size#', 'Raft index#', 'Raft term#', 'Health'], rows),
    );
  };
  every(5000, () => render().catch(showError));
  await render();
}

// ---- Routing ----

function tokenForm(message) {
  const box = h('input', { type: 'password', 'aria-label': 'Dashboard token', autocomplete: 'off' });
  const form = h('form', {}, h('h1', {}, 'Token needed'), h('p', {}, message), box, ' ', h('button', { type: 'submit' }, 'Use token'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    token = box.value;
    sessionStorage.setItem('rollcall-token', token);
    void route();
  });
  main.replaceChildren(form);
  box.focus();
}

async function route() {
  view.controller.abort();
  view = { onCatalog: null, controller: new AbortController() };
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  const parts = path.split('/');
  const name = parts[0] || 'services';
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === (name === 'service' ? 'services' : name)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (config.tokenRequired && !token) {
    tokenForm('This dashboard needs its token: open the URL it printed (with #token=…) or paste the token.');
    return;
  }
  try {
    if (name === 'service' && parts[1]) await serviceView(decodeURIComponent(parts[1]));
    else if (name === 'keys') await keysView(new URLSearchParams(query || ''));
    else if (name === 'cluster') await clusterView();
    else await servicesView();
  } catch (error) {
    if (/token/.test(String(error.message))) tokenForm(error.message);
    else showError(error);
  }
}

async function start() {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    token = decodeURIComponent(fromHash[1]);
    sessionStorage.setItem('rollcall-token', token);
    history.replaceState(null, '', `${location.pathname}#/services`);
  }
  let ready = false;
  window.addEventListener('hashchange', () => {
    if (ready) void route();
  });
  try {
    config = await api('/api/config');
  } catch (error) {
    showError(error);
    return;
  }
  ready = true;
  const always = new AbortController();
  stream('/api/events', (event, data) => {
    if (event === 'catalog' && view.onCatalog) view.onCatalog(data);
    if (event === 'reset' && view.onCatalog) view.onCatalog({});
  }, always.signal, (ok) => {
    live.textContent = ok ? 'live' : 'reconnecting…';
    live.className = ok ? 'live ok' : 'live down';
  });
  await route();
}

void start();
