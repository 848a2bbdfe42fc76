// DynAMOS Control Center: renders the pictures the server pushes (Server-Sent Events) and sends the
// page's actions as POSTs with the access token in a header. No libraries; charts are drawn on canvases.
'use strict';

const TOKEN = document.querySelector('meta[name="dynamos-token"]').content;
// The token stays in the page (and the HttpOnly cookie), not in the address bar or its history.
if (location.search.includes('token=')) {
  history.replaceState(null, '', '/');
}

const WINDOW_MS = 5 * 60 * 1000;
const PALETTE = ['#0b5cad', '#c0392b', '#1e7b34', '#8e44ad', '#b35900', '#00798c', '#6d4c41', '#c2185b'];
const state = {
  history: [],         // [{t, rates: {"name/id/version": callsPerSecond}}]
  picture: null,       // {view, error}
  colors: new Map(),   // version key -> colour
  latency: new Map(),  // monitor id -> recent histograms over time
  busy: false,
};

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'type' || k === 'name'
        || k === 'value' || k === 'id' || k === 'for' || k === 'scope' || k === 'colspan' || k === 'title') e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
};

function fmtRate(r) {
  if (r >= 1000) return Math.round(r).toLocaleString('en');
  return r.toFixed(1);
}

function fmtNs(ns) {
  if (ns < 0) return '-';
  const units = ['ns', 'us', 'ms', 's'];
  let v = ns, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return (v >= 100 || v === Math.round(v) ? v.toFixed(0) : v.toFixed(1)) + units[u];
}

function showAlert(text) {
  const a = $('#alert');
  if (!text) { a.hidden = true; a.textContent = ''; return; }
  a.textContent = text;
  a.hidden = false;
}

function colorOf(key) {
  if (!state.colors.has(key)) state.colors.set(key, PALETTE[state.colors.size % PALETTE.length]);
  return state.colors.get(key);
}

// ---- server calls ----

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-DynAMOS-Token': TOKEN},
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  let answer;
  try { answer = await r.json(); } catch (e) { answer = {error: 'HTTP ' + r.status}; }
  return {http: r.status, answer};
}

// Runs an operation (a dynamos command) and reports its outcome; its lines arrive as 'op' events meanwhile.
async function operate(path, body) {
  if (state.busy) { showAlert('Another operation is running; wait for it to end.'); return null; }
  state.busy = true;
  document.body.setAttribute('aria-busy', 'true');
  showAlert('');
  try {
    const {http, answer} = await post(path, body);
    if (http !== 200) {
      showAlert(answer.error || ('HTTP ' + http));
      return null;
    }
    if (answer.status !== undefined && answer.status !== 0) {
      showAlert((answer.err || []).join('\n') || (answer.command + ' failed with exit status ' + answer.status));
    } else if (answer.message) {
      oplog(answer.message, 'ok');
    }
    return answer;
  } catch (e) {
    showAlert('The Control Center did not answer: ' + e.message);
    return null;
  } finally {
    state.busy = false;
    document.body.removeAttribute('aria-busy');
  }
}

function oplog(text, cls) {
  const log = $('#oplog');
  const line = el('div', {class: cls || '', text});
  log.append(line);
  while (log.childNodes.length > 400) log.firstChild.remove();
  log.scrollTop = log.scrollHeight;
}

// ---- the version table ----

function updateKey(u) { return u.name + '/' + u.id; }

function renderUpdates(view) {
  const table = $('#versions');
  const keys = new Set(view.updates.map(updateKey));
  for (const tb of [...table.tBodies]) {
    if (!keys.has(tb.dataset.update)) tb.remove();
  }
  $('#no-updates').hidden = view.updates.length > 0;
  let before = null;
  for (const u of [...view.updates].reverse()) {
    const key = updateKey(u);
    let tb = [...table.tBodies].find(b => b.dataset.update === key);
    if (!tb) {
      tb = buildUpdate(u);
      table.insertBefore(tb, before);
    } else if (before && tb.nextSibling !== before) {
      table.insertBefore(tb, before);
    }
    fillUpdate(tb, u);
    before = tb;
  }
  fillSelects(view);
}

