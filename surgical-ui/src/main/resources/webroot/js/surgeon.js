// Surgeon's page: stream picker and grid, layer toggles and opacity, low-confidence legend, alert sound,
// no-go zone drawing, recording and replay (session-panel.js) for the focused stream, and a latency panel.
import { StreamView } from './stream-view.js';
import { ZoneEditor } from './zones.js';
import { plotLatency } from './stats.js';
import { SessionPanel } from './session-panel.js';
import { NeedleMarker } from './needle-marks.js';
import { STAGES } from './stream-client.js';
import { loginAgainIfRefused } from './access.js';

const q = new URLSearchParams(location.search);
const grid = document.getElementById('grid');
const streamsEl = document.getElementById('streams');
const encodingEl = document.getElementById('encoding');
const burnedEl = document.getElementById('burned');
const opacityEl = document.getElementById('opacity');
const soundEl = document.getElementById('sound');
const editBtn = document.getElementById('edit-zones');
const deleteBtn = document.getElementById('delete-zone');
const zoneStatus = document.getElementById('zone-status');
const plot = document.getElementById('plot');

const saved = JSON.parse(localStorage.getItem('intravis.surgeon') || '{}');
const layers = { tips: true, line: true, vessel: true, nerve: true, nogo: true, labels: true, heatmap: false,
  ...(saved.layers || {}) };
let opacity = saved.opacity ?? 1;
encodingEl.value = q.get('encoding') || saved.encoding || 'auto';
burnedEl.checked = q.get('variant') === 'burned';
soundEl.checked = !!saved.sound;
opacityEl.value = opacity;
for (const box of document.querySelectorAll('input[data-layer]')) box.checked = !!layers[box.dataset.layer];

const views = new Map();      // stream id -> {view, tile, editor}
const replayed = new Set();   // ids of the streams that replay a recording (from /api/streams)
const session = new SessionPanel(); // recording and replay of the focused stream
let focused = null;
let editing = false;
const marker = new NeedleMarker(session, { // needle marks on a paused replay take the canvas from zone editing
  view: () => (focused && views.get(focused) ? views.get(focused).view : null),
  started: () => { if (editing) toggleEditing(); },
  stopped: (view) => {
    const v = [...views.values()].find((e) => e.view === view);
    if (v) { view.editor = v.editor; v.editor.redraw(); }
  },
});
session.onReplay = () => marker.onReplay();

function persist() {
  localStorage.setItem('intravis.surgeon', JSON.stringify({
    layers, opacity, encoding: encodingEl.value, sound: soundEl.checked,
  }));
}

const CAPTION_EVERY_MS = 250; // a tile's caption (its frame number) is rewritten at most this often

function addTile(id) {
  const tile = document.createElement('div');
  tile.className = 'tile';
  tile.dataset.stream = id;
  const holder = document.createElement('div');
  const caption = document.createElement('div');
  caption.className = 'caption';
  caption.textContent = id;
  tile.append(holder, caption);
  let captionAt = -Infinity;
  grid.append(tile);
  const view = new StreamView(holder, {
    stream: id,
    encoding: encodingEl.value,
    variant: burnedEl.checked ? 'burned' : 'clean',
    layers: { ...layers },
    opacity,
    sound: soundEl.checked,
    onFrameDrawn: (h, v) => {
      // four times a second, not with every frame: each write lays the page out again, and the next frame waits
      // behind it (stream-view.js writes its badges only when they change, for the same reason)
      const now = performance.now();
      if (now - captionAt < CAPTION_EVERY_MS) return;
      captionAt = now;
      const s = v.client;
      caption.textContent = `${id} · ${s.encoding}${s.codec && s.encoding === 'h264' ? ` ${s.codec}` : ''} · ${h.width}x${h.height}`
        + ` · frame ${h.frameId}`;
    },
  }).start();
  const editor = new ZoneEditor(view, (text) => { if (focused === id) zoneStatus.textContent = text; });
  editor.load();
  tile.addEventListener('mousedown', () => focus(id), true);
  views.set(id, { view, tile, editor });
  grid.className = `n${Math.min(4, views.size)}`;
  if (!focused) focus(id);
}

function removeTile(id) {
  const v = views.get(id);
  if (!v) return;
  v.editor.close();
  v.view.stop();
  v.tile.remove();
  views.delete(id);
  grid.className = `n${Math.min(4, Math.max(1, views.size))}`;
  if (focused === id) focus(views.keys().next().value || null);
}

function focus(id) {
  if (focused === id) return;
  if (focused && views.has(focused)) {
    views.get(focused).tile.classList.remove('focused');
    views.get(focused).editor.enable(false);
  }
  focused = id;
  session.focus(id, replayed.has(id));
  marker.focus(id, replayed.has(id));
  if (!id) return;
  const v = views.get(id);
  v.tile.classList.add('focused');
  v.editor.enable(editing);
  zoneStatus.textContent = `${id}: ${v.editor.zones.length} no-go zone(s)`;
  document.getElementById('display-link').href = `/display?stream=${encodeURIComponent(id)}`;
}

function rebuildAll() {
  const ids = [...views.keys()];
  ids.forEach(removeTile);
  ids.forEach(addTile);
}

