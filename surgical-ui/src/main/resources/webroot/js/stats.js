// Rolling latency samples and their percentiles.

export class LatencyWindow {
  constructor(windowMs = 10000, max = 4000) {
    this.windowMs = windowMs;
    this.max = max;
    this.samples = []; // {at, ms}
  }

  add(ms, at = performance.now()) {
    this.samples.push({ at, ms });
    if (this.samples.length > this.max) this.samples.splice(0, this.samples.length - this.max);
  }

  recent(now = performance.now()) {
    const from = now - this.windowMs;
    let i = 0;
    while (i < this.samples.length && this.samples[i].at < from) i++;
    if (i > 0) this.samples.splice(0, i);
    return this.samples;
  }

  percentile(p) {
    const values = this.recent().map((s) => s.ms).sort((a, b) => a - b);
    if (values.length === 0) return NaN;
    const idx = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
    return values[idx];
  }
}

/** Small live plot of latency samples on a canvas (last windowMs), with p50 and p99 lines. */
export function plotLatency(canvas, window, budgetMs) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#0b0b0b';
  ctx.fillRect(0, 0, w, h);
  const samples = window.recent();
  const now = performance.now();
  let maxMs = Math.max(50, budgetMs || 0);
  for (const s of samples) maxMs = Math.max(maxMs, s.ms);
  maxMs *= 1.1;
  const y = (ms) => h - 2 - (ms / maxMs) * (h - 4);
  ctx.strokeStyle = '#333';
  ctx.beginPath();
  for (let g = 0; g <= maxMs; g += maxMs > 400 ? 100 : 25) {
    ctx.moveTo(0, y(g));
    ctx.lineTo(w, y(g));
  }
  ctx.stroke();
  ctx.strokeStyle = '#4fc3f7';
  ctx.beginPath();
  samples.forEach((s, i) => {
    const x = w - ((now - s.at) / window.windowMs) * w;
    if (i === 0) ctx.moveTo(x, y(s.ms));
    else ctx.lineTo(x, y(s.ms));
  });
  ctx.stroke();
  const line = (ms, colour) => {
    if (!Number.isFinite(ms)) return;
    ctx.strokeStyle = colour;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(0, y(ms));
    ctx.lineTo(w, y(ms));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(window.percentile(50), '#8bc34a');
  line(window.percentile(99), '#ff9800');
  ctx.fillStyle = '#999';
  ctx.font = '10px sans-serif';
  ctx.fillText(`${Math.round(maxMs)} ms`, 2, 10);
}
