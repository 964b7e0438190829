// The keys view (#/keys?prefix=…): a tree by '/', a value as JSON, text or hex, and the writes.
/* global window, location, URLSearchParams */
import { debounce, h, showError } from './dom.js';
import { api, session, stream } from './net.js';

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

export async function keysView(ctx, params) {
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
      h('div', { class: 'toolbar' }, select, session.config.allowWrites ? h('button', { class: 'danger', onclick: () => remove(kv.key) }, 'Delete key') : null),
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
    if (!session.config.allowWrites) return h('p', { class: 'muted' }, 'Read-only: start the dashboard with --allow-writes (and a token) to edit keys.');
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
  ctx.show(
    h('h1', {}, 'Keys'),
    h('div', { class: 'toolbar' }, prefixBox, h('button', { onclick: open }, 'Open')),
    status,
    h('div', { class: 'keys' }, treeHolder, detail),
  );
  stream(`/api/kv/events?${new URLSearchParams({ prefix })}`, debounce(() => render().catch(showError), 100), ctx.signal);
  await render();
}