async function loadStreams() {
  let list = [];
  try {
    const r = await fetch('/api/streams', { cache: 'no-store' });
    if (loginAgainIfRefused(r)) return;
    list = await r.json();
  } catch (e) {
    streamsEl.textContent = 'streams: server unreachable, retrying…';
    setTimeout(loadStreams, 2000);
    return;
  }
  for (const s of list) if (s.replay) replayed.add(s.id);
  const wanted = q.get('stream') ? q.get('stream').split(',') : list.slice(0, 4).map((s) => s.id);
  streamsEl.textContent = 'streams: ';
  for (const s of list) { // built as nodes, not HTML: an id is text even if the configuration's check let one through
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = s.id;
    label.append(box, ` ${s.id}`);
    box.checked = wanted.includes(s.id);
    box.addEventListener('change', () => (box.checked ? addTile(s.id) : removeTile(s.id)));
    streamsEl.append(label, ' ');
  }
  for (const id of wanted) if (list.some((s) => s.id === id)) addTile(id);
}

for (const box of document.querySelectorAll('input[data-layer]')) {
  box.addEventListener('change', () => {
    layers[box.dataset.layer] = box.checked;
    for (const { view } of views.values()) view.setLayers({ [box.dataset.layer]: box.checked });
    persist();
  });
}
opacityEl.addEventListener('input', () => {
  opacity = Number(opacityEl.value);
  for (const { view } of views.values()) view.setOpacity(opacity);
  persist();
});
soundEl.addEventListener('change', () => {
  for (const { view } of views.values()) view.opts.sound = soundEl.checked;
  persist();
});
encodingEl.addEventListener('change', () => { persist(); rebuildAll(); });
burnedEl.addEventListener('change', rebuildAll);
function toggleEditing() {
  editing = !editing;
  if (editing) marker.stop();
  editBtn.classList.toggle('active', editing);
  editBtn.textContent = editing ? 'done editing' : 'edit zones';
  if (focused) views.get(focused).editor.enable(editing);
  zoneStatus.textContent = editing
    ? 'Click to start a polygon, click to add points, click the first point (or double-click) to close. '
      + 'Drag a corner to move it; select a zone and press Delete to remove it.'
    : `${focused}: zones saved on the server`;
}
editBtn.addEventListener('click', toggleEditing);
deleteBtn.addEventListener('click', () => { if (focused) views.get(focused).editor.deleteSelected(); });

function fmt(ms) {
  return Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : '–';
}

// where glass-to-glass goes, per stage (stream-client.js STAGES): a row each under the glass-to-glass rows
const STAGE_LABELS = { encode: 'encode', network: 'send + network', decode: 'decode', draw: 'draw' };
const stageCells = new Map();
{
  let after = document.getElementById('lat-p99').parentElement;
  for (const k of STAGES) {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = `  ${STAGE_LABELS[k]} p50 / p99`;
    const cell = document.createElement('td');
    cell.textContent = '–';
    tr.append(name, cell);
    after.after(tr);
    after = tr;
    stageCells.set(k, cell);
  }
}

// the encoders' rate steps under load, as docs/protocol.md gives them (overlay field encoderStep)
const ENCODER_RATES = ['every frame', '3 of 4 frames', '2 of 3 frames', '1 of 2 frames'];

/** Writes a cell only when its words change: each write costs the page a style and layout pass beside the video. */
function setText(id, text) {
  const el = typeof id === 'string' ? document.getElementById(id) : id;
  if (el.textContent !== text) el.textContent = text;
}

setInterval(() => {
  const v = focused && views.get(focused);
  if (!v) return;
  const s = v.view.snapshot();
  setText('lat-p50', fmt(s.g2gP50));
  setText('lat-p99', fmt(s.g2gP99));
  for (const [k, cell] of stageCells) {
    const f = s.stages[k];
    setText(cell, Number.isFinite(f.p50) ? `${f.p50.toFixed(1)} / ${f.p99.toFixed(1)} ms` : '–');
  }
  setText('lat-decoded', String(s.decoded));
  const serverDropped = s.serverStats ? s.serverStats.client.framesDropped : '–';
  setText('lat-dropped', `${s.dropped} / ${serverDropped}`);
  // under load the server encodes fewer frames (the overlay's encoderStep, docs/protocol.md): say how many
  const step = s.drawnOverlay ? s.drawnOverlay.encoderStep : 0;
  const thinned = step > 0 ? `, ${ENCODER_RATES[step] || 'fewer frames'}` : '';
  setText('lat-video', `${s.encoding}${s.codec ? ` ${s.codec}` : ''}${thinned}`);
  setText('lat-clock', Number.isFinite(s.clockRttMs)
    ? `${s.clockOffsetMs.toFixed(1)} (±${(s.clockRttMs / 2).toFixed(1)}) ms` : '–');
  plotLatency(plot, v.view.client.latency, v.view.staleAfterMs);
}, 250);

window.intravis = {
  views: new Proxy({}, { get: (_, id) => views.get(id)?.view }),
  snapshot: (id) => views.get(id || focused)?.view.snapshot(),
  editor: (id) => views.get(id || focused)?.editor,
  session,
  marker,
  focus,
};
loadStreams();