function buildUpdate(u) {
  const key = updateKey(u);
  const tb = el('tbody', {'data-update': key});
  const head = el('th', {colspan: '5', scope: 'rowgroup'});
  head.append(el('strong', {text: u.name}), el('span', {class: 'meta', text: 'id ' + u.id}),
      el('span', {class: 'meta code', 'data-field': 'function'}), el('span', {class: 'info', 'data-field': 'info'}));
  const revertButton = el('button', {type: 'button', class: 'danger', 'data-action': 'revert', 'data-name': u.name,
    text: 'Revert', 'aria-label': 'Revert update ' + u.name});
  revertButton.addEventListener('click', () => revert(u.name));
  const none = el('label', {}, el('input', {type: 'radio', name: 'group-' + key, value: '0', checked: true,
    'aria-label': 'Group: leave ' + u.name + ' ' + u.id + ' out'}), ' none');
  tb.append(el('tr', {class: 'update'}, head, el('td', {}, revertButton), el('td', {}, none)));
  return tb;
}

function fillUpdate(tb, u) {
  const key = updateKey(u);
  $('[data-field=function]', tb).textContent = u.function;
  const busy = u.busyTasks < 0 ? '' : ', busy tasks ' + u.busyTasks;
  $('[data-field=info]', tb).textContent = 'path ' + u.path + ', handler ' + (u.handler || 'none') + ', phase '
      + u.phase + ', must_update ' + (u.mustUpdate ? 'yes' : 'no') + busy;
  const rows = new Map([...tb.querySelectorAll('tr.version')].map(r => [Number(r.dataset.version), r]));
  for (const v of u.versions) {
    let r = rows.get(v.version);
    rows.delete(v.version);
    const vkey = key + '/' + v.version;
    if (!r) {
      r = el('tr', {class: 'version', 'data-version': String(v.version), 'data-key': vkey});
      const activate = el('button', {type: 'button', 'data-action': 'activate', text: 'Activate',
        'aria-label': 'Activate version ' + v.version + ' of ' + u.name + ' ' + u.id});
      activate.addEventListener('click', () => operate('/api/activate', {name: u.name, id: u.id, version: v.version}));
      const radio = el('input', {type: 'radio', name: 'group-' + key, value: String(v.version),
        'aria-label': 'Group: version ' + v.version + ' of ' + u.name + ' ' + u.id});
      r.append(el('th', {scope: 'row'}, el('span', {class: 'sw', 'data-field': 'swatch'}), 'v' + v.version),
          el('td', {class: 'code', 'data-field': 'code', title: 'module ' + v.module}), el('td', {'data-field': 'state'}), el('td', {class: 'num', 'data-field': 'calls'}),
          el('td', {class: 'num', 'data-field': 'rate'}), el('td', {}, activate), el('td', {}, radio));
      tb.append(r);
    }
    r.classList.toggle('active', v.active);
    $('[data-field=code]', r).textContent = v.function;
    const st = $('[data-field=state]', r);
    st.replaceChildren(v.active ? el('span', {class: 'badge', text: 'active'}) : '', v.active ? ' ' : '', v.state);
    $('[data-field=calls]', r).textContent = v.calls.toLocaleString('en');
    $('[data-field=rate]', r).textContent = fmtRate(v.callsPerSecond);
    const sw = $('[data-field=swatch]', r);
    sw.style.cssText = 'display:inline-block;width:10px;height:10px;margin-right:4px;background:' + colorOf(vkey);
    const b = $('[data-action=activate]', r);
    b.disabled = v.active || v.state !== 'live';
  }
  for (const r of rows.values()) r.remove();
}

function fillSelects(view) {
  const names = [...new Set(view.updates.map(u => u.name))];
  syncOptions($('#state-name'), names.map(n => [n, n]));
  syncOptions($('#handler-target'), view.updates.map(u => [updateKey(u), u.name + ' ' + u.id]));
}

