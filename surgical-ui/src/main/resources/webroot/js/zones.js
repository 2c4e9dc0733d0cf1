// Surgeon-drawn no-go polygons: draw, move vertices, delete; stored with GET/PUT /api/streams/{id}/zones as
// [{"id": 1, "label": "no-go 1", "points": [[x, y], ...]}] in frame pixel coordinates (docs/protocol.md).

const CLOSE_RADIUS_PX = 12; // on screen

export function zonesUrl(stream) {
  return `/api/streams/${encodeURIComponent(stream)}/zones`;
}

/** The stream's stored zones and their tag (the ETag a save names, so that it cannot undo another screen's edit). */
export async function loadZones(stream) {
  const r = await fetch(zonesUrl(stream), { cache: 'no-store' });
  if (r.status === 404) return { zones: [], tag: null };
  if (!r.ok) throw new Error(`GET zones: HTTP ${r.status}`);
  const zones = await r.json();
  return { zones: Array.isArray(zones) ? zones : [], tag: r.headers.get('etag') };
}

/**
 * Stores {@code zones} if the stored ones are still those tagged {@code tag}: {changed: false, tag} when stored,
 * {changed: true, zones, tag} with the zones as they are now when another screen changed them first.
 */
export async function saveZones(stream, zones, tag) {
  const headers = { 'content-type': 'application/json' };
  if (tag) headers['if-match'] = tag;
  const r = await fetch(zonesUrl(stream), { method: 'PUT', headers, body: JSON.stringify(zones) });
  if (r.status === 412) {
    const now = await r.json();
    return { changed: true, zones: Array.isArray(now.zones) ? now.zones : [], tag: r.headers.get('etag') };
  }
  if (!r.ok) throw new Error(`PUT zones: HTTP ${r.status} ${await r.text()}`);
  return { changed: false, tag: r.headers.get('etag') };
}

function copyOf(zones) {
  return zones.map((z) => ({ ...z, points: z.points.map(([x, y]) => [x, y]) }));
}

function nextIdOf(zones) {
  return zones.reduce((m, z) => Math.max(m, Number(z.id) || 0), 0) + 1;
}

/** Frame pixel coordinates of a mouse event on a canvas shown with object-fit: contain. */
export function toFrame(canvas, clientX, clientY) {
  const r = canvas.getBoundingClientRect();
  const scale = Math.min(r.width / canvas.width, r.height / canvas.height);
  const ox = r.left + (r.width - canvas.width * scale) / 2;
  const oy = r.top + (r.height - canvas.height * scale) / 2;
  return [(clientX - ox) / scale, (clientY - oy) / scale];
}

function screenScale(canvas) {
  const r = canvas.getBoundingClientRect();
  return Math.min(r.width / canvas.width, r.height / canvas.height) || 1;
}

