// One stream on screen: the alert banner and the AI badges in a strip above the picture (never over it), the video
// canvas, the overlay canvas above it, and the connection state. Used by the OR display (one, full screen) and
// the surgeon's page (a grid).
import { StreamClient } from './stream-client.js';
import { drawOverlay, drawHeatmap, overlayForFrame, DEFAULT_LAYERS } from './overlay-draw.js';
import { AlertState, beep } from './alerts.js';

const NO_SIGNAL_MS = 1500;

export class StreamView {
  /**
   * @param el       container element (gets the canvases and badges)
   * @param opts     {stream, encoding, variant, heatmap, layers, opacity, sound, onFrameDrawn}
   */
  constructor(el, opts) {
    this.el = el;
    this.opts = { layers: { ...DEFAULT_LAYERS }, opacity: 1, sound: false, ...opts };
    this.overlays = new Map();       // frameId -> overlay, the most recent ones
    this.newestOverlay = null;
    this.heatmap = null;
    this.alerts = new AlertState();
    this.drawnOverlay = null;        // the overlay drawn with the frame on screen (null: hidden)
    this.aiText = '';
    this.staleAfterMs = 500;
    this.fps = 30;
    el.classList.add('stream-view');
    el.innerHTML = `
      <div class="alert-strip">
        <div class="badge origin hidden">GROUND TRUTH STAND-IN (not AI)</div>
        <div class="banner hidden" role="alert"></div>
        <div class="badge ai hidden"></div>
      </div>
      <div class="stage">
        <canvas class="video"></canvas>
        <canvas class="overlay"></canvas>
        <canvas class="editor"></canvas>
      </div>
      <div class="state hidden"></div>`;
    this.video = el.querySelector('canvas.video');
    this.overlayCanvas = el.querySelector('canvas.overlay');
    this.editorCanvas = el.querySelector('canvas.editor');
    this.banner = el.querySelector('.banner');
    this.badge = el.querySelector('.badge.ai');
    this.originBadge = el.querySelector('.badge.origin');
    this.stateEl = el.querySelector('.state');
    this.vctx = this.video.getContext('2d', { alpha: false, desynchronized: true });
    this.octx = this.overlayCanvas.getContext('2d');
    this.scratch = document.createElement('canvas');
    this.client = new StreamClient({
      stream: opts.stream,
      encoding: opts.encoding,
      variant: opts.variant || 'clean',
      overlay: (opts.variant || 'clean') !== 'burned',
      heatmap: !!(this.opts.layers.heatmap),
      onFrame: (d, h) => this.onFrame(d, h),
      onOverlay: (o) => this.onOverlay(o),
      onAlert: (e) => this.onAlert(e),
      onHeatmap: (hm) => { this.heatmap = hm; },
      onHello: (m) => {
        this.staleAfterMs = m.staleAfterMs || 500;
        this.fps = m.fps || 30;
        this.overlays.clear();
        this.alerts.reset();
        this.renderBanner();
      },
      onStats: () => this.renderState(),
      onState: () => this.renderState(),
    });
    this.ticker = setInterval(() => this.renderState(), 250);
    // a tile that narrows (streams added on the surgeon's page, a window resized) fits its alert's words again
    this.stripWidth = 0;
    this.resizeWatch = new ResizeObserver((entries) => {
      const w = Math.round(entries[entries.length - 1].contentRect.width);
      if (w !== this.stripWidth) {
        this.stripWidth = w;
        this.fitBanner();
      }
    });
    this.resizeWatch.observe(el.querySelector('.alert-strip'));
  }

  start() {
    this.client.start();
    return this;
  }

  stop() {
    clearInterval(this.ticker);
    this.resizeWatch.disconnect();
    this.client.stop();
  }

  setLayers(layers) {
    const heatmapBefore = !!this.opts.layers.heatmap;
    this.opts.layers = { ...this.opts.layers, ...layers };
    if (!!this.opts.layers.heatmap !== heatmapBefore) this.client.subscribe({ heatmap: !!this.opts.layers.heatmap });
  }

  setOpacity(o) {
    this.opts.opacity = o;
  }

  onOverlay(o) {
    this.newestOverlay = o;
    this.failure = o.failure || ''; // why the AI failed (e.g. "inference server unreachable"), shown on the badge
    this.alerts.seed(o);
    if (o.frameId >= 0) {
      this.overlays.set(o.frameId, o);
      while (this.overlays.size > 64) this.overlays.delete(this.overlays.keys().next().value);
    }
    this.renderBanner();
  }

  onAlert(e) {
    const louder = this.alerts.onEvent(e);
    if (louder && this.opts.sound) beep(e.level);
    this.renderBanner();
  }