function syncOptions(select, pairs) {
  const want = pairs.map(p => p[0]).join('\n');
  const have = [...select.options].map(o => o.value).join('\n');
  if (want === have) return;
  const keep = select.value;
  select.replaceChildren(...pairs.map(([v, t]) => el('option', {value: v, text: t})));
  if (pairs.some(p => p[0] === keep)) select.value = keep;
}

async function revert(name) {
  if (!confirm('Revert ' + name + '? Its functions go back to their originals and its module is unloaded.')) return;
  await operate('/api/revert', {name});
}

// ---- the chart ----

function drawChart() {
  const c = $('#chart');
  const ctx = c.getContext('2d');
  const w = c.width, h = c.height, left = 56, bottom = 20, top = 8, right = 8;
  ctx.clearRect(0, 0, w, h);
  const now = state.history.length ? state.history[state.history.length - 1].t : Date.now();
  const from = now - WINDOW_MS;
  const points = state.history.filter(p => p.t >= from);
  const keys = new Set();
  let max = 1;
  for (const p of points) for (const [k, v] of Object.entries(p.rates)) { keys.add(k); max = Math.max(max, v); }
  max = niceMax(max);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#4a4a4a';
  ctx.strokeStyle = '#dddddd';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + (h - top - bottom) * i / 4;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - right, y); ctx.stroke();
    ctx.fillText(fmtRate(max * (4 - i) / 4).replace('.0', ''), 4, y + 4);
  }
  for (let m = 0; m <= 5; m++) {
    const x = left + (w - left - right) * m / 5;
    ctx.fillText(m === 5 ? 'now' : '-' + (5 - m) + ' min', x - 14, h - 5);
  }
  const xOf = t => left + (w - left - right) * (t - from) / WINDOW_MS;
  const yOf = v => top + (h - top - bottom) * (1 - v / max);
  ctx.lineWidth = 2;
  const legend = $('#legend');
  const items = [];
  for (const k of keys) {
    ctx.strokeStyle = colorOf(k);
    ctx.beginPath();
    let started = false;
    for (const p of points) {
      const v = p.rates[k];
      if (v === undefined) { started = false; continue; }
      if (!started) { ctx.moveTo(xOf(p.t), yOf(v)); started = true; } else ctx.lineTo(xOf(p.t), yOf(v));
    }
    ctx.stroke();
    const lastRate = points.length ? points[points.length - 1].rates[k] : undefined;
    items.push([k, lastRate]);
  }
  const text = items.map(([k, r]) => k + (r === undefined ? ' (gone)' : ': ' + fmtRate(r) + ' calls/s')).join(', ');
  c.setAttribute('aria-label', 'Chart of calls per second per version (name/id/version) over the last 5 minutes. Now: '
      + (text || 'no updates'));
  legend.replaceChildren(...items.map(([k, r]) => el('li', {},
      el('span', {class: 'sw', style: 'background:' + colorOf(k)}), k + (r === undefined ? ' (gone)' : ''))));
}

function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// ---- monitors ----

function renderMonitors(view) {
  const list = $('#monitor-list');
  $('#no-monitors').hidden = view.monitors.length > 0;
  const ids = new Set(view.monitors.map(m => String(m.id)));
  for (const d of [...list.children]) if (!ids.has(d.dataset.monitor)) { d.remove(); state.latency.delete(Number(d.dataset.monitor)); }
  for (const m of view.monitors) {
    let d = [...list.children].find(x => x.dataset.monitor === String(m.id));
    if (!d) {
      const stop = el('button', {type: 'button', class: 'danger', text: 'Stop', 'aria-label': 'Stop monitoring ' + m.function});
      stop.addEventListener('click', () => operate('/api/monitor/stop', {id: m.id}));
      d = el('div', {class: 'monitor', 'data-monitor': String(m.id)},
          el('div', {class: 'head'}, el('strong', {class: 'code', text: m.function}), el('span', {'data-field': 'stats'}), stop),
          el('div', {class: 'versions', 'data-field': 'versions'}),
          el('canvas', {width: '520', height: '90', role: 'img', 'data-field': 'hist'}));
      list.append(d);
    }
    const series = state.latency.get(m.id) || [];
    series.push(m.recentLatency);
    while (series.length > 120) series.shift();
    state.latency.set(m.id, series);
    const median = quantile(m.latency, 0.5), recent = quantile(m.recentLatency, 0.5);
    $('[data-field=stats]', d).textContent = fmtRate(m.callsPerSecond) + ' calls/s, ' + m.calls.toLocaleString('en')
        + ' calls, median ' + fmtNs(median) + ' (last second ' + fmtNs(recent) + ')' + (m.missed ? ', ' + m.missed + ' missed' : '');
    // Calls per version since the monitor started, when updates replace the function.
    $('[data-field=versions]', d).textContent = m.versions.length === 0 ? ''
        : 'calls per version: ' + m.versions.map(x => x.update + ' ' + x.id + ' v' + x.version + ' '
            + x.calls.toLocaleString('en')).join(' · ');
    drawLatency($('[data-field=hist]', d), m.latency, series, m.function, median);
  }
}

