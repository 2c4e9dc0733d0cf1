// Needle tips marked on a paused replay: a site's own training frames for its needle network (README, "Marking
// needles for a site"). Pause on a frame, press "mark needle", click the tip, then the far end of the visible
// shaft; "no needle here" (N) marks a needle-free frame; "remove mark" takes the frame's mark back; the arrow keys
// step a frame on or back while marking. Stored with
// GET/POST/DELETE /api/streams/{id}/replay/needle-marks (docs/protocol.md); the server keeps the recorded frame
// itself. While marking, this takes the focused view's editor canvas (zone editing is off), and draws the frame's
// mark there in white, dashed, labelled "marked", apart from the AI's overlay.
import { toFrame } from './zones.js';

const MARK_COLOUR = '#ffffff'; // not the AI's needle cyan: a mark must never read as the model's

export class NeedleMarker {
  /**
   * @param session the SessionPanel (the replay's position, and pausing)
   * @param hooks {view(): the focused StreamView or null, started(), stopped()}: the page hands the canvas over
   */
  constructor(session, hooks, root = document) {
    const $ = (id) => root.getElementById(id);
    this.session = session;
    this.hooks = hooks;
    this.markBtn = $('nm-mark');
    this.noneBtn = $('nm-none');
    this.removeBtn = $('nm-remove');
    this.statusEl = $('nm-status');
    this.listing = null;   // last answer of the marks route
    this.message = null;   // {text, error, until}: what the last action said
    this.marking = false;
    this.tip = null;       // the tip clicked, waiting for the far end
    this.cursor = null;
    this.view = null;
    this.stream = null;
    this.moving = null;    // the step or seek an arrow key asked for, until the server shows its frame
    this.onClick = (e) => this.click(e);
    this.onMove = (e) => { if (this.tip) { this.cursor = this.framePoint(e); this.redraw(); } };
    this.onKey = (e) => this.key(e);
    this.markBtn.addEventListener('click', () => (this.marking ? this.stop() : this.start()));
    this.noneBtn.addEventListener('click', () => this.send({ needle: false }));
    this.removeBtn.addEventListener('click', () => this.remove());
  }

  url(query = '') {
    return `/api/streams/${encodeURIComponent(this.stream)}/replay/needle-marks${query}`;
  }

  /** The focused stream changed (null or not a replay: nothing to mark). */
  focus(stream, replay) {
    this.stop();
    this.stream = replay ? stream : null;
    this.listing = null;
    if (this.stream) this.load();
    this.render();
  }

  async load() {
    try {
      const r = await fetch(this.url(), { cache: 'no-store' });
      if (r.ok) this.listing = await r.json();
    } catch (e) {
      // the server is unreachable: the stream view says so
    }
    this.render();
  }

  position() {
    return this.session.replay ? this.session.replay.position : -1;
  }

  markAt(position) {
    return this.listing ? this.listing.marks.find((m) => m.position === position) : undefined;
  }

  async start() {
    this.view = this.hooks.view();
    if (!this.view || !this.stream) return;
    if (this.session.replay && this.session.replay.state !== 'paused') await this.session.act({ action: 'pause' });
    this.marking = true;
    this.tip = null;
    this.hooks.started();
    this.view.editor = this;
    const c = this.view.editorCanvas;
    c.classList.add('editing');
    c.addEventListener('click', this.onClick);
    c.addEventListener('mousemove', this.onMove);
    window.addEventListener('keydown', this.onKey);
    this.render();
  }

  stop() {
    if (!this.marking) return;
    this.marking = false;
    this.tip = null;
    const c = this.view.editorCanvas;
    c.classList.remove('editing');
    c.removeEventListener('click', this.onClick);
    c.removeEventListener('mousemove', this.onMove);
    window.removeEventListener('keydown', this.onKey);
    c.getContext('2d').clearRect(0, 0, c.width, c.height);
    this.hooks.stopped(this.view);
    this.view = null;
    this.render();
  }

