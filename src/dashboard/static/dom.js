// DOM helpers of the dashboard's front end. Everything from etcd reaches the page through h():
// text nodes and attribute values only, never HTML.
/* global document, setTimeout, clearTimeout */

export const main = document.getElementById('main');
const SVG = 'http://www.w3.org/2000/svg';

export function h(tag, attrs, ...children) {
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

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}


export function debounce(fn, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}


export function table(columns, rows) {
  // A column name ending in '#' is numeric: right-aligned like its cells.
  const head = columns.map((c) => (c.endsWith('#') ? h('th', { scope: 'col', class: 'num' }, c.slice(0, -1)) : h('th', { scope: 'col' }, c)));
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}

export function showError(error) {
  main.replaceChildren(h('p', { class: 'error', role: 'alert' }, String(error && error.message ? error.message : error)));
}

export function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

export function bytes(n) {
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

export function sparkline(points) {
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