function quantile(hist, q) {
  const total = hist.reduce((a, b) => a + b, 0);
  if (!total) return -1;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= q * total && hist[i] > 0) return i === 0 ? 1 : Math.pow(2, i) * Math.SQRT2;
  }
  return Math.pow(2, hist.length - 1);
}

// Left: the histogram since the monitor started (log2 buckets); right: the last two minutes, one column a
// second, darker where more calls took that long.
function drawLatency(c, hist, series, fn, median) {
  const ctx = c.getContext('2d');
  const w = c.width, h = c.height, half = Math.floor(w * 0.55);
  ctx.clearRect(0, 0, w, h);
  let lo = hist.findIndex(v => v > 0), hi = hist.length - 1 - [...hist].reverse().findIndex(v => v > 0);
  for (const s of series) {
    const a = s.findIndex(v => v > 0);
    if (a >= 0) { lo = lo < 0 ? a : Math.min(lo, a); hi = Math.max(hi, s.length - 1 - [...s].reverse().findIndex(v => v > 0)); }
  }
  ctx.font = '10px sans-serif';
  ctx.fillStyle = '#4a4a4a';
  if (lo < 0) {
    ctx.fillText('no calls timed yet', 8, h / 2);
    c.setAttribute('aria-label', 'Latency of ' + fn + ': no calls timed yet');
    return;
  }
  lo = Math.max(0, lo - 1); hi = Math.min(hist.length - 1, hi + 1);
  const n = hi - lo + 1, max = Math.max(...hist.slice(lo, hi + 1), 1), bw = (half - 10) / n, base = h - 14;
  for (let i = 0; i < n; i++) {
    const v = hist[lo + i], bh = (base - 4) * v / max;
    ctx.fillStyle = '#0b5cad';
    ctx.fillRect(4 + i * bw, base - bh, Math.max(1, bw - 1), bh);
  }
  ctx.fillStyle = '#4a4a4a';
  ctx.fillText(fmtNs(Math.pow(2, lo)), 4, h - 3);
  ctx.fillText(fmtNs(Math.pow(2, hi)), half - 34, h - 3);
  const cols = series.length, cw = (w - half - 8) / 120, rowH = (base - 4) / n;
  for (let t = 0; t < cols; t++) {
    const s = series[t], m = Math.max(...s.slice(lo, hi + 1), 0);
    for (let i = 0; i < n && m > 0; i++) {
      const v = s[lo + i];
      if (!v) continue;
      ctx.fillStyle = 'rgba(11,92,173,' + (0.15 + 0.85 * v / m).toFixed(2) + ')';
      ctx.fillRect(half + 4 + (120 - cols + t) * cw, base - (i + 1) * rowH, Math.max(1, cw), rowH);
    }
  }
  ctx.fillStyle = '#4a4a4a';
  ctx.fillText('last 2 min', half + 4, h - 3);
  c.setAttribute('aria-label', 'Latency histogram of ' + fn + ': from ' + fmtNs(Math.pow(2, lo)) + ' to '
      + fmtNs(Math.pow(2, hi + 1)) + ', median ' + fmtNs(median));
}

// ---- kernel log ----