function inside(points, x, y) {
  let hit = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

export class ZoneEditor {
  /** @param view a StreamView (its editor canvas takes the mouse while editing) */
  constructor(view, onStatus) {
    this.view = view;
    this.canvas = view.editorCanvas;
    this.ctx = this.canvas.getContext('2d');
    this.stream = view.opts.stream;
    this.onStatus = onStatus || (() => {});
    // What the server has (as last read or stored), the edits not stored yet (each a function from a list of zones
    // to the edited list, or null when it no longer applies), and what is shown: the stored zones with the edits.
    // An edit is stored against the tag it was read with; when another screen changed the zones first, it is applied
    // again to theirs (a zone added there stays, a zone deleted there is not brought back).
    this.stored = { zones: [], tag: null };
    this.pending = [];
    this.saving = false;
    this.zones = [];
    this.drawing = null;     // points of the polygon being drawn
    this.selected = -1;
    this.drag = null;        // {id, vertex}: the zone by id (the list shown may be rebuilt during a drag)
    this.enabled = false;
    // Nothing is drawn until the stored zones are here: the first save replaces the server's list with the editor's,
    // so an edit made before they arrive would delete them (and the late answer would then drop the new zone).
    this.loaded = false;
    this.closed = false;
    view.editor = this;
    this.handlers = {
      mousedown: (e) => this.mousedown(e),
      mousemove: (e) => this.mousemove(e),
      mouseup: () => this.mouseup(),
      dblclick: (e) => this.dblclick(e),
      keydown: (e) => this.keydown(e),
    };
  }

  /** Loads the stored zones, trying again every 2 s until they come (editing waits for them). */
  async load() {
    if (this.closed) return;
    try {
      this.stored = await loadZones(this.stream);
      this.loaded = true;
      this.rebuild();
      this.onStatus(`${this.zones.length} no-go zone(s) loaded`);
      // while editing, another screen's changes show within a few seconds
      this.poller = this.poller || setInterval(() => this.poll(), 3000);
    } catch (e) {
      this.onStatus(`cannot load zones (${e.message}): editing waits for them, retrying`);
      setTimeout(() => this.load(), 2000);
    }
    this.redraw();
  }

  /** Reads the stored zones again when nothing of this page's is in the air, and shows another screen's change. */
  async poll() {
    if (this.closed || !this.loaded || !this.enabled || this.drawing || this.drag || this.saving
        || this.pending.length) return;
    const before = this.stored;
    let now;
    try {
      now = await loadZones(this.stream);
    } catch (e) {
      return; // the next poll tries again; an edit still stores only against what it read
    }
    // an edit stored while this read was under way is newer than what it read
    if (now.tag === this.stored.tag || this.stored !== before || this.saving || this.pending.length || this.drag
        || this.drawing) return;
    this.stored = now;
    this.rebuild();
    this.redraw();
    this.onStatus(`zones changed on another screen: ${this.zones.length} no-go zone(s)`);
  }

  /** The zones shown: the stored ones with this page's edits not stored yet; the selection kept by zone id. */
  rebuild() {
    const selectedId = this.selected >= 0 && this.zones[this.selected] ? this.zones[this.selected].id : null;
    this.zones = this.pending.reduce((zones, p) => p.edit(zones) || zones, copyOf(this.stored.zones));
    this.selected = selectedId == null ? -1 : this.zones.findIndex((z) => z.id === selectedId);
  }

  /** An edit of the zones: shown at once, stored in turn. */
  change(what, edit) {
    this.pending.push({ what, edit, tries: 0 });
    this.rebuild();
    this.redraw();
    if (!this.saving) this.store();
  }

  async store() {
    this.saving = true;
    try {
      while (this.pending.length && !this.closed) {
        const p = this.pending[0];
        const next = p.edit(copyOf(this.stored.zones));
        if (!next) {
          this.pending.shift();
          this.onStatus(`${p.what}: not done: that zone was changed or deleted on another screen`);
        } else {
          let r;
          try {
            r = await saveZones(this.stream, next, this.stored.tag);
          } catch (e) {
            this.pending.shift(); // shown as the server has it: a zone that was not stored is not drawn as if it were
            this.onStatus(`${p.what}: NOT saved: ${e.message}`);
            this.rebuild();
            this.redraw();
            continue;
          }
          if (r.changed) {
            this.stored = { zones: r.zones, tag: r.tag };
            if (++p.tries >= 5) {
              this.pending.shift();
              this.onStatus(`${p.what}: NOT saved: the zones keep changing on another screen`);
            }
          } else {
            this.stored = { zones: next, tag: r.tag };
            this.pending.shift();
            const merged = p.tries ? ', with another screen\'s change' : '';
            this.onStatus(`${p.what}: saved (${next.length} zone(s))${merged}`);
          }
        }
        this.rebuild();
        this.redraw();
      }
    } finally {
      this.saving = false;
    }
  }

  /** The stream's tile is gone: no more retries or polls. */
  close() {
    this.closed = true;
    clearInterval(this.poller);
    this.enable(false);
  }

  enable(on) {
    this.enabled = on;
    this.canvas.classList.toggle('editing', on);
    for (const ev of ['mousedown', 'mousemove', 'dblclick']) {
      if (on) this.canvas.addEventListener(ev, this.handlers[ev]);
      else this.canvas.removeEventListener(ev, this.handlers[ev]);
    }
    if (on) {
      window.addEventListener('mouseup', this.handlers.mouseup);
      window.addEventListener('keydown', this.handlers.keydown);
      this.poll(); // another screen may have changed them while this one was not editing
    } else {
      window.removeEventListener('mouseup', this.handlers.mouseup);
      window.removeEventListener('keydown', this.handlers.keydown);
      this.drawing = null;
      this.selected = -1;
    }
    this.redraw();
  }

  nearFirst(x, y) {
    if (!this.drawing || this.drawing.length < 3) return false;
    const [fx, fy] = this.drawing[0];
    return Math.hypot(fx - x, fy - y) * screenScale(this.canvas) <= CLOSE_RADIUS_PX;
  }

  vertexAt(x, y) {
    const r = CLOSE_RADIUS_PX / screenScale(this.canvas);
    for (let z = this.zones.length - 1; z >= 0; z--) {
      const pts = this.zones[z].points;
      for (let v = 0; v < pts.length; v++) {
        if (Math.hypot(pts[v][0] - x, pts[v][1] - y) <= r) return { zone: z, vertex: v };
      }
    }
    return null;
  }

  mousedown(e) {
    if (e.button !== 0) return;
    if (!this.loaded) {
      this.onStatus('the stored zones are still loading: drawing starts when they are here');
      return;
    }
    const [x, y] = toFrame(this.canvas, e.clientX, e.clientY);
    if (this.drawing) {
      if (this.nearFirst(x, y)) this.finish();
      else this.drawing.push([Math.round(x), Math.round(y)]);
      this.redraw();
      return;
    }
    const hit = this.vertexAt(x, y);
    if (hit) {
      this.selected = hit.zone;
      this.drag = { id: this.zones[hit.zone].id, vertex: hit.vertex };
      this.redraw();
      return;
    }
    for (let z = this.zones.length - 1; z >= 0; z--) {
      if (inside(this.zones[z].points, x, y)) {
        this.selected = z;
        this.redraw();
        return;
      }
    }
    this.selected = -1;
    this.drawing = [[Math.round(x), Math.round(y)]];
    this.onStatus('drawing: click to add points, click the first point or double-click to close, Esc cancels');
    this.redraw();
  }

  mousemove(e) {
    const [x, y] = toFrame(this.canvas, e.clientX, e.clientY);
    this.cursor = [x, y];
    const dragged = this.drag && this.zones.find((z) => z.id === this.drag.id);
    if (dragged && this.drag.vertex < dragged.points.length) {
      dragged.points[this.drag.vertex] = [Math.round(x), Math.round(y)];
    }
    if (this.drag || this.drawing) this.redraw();
  }

  mouseup() {
    if (this.drag) {
      const { id, vertex } = this.drag;
      this.drag = null;
      const dragged = this.zones.find((z) => z.id === id);
      if (!dragged || vertex >= dragged.points.length) return;
      const [x, y] = dragged.points[vertex];
      this.change(`zone ${id}: corner moved`, (zones) => {
        const z = zones.find((c) => c.id === id);
        if (!z || vertex >= z.points.length) return null;
        z.points[vertex] = [x, y];
        return zones;
      });
    }
  }

  dblclick(e) {
    e.preventDefault();
    if (!this.drawing) return;
    // the two clicks of a double-click added the same point twice
    while (this.drawing.length > 1) {
      const [ax, ay] = this.drawing[this.drawing.length - 1];
      const [bx, by] = this.drawing[this.drawing.length - 2];
      if (Math.hypot(ax - bx, ay - by) > 3) break;
      this.drawing.pop();
    }
    this.finish();
  }

  keydown(e) {
    if (e.key === 'Escape' && this.drawing) {
      this.drawing = null;
      this.onStatus('drawing cancelled');
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && this.drawing) {
      this.drawing.pop();
      if (this.drawing.length === 0) this.drawing = null;
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && this.selected >= 0) {
      this.deleteSelected();
    } else {
      return;
    }
    e.preventDefault();
    this.redraw();
  }

  finish() {
    const pts = this.drawing;
    this.drawing = null;
    if (!pts || pts.length < 3) {
      this.onStatus('a zone needs at least 3 points');
      this.redraw();
      return;
    }
    this.change('zone added', (zones) => {
      const id = nextIdOf(zones); // against the zones it is stored with: another screen's new zone keeps its id
      return [...zones, { id, label: `no-go ${id}`, points: pts }];
    });
    this.selected = this.zones.length - 1;
    this.redraw();
  }

  deleteSelected() {
    if (this.selected < 0) return;
    const { id } = this.zones[this.selected];
    this.selected = -1;
    this.change(`zone ${id} deleted`, (zones) => (zones.some((z) => z.id === id)
      ? zones.filter((z) => z.id !== id) : null));
  }

  redraw() {
    const ctx = this.ctx;
    const c = this.canvas;
    ctx.clearRect(0, 0, c.width, c.height);
    if (!this.enabled) return;
    const s = 1 / screenScale(c);
    ctx.lineWidth = 2 * s;
    ctx.font = `${Math.round(13 * s)}px sans-serif`;
    this.zones.forEach((z, i) => {
      ctx.strokeStyle = i === this.selected ? '#ffffff' : 'rgba(255,255,255,0.8)';
      ctx.setLineDash(i === this.selected ? [] : [8 * s, 5 * s]);
      ctx.beginPath();
      z.points.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.stroke();
      if (i === this.selected) {
        ctx.fillStyle = 'rgba(255,0,255,0.18)';
        ctx.fill();
        ctx.fillStyle = '#fff';
        for (const [x, y] of z.points) ctx.fillRect(x - 4 * s, y - 4 * s, 8 * s, 8 * s);
      }
      ctx.fillStyle = '#fff';
      ctx.fillText(z.label || `no-go ${z.id}`, z.points[0][0] + 4 * s, z.points[0][1] - 6 * s);
    });
    ctx.setLineDash([]);
    if (this.drawing) {
      ctx.strokeStyle = '#ffeb3b';
      ctx.beginPath();
      this.drawing.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (this.cursor) ctx.lineTo(this.cursor[0], this.cursor[1]);
      ctx.stroke();
      ctx.fillStyle = '#ffeb3b';
      for (const [x, y] of this.drawing) ctx.fillRect(x - 3 * s, y - 3 * s, 6 * s, 6 * s);
    }
  }
}
