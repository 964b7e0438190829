// rollcall dashboard front end. No framework, no network beyond this server. Everything that
// comes from etcd is put on the page as text nodes (textContent) or attribute values, never as
// HTML: instance metadata is untrusted.
/* global document, window, sessionStorage, location, history, setInterval, clearInterval, URLSearchParams, AbortController */
import { h, main, showError } from './dom.js';
import { api, session, stream } from './net.js';
import { clusterView } from './view-cluster.js';
import { keysView } from './view-keys.js';
import { serviceView, servicesView } from './view-services.js';

const live = document.getElementById('live');

/**
 * A view's context: its catalog-event handler, the signal that ends its streams and timers, and
 * show(), which puts its content on the page only while it is still the current view: a view whose
 * fetch answers after the user (or a quick hash change) moved on must not paint over the new one.
 */
function newView() {
  const controller = new AbortController();
  return {
    onCatalog: null,
    signal: controller.signal,
    abort: () => controller.abort(),
    show: (...nodes) => {
      if (!controller.signal.aborted) main.replaceChildren(...nodes);
    },
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      controller.signal.addEventListener('abort', () => clearInterval(timer));
    },
  };
}

let view = newView();

function tokenForm(message) {
  const box = h('input', { type: 'password', 'aria-label': 'Dashboard token', autocomplete: 'off' });
  const form = h('form', {}, h('h1', {}, 'Token needed'), h('p', {}, message), box, ' ', h('button', { type: 'submit' }, 'Use token'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    session.token = box.value;
    sessionStorage.setItem('rollcall-token', session.token);
    void route();
  });
  main.replaceChildren(form);
  box.focus();
}

async function route() {
  view.abort();
  view = newView();
  const current = view;
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  const parts = path.split('/');
  const name = parts[0] || 'services';
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === (name === 'service' ? 'services' : name)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (session.config.tokenRequired && !session.token) {
    tokenForm('This dashboard needs its token: open the URL it printed (with #token=…) or paste the token.');
    return;
  }
  try {
    if (name === 'service' && parts[1]) await serviceView(view, decodeURIComponent(parts[1]));
    else if (name === 'keys') await keysView(view, new URLSearchParams(query || ''));
    else if (name === 'cluster') await clusterView(view);
    else await servicesView(view);
  } catch (error) {
    if (current.signal.aborted) return; // a later route owns the page now
    if (/token/.test(String(error.message))) tokenForm(error.message);
    else showError(error);
  }
}

async function start() {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    session.token = decodeURIComponent(fromHash[1]);
    sessionStorage.setItem('rollcall-token', session.token);
    history.replaceState(null, '', `${location.pathname}#/services`);
  }
  let ready = false;
  window.addEventListener('hashchange', () => {
    if (ready) void route();
  });
  try {
    session.config = await api('/api/config');
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