function addLog(entries) {
  const pre = $('#kmsg');
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  for (const e of entries) {
    if (pre.querySelector('[data-seq="' + e.seq + '"]')) continue;
    const line = el('div', {'data-seq': String(e.seq), class: e.level <= 3 ? 'err' : '',
      text: '[' + (e.micros / 1e6).toFixed(6).padStart(12) + '] ' + e.text});
    const after = [...pre.children].find(x => Number(x.dataset.seq) > e.seq);
    pre.insertBefore(line, after || null);
  }
  while (pre.children.length > 500) pre.firstChild.remove();
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

// ---- live pictures ----

function render(picture) {
  state.picture = picture;
  const v = picture.view;
  const when = new Date(v.atMillis).toLocaleTimeString();
  const fw = v.framework ? 'framework ' + v.framework : 'framework not started';
  $('#status').textContent = fw + ' · ' + v.updates.length + ' update(s) · ' + v.monitors.length
      + ' monitor(s) · live, ' + when + (picture.error ? ' · ' + picture.error : '');
  renderUpdates(v);
  renderMonitors(v);
  drawChart();
}

function onView(picture) {
  const rates = {};
  for (const u of picture.view.updates) for (const ver of u.versions) rates[u.name + '/' + u.id + '/' + ver.version] = Math.round(ver.callsPerSecond * 10) / 10;
  state.history.push({t: picture.view.atMillis, rates});
  const from = picture.view.atMillis - WINDOW_MS - 5000;
  while (state.history.length && state.history[0].t < from) state.history.shift();
  render(picture);
}

function connect() {
  const es = new EventSource('/api/events');
  es.addEventListener('hello', ev => {
    const h = JSON.parse(ev.data);
    state.history = h.history;
    addLog(h.log);
    render(h.picture);
  });
  es.addEventListener('view', ev => onView(JSON.parse(ev.data)));
  es.addEventListener('log', ev => addLog([JSON.parse(ev.data)]));
  es.addEventListener('op', ev => {
    const o = JSON.parse(ev.data);
    if (o.phase === 'start') oplog('$ ' + o.command, 'cmd');
    else if (o.phase === 'line') oplog(o.text, o.stream === 'err' ? 'err' : '');
    else oplog((o.status === 0 ? 'done' : 'failed, exit status ' + o.status) + ': ' + o.command, o.status === 0 ? 'ok' : 'err');
  });
  es.onerror = () => { $('#status').textContent = 'Disconnected from the Control Center; reconnecting…'; };
}

// ---- forms ----

function wire() {
  $('#apply-form').addEventListener('submit', ev => {
    ev.preventDefault();
    operate('/api/apply', {path: $('#apply-path').value.trim()});
  });
  $('#group-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const members = [];
    for (const u of (state.picture ? state.picture.view.updates : [])) {
      const chosen = document.querySelector('input[name="group-' + CSS.escape(updateKey(u)) + '"]:checked');
      if (chosen && chosen.value !== '0') members.push({name: u.name, id: u.id, version: Number(chosen.value)});
    }
    if (!members.length) { showAlert('Choose a version of at least one update in the Group column first.'); return; }
    operate('/api/activate-group', {members});
  });
  $('#state-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const body = {name: $('#state-name').value};
    const phase = $('#state-phase').value.trim();
    if (phase !== '') body.phase = phase;
    const must = $('#state-must').value;
    if (must !== '') body.mustUpdate = must === 'true';
    operate('/api/state', body);
  });
  const target = () => {
    const v = $('#handler-target').value, i = v.lastIndexOf('/');
    return {name: v.slice(0, i), id: Number(v.slice(i + 1))};
  };
  $('#handler-form').addEventListener('submit', ev => {
    ev.preventDefault();
    operate('/api/handler', {...target(), function: $('#handler-fn').value.trim()});
  });
  $('#handler-clear').addEventListener('click', () => operate('/api/handler', {...target(), clear: true}));
  $('#monitor-form').addEventListener('submit', ev => {
    ev.preventDefault();
    operate('/api/monitor/start', {function: $('#monitor-fn').value.trim(), byCaller: $('#monitor-callers').checked});
  });
}

wire();
connect();