  /**
   * Keys while marking, so that a trainer's hand stays on the picture: Esc forgets a clicked tip, the arrows step a
   * frame on or back, N marks the frame needle-free. Not while typing in a field.
   */
  key(e) {
    if (e.target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName)) return;
    const p = this.position();
    if (e.key === 'Escape') {
      this.tip = null;
      this.redraw();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      this.moving = this.session.act({ action: 'step', frames: 1 });
    } else if (e.key === 'ArrowLeft' && p > 0) {
      e.preventDefault();
      this.moving = this.session.act({ action: 'seek', position: p - 1 });
    } else if (e.key === 'n' || e.key === 'N') {
      this.send({ needle: false });
    }
  }

  /**
   * The frame pixel under the mouse, in the labels' convention (pixel centres at whole numbers: the canvas's own
   * coordinates less half a pixel), the outer half pixel onto the edge pixel; a click beside the picture stays off it
   * (the server refuses it).
   */
  framePoint(e) {
    const c = this.view.editorCanvas;
    const [x, y] = toFrame(c, e.clientX, e.clientY).map((v) => v - 0.5);
    const onto = (v, n) => (v >= -0.5 && v <= n - 0.5 ? Math.min(Math.max(v, 0), n - 1) : v);
    return [onto(x, c.width), onto(y, c.height)].map((v) => Math.round(v * 10) / 10);
  }

  click(e) {
    const p = this.framePoint(e);
    if (!this.tip) {
      this.tip = p;
      this.render('now click the far end of the visible shaft (Esc: start again)');
      this.redraw();
      return;
    }
    const tip = this.tip;
    this.tip = null;
    this.send({ tip, end: p });
  }

  /**
   * The frame to mark: the picture on screen, named by its frame id (the server knows which recorded frame it is);
   * the replay's position as last read is a frame behind right after a step. The position when nothing is drawn yet.
   */
  shown() {
    const v = this.view || this.hooks.view();
    const id = v && v.header ? v.header.frameId : -1;
    return id >= 0 ? { frameId: id } : { position: this.position() };
  }

  async send(mark) {
    // a key pressed right after an arrow marks the frame stepped to: the server answers a step once it shows it
    if (this.moving) await this.moving;
    const at = this.shown();
    if (!this.stream || at.position < 0) return;
    // a needle-free mark names no point of the picture: when the picture on screen is still the frame before a step
    // (the server says it is paused on another), it waits for the new picture (N right after an arrow key)
    const again = mark.needle === false ? () => ({ ...this.shown(), ...mark }) : null;
    await this.change('POST', this.url(), { ...at, ...mark }, again);
  }

  /** Takes back the mark the status line shows ("this frame: ..."): the replay's frame, once a step has landed. */
  async remove() {
    if (this.moving) await this.moving;
    const position = this.position();
    if (!this.stream || position < 0) return;
    await this.change('DELETE', this.url(`?position=${position}`));
  }

  /** @param again for a POST: the body to send again while the picture on screen is a step behind, or null */
  async change(method, url, body, again = null) {
    try {
      let r;
      let json;
      for (let tries = 0; ; tries++) {
        r = await fetch(url, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
        json = await r.json();
        const behind = r.status === 409 && json.paused >= 0 && json.shown !== json.paused;
        if (!again || !behind || tries >= 30) break; // up to 3 s for the stepped frame to be drawn
        await new Promise((done) => setTimeout(done, 100));
        body = again();
      }
      if (r.ok) {
        this.listing = json;
        this.message = null;
        this.render();
      } else {
        this.render(json.error || `HTTP ${r.status}`, true);
      }
    } catch (e) {
      this.render(`request failed: ${e.message}`, true);
    }
    this.redraw();
  }

  /** The replay's state was read again (position, paused): the frame's mark follows. */
  onReplay() {
    if (this.marking && this.shownPosition !== this.position()) {
      this.tip = null;
      this.redraw();
    }
    this.render();
  }

  /** @param message said for a few seconds before the counts (an error in red) */
  render(message, error = false) {
    if (message) this.message = { text: message, error, until: Date.now() + 5000 };
    const said = this.message && Date.now() < this.message.until ? this.message : null;
    const l = this.listing;
    const on = this.marking;
    this.markBtn.textContent = on ? 'done marking' : 'mark needle';
    this.markBtn.classList.toggle('active', on);
    this.noneBtn.disabled = !this.stream;
    this.removeBtn.disabled = !this.stream || !this.markAt(this.position());
    let text = l ? `${l.frames} frame(s) marked, ${l.withNeedle} with a needle` : '–';
    const here = this.markAt(this.position());
    if (here) text += ` · this frame: ${here.needle ? 'needle marked' : 'no needle'}`;
    if (l && l.warning) text += ` · ${l.warning}`;
    if (said) text = `${said.text} · ${text}`;
    else if (on && !this.tip) text = `click the needle's tip · ${text}`;
    this.statusEl.textContent = text;
    this.statusEl.title = l ? l.folder : '';
    this.statusEl.className = `small${said && said.error ? ' error' : ''}`;
  }

  /** Draws the frame's mark (and a tip waiting for its far end) on the editor canvas; the view calls it per frame. */
  redraw() {
    if (!this.marking || !this.view) return;
    const c = this.view.editorCanvas;
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    const r = c.getBoundingClientRect();
    const s = 1 / (Math.min(r.width / c.width, r.height / c.height) || 1);
    this.shownPosition = this.position();
    const m = this.markAt(this.shownPosition);
    ctx.save();
    ctx.translate(0.5, 0.5); // marks are in pixel-centre coordinates, the canvas's start at the pixel's corner
    ctx.strokeStyle = MARK_COLOUR;
    ctx.fillStyle = MARK_COLOUR;
    ctx.lineWidth = 2 * s;
    ctx.font = `${Math.round(14 * s)}px sans-serif`;
    if (m && m.needle) {
      ctx.setLineDash([8 * s, 5 * s]);
      ctx.beginPath();
      ctx.moveTo(m.end[0], m.end[1]);
      ctx.lineTo(m.tip[0], m.tip[1]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(m.tip[0], m.tip[1], 6 * s, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillText('marked tip', m.tip[0] + 9 * s, m.tip[1] + 5 * s);
    } else if (m) {
      ctx.fillText('marked: no needle', 10 * s, 22 * s);
    }
    if (this.tip) {
      ctx.beginPath();
      ctx.arc(this.tip[0], this.tip[1], 6 * s, 0, 2 * Math.PI);
      ctx.stroke();
      if (this.cursor) {
        ctx.setLineDash([4 * s, 4 * s]);
        ctx.beginPath();
        ctx.moveTo(this.tip[0], this.tip[1]);
        ctx.lineTo(this.cursor[0], this.cursor[1]);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    ctx.restore();
  }
}
