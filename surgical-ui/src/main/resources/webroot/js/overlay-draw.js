// Draws an overlay message (docs/protocol.md) on a canvas whose pixels are the frame's pixels.
// Low-confidence elements (the server marks them "low") are dashed, dimmed and labelled "low".

export const COLOURS = {
  nerve: '#ffe600',
  vessel: '#ff3c3c',
  nogo: '#ff00ff',
  unknown: '#9e9e9e',
  tip: '#50ff50',
  line: '#00dcff',
};
const HEATMAP_RGB = { nerve: [255, 230, 0], vessel: [255, 60, 60], nogo: [255, 0, 255] };

export const DEFAULT_LAYERS = {
  tips: true, line: true, vessel: true, nerve: true, nogo: true, labels: true, heatmap: false,
};

function zoneLayer(cls) {
  return cls === 'nerve' ? 'nerve' : cls === 'vessel' ? 'vessel' : cls === 'nogo' ? 'nogo' : 'nerve';
}

function unitFor(canvas) {
  return Math.max(1, Math.min(canvas.width, canvas.height) / 360);
}

/**
 * Places the labels of one overlay so that none covers another (neighbouring zones and a tip beside them would
 * otherwise print over each other): each label goes where it was asked if that is free, else the nearest free
 * place one line below or above, within the frame. Returns nothing; the boxes are kept for tests.
 */
class LabelPlacer {
  constructor(ctx, unit) {
    this.ctx = ctx;
    this.unit = unit;
    this.boxes = [];   // {x, y, w, h, text}: y is the top of the box
  }

  /** Draws text with its baseline at (x, y), or as near as it can without overlapping an earlier label. */
  draw(text, x, y, colour) {
    const ctx = this.ctx;
    const unit = this.unit;
    ctx.font = `${Math.round(11 * unit)}px sans-serif`;
    const pad = 2 * unit;
    const w = ctx.measureText(text).width + 2 * pad;
    const h = 13 * unit + 2 * pad;
    const W = ctx.canvas.width;
    const H = ctx.canvas.height;
    const left = Math.max(0, Math.min(x - pad, W - w));
    const top0 = Math.max(0, Math.min(y - 11 * unit - pad, H - h));
    let top = top0;
    for (let k = 1; k <= 12 && this.collides(left, top, w, h); k++) {
      const step = Math.ceil(k / 2) * h * (k % 2 ? 1 : -1);    // below, above, two below, two above...
      const t = top0 + step;
      if (t >= 0 && t + h <= H) top = t;
    }
    this.boxes.push({ x: left, y: top, w, h, text });
    const bx = left + pad;
    const by = top + pad + 11 * unit;
    ctx.lineWidth = 3 * unit;
    ctx.strokeStyle = 'rgba(0,0,0,0.85)';
    ctx.setLineDash([]);
    ctx.strokeText(text, bx, by);
    ctx.fillStyle = colour;
    ctx.fillText(text, bx, by);
  }

  collides(x, y, w, h) {
    return this.boxes.some((b) => x < b.x + b.w && b.x < x + w && y < b.y + b.h && b.y < y + h);
  }
}

/** Draws the heat map (per-class confidence grid) stretched over the frame. */
export function drawHeatmap(ctx, hm, layers, scratch) {
  if (!hm) return;
  const w = hm.width;
  const h = hm.height;
  scratch.width = w;
  scratch.height = h;
  const sctx = scratch.getContext('2d');
  const img = sctx.createImageData(w, h);
  for (let c = 0; c < hm.names.length; c++) {
    const name = hm.names[c];
    if (layers[zoneLayer(name)] === false) continue;
    const rgb = HEATMAP_RGB[name] || [0, 200, 255];
    const base = c * w * h;
    for (let i = 0; i < w * h; i++) {
      const v = hm.values[base + i];
      if (v > img.data[i * 4 + 3]) {
        img.data[i * 4] = rgb[0];
        img.data[i * 4 + 1] = rgb[1];
        img.data[i * 4 + 2] = rgb[2];
        img.data[i * 4 + 3] = v;
      }
    }
  }
  sctx.putImageData(img, 0, 0);
  ctx.save();
  ctx.globalAlpha *= 0.55;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.restore();
}

