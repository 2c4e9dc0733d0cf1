// Surgeon-drawn no-go polygons: draw, move vertices, delete; stored with GET/PUT /api/streams/{id}/zones as
// [{"id": 1, "label": "no-go 1", "points": [[x, y], ...]}] in frame pixel coordinates (docs/protocol.md).

const CLOSE_RADIUS_PX = 12; // on screen

export function zonesUrl(stream) {
  return `/api/streams/${encodeURIComponent(stream)}/zones`;
}

export async function loadZones(stream) {
  const r = await fetch(zonesUrl(stream), { cache: 'no-store' });
  if (r.status === 404) return [];
  if (!r.ok) throw new Error(`GET zones: HTTP ${r.status}`);
  const zones = await r.json();
  return Array.isArray(zones) ? zones : [];
}

export async function saveZones(stream, zones) {
  const r = await fetch(zonesUrl(stream), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(zones),
  });
  if (!r.ok) throw new Error(`PUT zones: HTTP ${r.status} ${await r.text()}`);
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
    this.zones = [];
    this.drawing = null;     // points of the polygon being drawn
    this.selected = -1;
    this.drag = null;        // {zone, vertex}
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
      this.zones = await loadZones(this.stream);
      this.loaded = true;
      this.onStatus(`${this.zones.length} no-go zone(s) loaded`);
    } catch (e) {
      this.onStatus(`cannot load zones (${e.message}): editing waits for them, retrying`);
      setTimeout(() => this.load(), 2000);
    }
    this.redraw();
  }

  /** The stream's tile is gone: no more retries. */
  close() {
    this.closed = true;
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
    } else {
      window.removeEventListener('mouseup', this.handlers.mouseup);
      window.removeEventListener('keydown', this.handlers.keydown);
      this.drawing = null;
      this.selected = -1;
    }
    this.redraw();
  }

  nextId() {
    return this.zones.reduce((m, z) => Math.max(m, Number(z.id) || 0), 0) + 1;
  }

  async persist(what) {
    try {
      await saveZones(this.stream, this.zones);
      this.onStatus(`${what}: saved (${this.zones.length} zone(s))`);
    } catch (e) {
      this.onStatus(`${what}: NOT saved: ${e.message}`);
    }
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
      this.drag = hit;
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
    if (this.drag) {
      this.zones[this.drag.zone].points[this.drag.vertex] = [Math.round(x), Math.round(y)];
    }
    if (this.drag || this.drawing) this.redraw();
  }

  mouseup() {
    if (this.drag) {
      this.drag = null;
      this.persist('vertex moved');
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
    const id = this.nextId();
    this.zones.push({ id, label: `no-go ${id}`, points: pts });
    this.selected = this.zones.length - 1;
    this.redraw();
    this.persist(`zone ${id} added`);
  }

  deleteSelected() {
    if (this.selected < 0) return;
    const [z] = this.zones.splice(this.selected, 1);
    this.selected = -1;
    this.redraw();
    this.persist(`zone ${z.id} deleted`);
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
