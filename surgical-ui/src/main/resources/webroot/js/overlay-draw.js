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
 * Places the labels of one overlay so that none covers another label, another zone, a tip or an instrument's line
 * (neighbouring zones and a tip beside them would otherwise print over each other, a label over a neighbour's outline
 * hides both, and one across the needle's line hides the needle in the picture): a zone's label goes above its box,
 * left- or right-aligned, else below it; a tip's to its right, else its left, above or below; else a line further up
 * or down, within the frame. Zones that overlap the labelled one's box are not avoided (they are beside it wherever
 * it goes); tips and lines always are. When no place is free of everything, the first one free of other labels. The
 * boxes are kept for tests.
 */
class LabelPlacer {
  constructor(ctx, unit, obstacles) {
    this.ctx = ctx;
    this.unit = unit;
    // {x, y, w, h} of every zone and tip drawn, {x1, y1, x2, y2, line} of every instrument line (a label there
    // would hide the needle in the picture): what a label should not cover
    this.obstacles = obstacles;
    this.boxes = [];   // {x, y, w, h, text}: y is the top of the box
  }

  /** Draws text naming `own` (one of the obstacles: its own box, which the label may touch). */
  draw(text, own, isTip, colour) {
    const ctx = this.ctx;
    const unit = this.unit;
    ctx.font = `${Math.round(11 * unit)}px sans-serif`;
    const pad = 2 * unit;
    const w = ctx.measureText(text).width + 2 * pad;
    const h = 13 * unit + 2 * pad;
    const W = ctx.canvas.width;
    const H = ctx.canvas.height;
    const gap = 2 * unit;
    const above = own.y - h - gap;
    const below = own.y + own.h + gap;
    const right = own.x + own.w + gap;
    const candidates = isTip
      ? [[right, own.y], [own.x - w - gap, own.y], [own.x, above], [own.x, below]]
      : [[own.x, above], [own.x + own.w - w, above], [own.x, below], [own.x + own.w - w, below]];
    const [x0, y0] = candidates[0];
    for (let k = 1; k <= 12; k++) {
      candidates.push([x0, y0 + Math.ceil(k / 2) * h * (k % 2 ? -1 : 1)]);   // a line up, down, two up...
    }
    // a zone overlapping its own box (a nerve inside a no-go zone) is beside it wherever it goes; a tip never is
    const others = this.obstacles.filter((o) => o !== own
      && (o.tip || o.line || !this.hits([o], own.x, own.y, own.w, own.h)));
    let chosen = null;
    let freeOfLabels = null;
    for (const [cx, cy] of candidates) {
      const x = Math.max(0, Math.min(cx, W - w));
      const y = Math.max(0, Math.min(cy, H - h));
      if (this.hits(this.boxes, x, y, w, h)) continue;
      freeOfLabels = freeOfLabels || [x, y];
      if (!this.hits(others, x, y, w, h)) {
        chosen = [x, y];
        break;
      }
    }
    const [left, top] = chosen || freeOfLabels
      || [Math.max(0, Math.min(x0, W - w)), Math.max(0, Math.min(y0, H - h))];
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

  hits(boxes, x, y, w, h) {
    return boxes.some((b) => (b.line ? crosses(b, x, y, w, h)
      : x < b.x + b.w && b.x < x + w && y < b.y + b.h && b.y < y + h));
  }
}

/** Whether segment s (x1, y1)-(x2, y2) meets the box (Liang-Barsky clipping: some part of it lies inside). */
function crosses(s, x, y, w, h) {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  let t0 = 0;
  let t1 = 1;
  for (let edge = 0; edge < 4; edge++) {   // left, right, top, bottom (LabelLayout.crosses, the same)
    const p = edge === 0 ? -dx : edge === 1 ? dx : edge === 2 ? -dy : dy;
    const q = edge === 0 ? s.x1 - x : edge === 1 ? x + w - s.x1 : edge === 2 ? s.y1 - y : y + h - s.y1;
    if (p === 0) {
      if (q < 0) return false;   // parallel to this edge and outside it
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** The bounding box {x, y, w, h} of a zone's points. */
function boxOf(points) {
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
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
  const zones = (ov.zones || []).filter((z) => layers[zoneLayer(z.class)] && z.points && z.points.length >= 2);
  const tips = layers.tips ? (ov.tips || []) : [];
  const tipRadius = 9 * unit;
  const zoneBoxes = zones.map((z) => boxOf(z.points));
  const tipBoxes = tips.map((t) => ({
    x: t.x - tipRadius, y: t.y - tipRadius, w: 2 * tipRadius, h: 2 * tipRadius, tip: true,
  }));
  // the needle's line is avoided drawn or not: the needle in the picture lies under it
  const lineSegments = (ov.lines || []).map((l) => ({ ...l, line: true }));
  const labels = new LabelPlacer(ctx, unit, zoneBoxes.concat(tipBoxes, lineSegments));
  ctx.save();
  ctx.globalAlpha = opts.opacity ?? 1;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';

  zones.forEach((z, zi) => {
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
      ctx.save();
      if (z.low) ctx.globalAlpha *= 0.7;
      labels.draw(text, zoneBoxes[zi], false, colour);
      ctx.restore();
    }
  });

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
    tips.forEach((t, ti) => {
      const r = tipRadius;
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
        labels.draw(text, tipBoxes[ti], true, COLOURS.tip);
        ctx.restore();
      }
    });
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