/**
 * Draws one overlay. opts.layers toggles classes, opts.opacity (0..1) the whole layer. Coordinates in the
 * message are frame pixels; the canvas is sized to the frame, so they are used as they are. Returns the labels'
 * boxes as placed (for tests).
 */
export function drawOverlay(ctx, ov, opts) {
  const layers = opts.layers || DEFAULT_LAYERS;
  const unit = unitFor(ctx.canvas);
  const labels = new LabelPlacer(ctx, unit);
  ctx.save();
  ctx.globalAlpha = opts.opacity ?? 1;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';

  for (const z of ov.zones || []) {
    if (!layers[zoneLayer(z.class)] || !z.points || z.points.length < 2) continue;
    const colour = COLOURS[z.class] || COLOURS.unknown;
    ctx.beginPath();
    z.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.closePath();
    ctx.save();
    if (z.low) {
      ctx.globalAlpha *= 0.55;
      ctx.setLineDash([10 * unit, 7 * unit]);
    } else {
      ctx.globalAlpha *= 0.25;
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.globalAlpha /= 0.25;
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * unit;
    ctx.stroke();
    ctx.restore();
    if (layers.labels) {
      const text = z.drawn ? 'NO-GO' : `${z.class.toUpperCase()} ${Math.round(z.confidence * 100)}%${z.low ? ' low' : ''}`;
      const [x0, y0] = z.points[0];
      ctx.save();
      if (z.low) ctx.globalAlpha *= 0.7;
      labels.draw(text, x0, y0 - 4 * unit, colour);
      ctx.restore();
    }
  }

  if (layers.line) {
    for (const l of ov.lines || []) {
      ctx.save();
      if (l.low) {
        ctx.globalAlpha *= 0.55;
        ctx.setLineDash([10 * unit, 7 * unit]);
      }
      ctx.strokeStyle = COLOURS.line;
      ctx.lineWidth = 2 * unit;
      ctx.beginPath();
      ctx.moveTo(l.x1, l.y1);
      ctx.lineTo(l.x2, l.y2);
      ctx.stroke();
      ctx.restore();
    }
  }

  if (layers.tips) {
    for (const t of ov.tips || []) {
      const r = 9 * unit;
      ctx.save();
      if (t.low) {
        ctx.globalAlpha *= 0.55;
        ctx.setLineDash([4 * unit, 3 * unit]);
      }
      ctx.strokeStyle = COLOURS.tip;
      ctx.fillStyle = COLOURS.tip;
      ctx.lineWidth = 2 * unit;
      ctx.beginPath();
      ctx.arc(t.x, t.y, r, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(t.x, t.y, 2.5 * unit, 0, 2 * Math.PI);
      ctx.fill();
      ctx.restore();
      if (layers.labels) {
        const text = `${t.kind} ${Math.round(t.confidence * 100)}%${t.low ? ' low' : ''}${t.state === 'coasting' ? ' (coasting)' : ''}`;
        ctx.save();
        if (t.low) ctx.globalAlpha *= 0.7;
        labels.draw(text, t.x + r + 3 * unit, t.y - r, COLOURS.tip);
        ctx.restore();
      }
    }
  }
  ctx.restore();
  return labels.boxes;
}

/**
 * Picks the overlay to show with a frame: the one the server attached to it (same frame id) or the newest one
 * within the staleness window of the frame; null means hide (stale or nothing known).
 */
export function overlayForFrame(overlays, header, staleAfterMs, fps) {
  if (header.overlayStatus !== 'VALID' || !header.overlayFresh) return null;
  const exact = overlays.get(header.overlayFrameId);
  if (exact && exact.status === 'VALID') return exact;
  const windowFrames = Math.max(1, Math.ceil((staleAfterMs * (fps || 30)) / 1000));
  let best = null;
  for (const o of overlays.values()) {
    if (o.status !== 'VALID') continue;
    if (o.frameId > header.frameId || header.frameId - o.frameId > windowFrames) continue;
    if ((header.captureUs - o.captureUs) / 1000 > staleAfterMs) continue;
    if (!best || o.frameId > best.frameId) best = o;
  }
  return best;
}