  onFrame(drawable, h) {
    if (this.video.width !== h.width || this.video.height !== h.height) {
      for (const c of [this.video, this.overlayCanvas, this.editorCanvas]) {
        c.width = h.width;
        c.height = h.height;
      }
    }
    if (drawable instanceof ImageData) this.vctx.putImageData(drawable, 0, 0); // already the canvas's size
    else this.vctx.drawImage(drawable, 0, 0, h.width, h.height);
    this.header = h;
    this.drawOverlayFor(h);
    if (this.opts.onFrameDrawn) this.opts.onFrameDrawn(h, this);
  }

  drawOverlayFor(h) {
    const ctx = this.octx;
    ctx.clearRect(0, 0, this.overlayCanvas.width, this.overlayCanvas.height);
    if (h.burned) { // the server drew it into the picture
      this.drawnOverlay = null;
    } else {
      const ov = overlayForFrame(this.overlays, h, this.staleAfterMs, this.fps);
      this.drawnOverlay = ov;
      if (ov) {
        if (this.opts.layers.heatmap && this.heatmap) {
          ctx.save();
          ctx.globalAlpha = this.opts.opacity;
          drawHeatmap(ctx, this.heatmap, this.opts.layers, this.scratch);
          ctx.restore();
        }
        drawOverlay(ctx, ov, { layers: this.opts.layers, opacity: this.opts.opacity });
      }
    }
    this.renderAiBadge(h);
    if (this.editor) this.editor.redraw();
  }

  renderAiBadge(h) {
    let text = '';
    let cls = '';
    if (h.overlayStatus === 'NONE') {
      text = 'AI OFF';
      cls = 'off';
    } else if (h.overlayStatus === 'FAILED') {
      text = 'AI FAILED';
      cls = 'failed';
    } else if (!h.overlayFresh || (!h.burned && !this.drawnOverlay)) {
      // the age in tenths of a second: a text that changed with every frame would re-lay out the page every frame
      text = `AI STALE ${h.overlayAgeMs >= 0 ? `${(h.overlayAgeMs / 1000).toFixed(1)} s` : ''}`.trim();
      cls = 'stale';
    } else {
      // the model stepped down to its cheaper graph under load (the model card gives its accuracy), or it takes only a
      // share of the frames to leave the CPU to the picture (overlays come less often): say so
      const model = this.drawnOverlay && this.drawnOverlay.model ? this.drawnOverlay.model : {};
      const why = [];
      if (model.variant && model.variant !== 'full') why.push(model.variant);
      if (model.pace) why.push(model.pace);
      if (why.length > 0) {
        text = `AI REDUCED (${why.join(', ')})`;
        cls = 'reduced';
      }
    }
    this.aiText = text;
    // the DOM is written only when something changed: this runs with every frame, and each write costs the page a
    // style and layout pass (on a software-composited display, a repaint) that the next frame waits behind
    const title = h.overlayStatus === 'FAILED' ? (this.failure || '') : '';
    const className = `badge ai ${cls}${text ? '' : ' hidden'}`;
    const changed = this.badge.textContent !== text || this.badge.className !== className;
    if (this.badge.textContent !== text) this.badge.textContent = text;
    if (this.badge.title !== title) this.badge.title = title;
    if (this.badge.className !== className) this.badge.className = className;
    const gt = !!(this.drawnOverlay && this.drawnOverlay.origin === 'GROUND_TRUTH');
    const originChanged = this.originBadge.classList.contains('hidden') === gt;
    if (originChanged) this.originBadge.classList.toggle('hidden', !gt);
    if (changed || originChanged) this.fitBanner(); // a badge that came, went or changed: the alert's room changed
  }

  renderBanner() {
    const top = this.alerts.top();
    let text = '';
    let className = 'banner hidden';
    if (top) {
      const down = !this.stateEl.classList.contains('hidden');
      const stale = down || this.aiText.startsWith('AI STALE');
      const why = down ? 'no live picture' : 'AI stale';
      // the qualifier first: on a narrow strip the end of the words is what an ellipsis would take
      text = (stale ? `LAST KNOWN (${why}): ` : '') + AlertState.describe(top, this.alerts.count());
      className = `banner level-${top.level}${stale ? ' stale' : ''}`;
    }
    // written only when it changed (it is asked with every overlay and every state tick): see renderAiBadge
    const changed = this.banner.textContent !== text || this.banner.className !== className;
    if (this.banner.textContent !== text) this.banner.textContent = text;
    if (this.banner.className !== className) this.banner.className = className;
    if (changed) this.fitBanner();
  }

  /**
   * Shrinks the alert's words until they fit the strip, down to half their usual size (then an ellipsis): the font
   * follows the window's width, and a tile on the surgeon's page is a part of it, so the zone, the distance or the
   * count of further alerts at the end would otherwise be cut off, or the AI's badge beside it squeezed to nothing.
   * The badges beside it (the AI's state, the ground-truth label) shrink with it, so that they keep their words and
   * the alert stays the larger, while the alert keeps half its size and the badges 12 px; past that the alert's words
   * come first: the badges are cut to a quarter of the strip each. One measurement: the words (and the padding and
   * margins, in em) scale with the font.
   */
  fitBanner() {
    const b = this.banner;
    // measured only when what decides the fit changed: while an alert shows its distance changes with every overlay,
    // mostly in digits of the same count, and a measurement forces the page's layout at once
    const key = b.classList.contains('hidden') ? '' : `${b.textContent.length}|${this.stripWidth}|`
      + `${this.badge.className}|${this.badge.textContent}|${this.originBadge.className}`;
    if (key === this.fitKey) return;
    this.fitKey = key;
    const shown = [this.badge, this.originBadge].filter((g) => !g.classList.contains('hidden'));
    for (const e of [b, this.badge, this.originBadge]) if (e.style.fontSize) e.style.fontSize = '';
    if (!key) return;
    if (b.scrollWidth <= b.clientWidth && shown.every((g) => g.scrollWidth <= g.clientWidth)) return; // all fit
    // from here on nothing has room to spare, so the banner is as wide as its words (it grows only into free space)
    const strip = b.parentElement.clientWidth;
    // a badge's margins are 0.4em a side; the AI badge's left one is 'auto' (it keeps to the strip's right end), which
    // reads as the free space it takes up: the right one stands for both
    const widths = shown.map((g) => g.scrollWidth + 2 * parseFloat(getComputedStyle(g).marginRight));
    const fonts = shown.map((g) => parseFloat(getComputedStyle(g).fontSize));
    const words = b.scrollWidth;
    const size = parseFloat(getComputedStyle(b).fontSize);
    const all = (strip / (words + widths.reduce((sum, w) => sum + w, 0))) * 0.97;
    if (all >= 0.5 && fonts.every((px) => px * all >= 12)) {
      b.style.fontSize = `${Math.floor(size * all)}px`;
      shown.forEach((g, i) => { g.style.fontSize = `${Math.floor(fonts[i] * all)}px`; });
      return;
    }
    const room = strip - widths.reduce((sum, w) => sum + Math.min(strip / 4, w), 0);
    if (words > room) b.style.fontSize = `${Math.max(size / 2, Math.floor(size * (room / words) * 0.97))}px`;
  }

  /**
   * Connection and signal state: reconnecting, ended (a file, folder or sequence played to its end: said as such,
   * not as a lost signal), no signal, or nothing (all well).
   */
  renderState() {
    const c = this.client;
    let text = '';
    const now = performance.now();
    if (c.state !== 'open') {
      text = c.state === 'connecting' ? 'CONNECTING…' : 'RECONNECTING…';
    } else if (c.serverStats && c.serverStats.source === 'ENDED' && now - c.lastFrameAt > NO_SIGNAL_MS) {
      text = 'ENDED';
    } else if (c.serverStats && c.serverStats.signal === false) {
      text = 'NO SIGNAL';
    } else if (!c.lastFrameAt || c.lastFrameAt < c.openedAt) {
      text = now - c.openedAt > 3000 ? 'NO SIGNAL' : 'CONNECTING…';
    } else if (now - c.lastFrameAt > NO_SIGNAL_MS) {
      text = 'NO SIGNAL';
    }
    this.stateEl.textContent = text;
    this.stateEl.className = `state${text ? '' : ' hidden'}${text === 'NO SIGNAL' ? ' no-signal' : ''}`;
    this.el.classList.toggle('down', !!text);
    if (text && this.header) { // nothing current: do not leave an old overlay or badge on screen
      this.octx.clearRect(0, 0, this.overlayCanvas.width, this.overlayCanvas.height);
      this.drawnOverlay = null;
      this.originBadge.classList.add('hidden');
    }
    this.renderBanner();
  }

  /** For tests and the latency panel. */
  snapshot() {
    const c = this.client;
    return {
      stream: this.opts.stream,
      encoding: c.encoding,
      codec: c.codec,
      state: c.state,
      decoded: c.decoded,
      rgbaFrames: c.rgbaFrames,
      dropped: c.dropped,
      received: c.received,
      bytes: c.bytes,
      g2gP50: c.latency.percentile(50),
      g2gP99: c.latency.percentile(99),
      g2gSamples: c.latency.recent().length,
      g2gKeyFrames: {
        p50: c.keyLatency.percentile(50), p99: c.keyLatency.percentile(99), samples: c.keyLatency.recent().length,
      },
      stages: c.stageFigures(),
      clockOffsetMs: c.clock.offsetMs,
      clockRttMs: c.clock.rttMs,
      header: this.header || null,
      drawnOverlay: this.drawnOverlay,
      ai: this.aiText,
      banner: this.banner.classList.contains('hidden') ? '' : this.banner.textContent,
      stateText: this.stateEl.classList.contains('hidden') ? '' : this.stateEl.textContent,
      alerts: [...this.alerts.active.values()],
      alertGaps: this.alerts.gaps,
      serverStats: c.serverStats,
    };
  }
}
