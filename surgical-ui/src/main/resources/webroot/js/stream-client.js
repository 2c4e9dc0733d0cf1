// One stream's connection: WebSocket with reconnect and back-off, clock sync, video decoding (WebCodecs H.264
// with a JPEG fallback), overlays, alert events and heat maps. Pages give it callbacks and draw.
// Latency discipline: at most one frame waits in the decoder behind the one being decoded (a deeper queue only adds
// delay: the client skips to a key frame instead), and a decoded frame is drawn at once. Where the time goes is
// measured per stage. A decoded frame reaches the canvas as RGBA pixels (VideoFrame.copyTo, then putImageData):
// drawing the VideoFrame itself made a software-rendering Chromium convert its YUV on the page's thread, about 18 ms
// for 1280x720 on this project's 2-core machine against about 1 ms for the copy; JPEG likewise through ImageDecoder.
import {
  binaryType, parseVideoHeader, parseHeatmap, codecFromAnnexB, TYPE_VIDEO, TYPE_HEATMAP, ENC_H264, ENC_JPEG,
} from './protocol.js';
import { ClockSync } from './clock.js';
import { LatencyWindow } from './stats.js';
import { checkAccess } from './access.js';

const H264_PROBE_CODEC = 'avc1.42E01F';
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 5000];
const MAX_DECODE_QUEUE = 2; // decode requests pending: the one being decoded and at most one waiting

/**
 * Runs one job at a time (`run` may be async); a job submitted meanwhile waits, and a newer one replaces it, the
 * older handed to `drop`. Newest wins: a frame waiting behind a newer one would only add delay.
 */
class LatestWins {
  constructor(run, drop) {
    this.run = run;
    this.drop = drop;
    this.busy = false;
    this.waiting = null;
  }

  submit(job) {
    if (this.busy) {
      if (this.waiting) this.drop(this.waiting);
      this.waiting = job;
      return;
    }
    this.busy = true;
    Promise.resolve(job).then(this.run).catch((e) => console.error('showing a frame failed', e)).finally(() => {
      this.busy = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.submit(next);
    });
  }

  /** Drops the job waiting, if any. */
  clear() {
    if (this.waiting) this.drop(this.waiting);
    this.waiting = null;
  }
}

/**
 * Stages of glass-to-glass, each a rolling window of ms: encode (capture to encoded, server clock), network (encoded
 * to received here, which includes the server's send queue; synced clock), decode (received to decoded, here) and
 * draw (the canvas draw, here).
 */
export const STAGES = ['encode', 'network', 'decode', 'draw'];

/** Whether this browser can decode constrained-baseline H.264 with WebCodecs. */
export async function h264Supported() {
  if (typeof VideoDecoder === 'undefined' || typeof EncodedVideoChunk === 'undefined') return false;
  try {
    const r = await VideoDecoder.isConfigSupported({ codec: H264_PROBE_CODEC, optimizeForLatency: true });
    return !!r.supported;
  } catch (e) {
    return false;
  }
}

export class StreamClient {
  /**
   * @param opts.stream    stream id
   * @param opts.encoding  'auto' | 'h264' | 'jpeg'
   * @param opts.variant   'clean' | 'burned'
   * @param opts.overlay   whether to receive overlays (false for burned-in)
   * @param opts.heatmap   whether to receive heat maps
   * @param opts.onFrame(drawable, header)   draw it now; the client closes it afterwards
   * @param opts.onOverlay(overlay), onAlert(event), onHeatmap(heatmap), onStats(stats), onHello(hello),
   *        onState(state, detail) with state 'connecting' | 'open' | 'reconnecting'
   */
  constructor(opts) {
    this.opts = opts;
    this.stream = opts.stream;
    this.requested = opts.encoding || 'auto';
    this.encoding = null;       // chosen: 'h264' | 'jpeg'
    this.ws = null;
    this.state = 'idle';
    this.attempt = 0;
    this.stopped = false;
    this.clock = new ClockSync((m) => this.send(m));
    this.latency = new LatencyWindow(10000);
    this.keyLatency = new LatencyWindow(10000); // the same, H.264 key frames only: where a periodic tail comes from
    this.stages = Object.fromEntries(STAGES.map((k) => [k, new LatencyWindow(10000)]));
    this.decoded = 0;
    this.dropped = 0;           // frames received but not shown (newest wins, or waiting for a key frame)
    this.received = 0;
    this.bytes = 0;
    this.lastFrameAt = 0;       // performance.now() of the last frame shown
    this.lastHeader = null;
    this.hello = null;
    this.serverStats = null;
    // H.264 state
    this.decoder = null;
    this.codec = null;
    this.needKey = true;
    this.lastSequence = -1;
    this.pendingHeaders = new Map();
    this.lastKeyRequest = 0;
    this.decoderErrors = 0;
    // decoded frames to the canvas, one at a time: {frame, h}
    this.h264Frames = new LatestWins((j) => this.showH264(j.frame, j.h), (j) => {
      j.frame.close();
      this.dropped++;
    });
    this.rgbaCopy = true;       // false once this browser refused copyTo in RGBA: frames are drawn as they are
    this.rgbaFrames = 0;        // frames shown through an RGBA copy (H.264, and JPEG through ImageDecoder)
    this.rgbaBuffers = { h264: null, jpeg: null }; // one each: a JPEG copy never overwrites an H.264 one being drawn
    // JPEG state: one decode at a time, {buf, h}
    this.jpegFrames = new LatestWins((j) => this.decodeJpeg(j.buf, j.h), () => { this.dropped++; });
    // false: createImageBitmap (no ImageDecoder, or it failed here)
    this.jpegRgba = typeof ImageDecoder !== 'undefined';
    this.timers = [];
  }

  async start() {
    if (this.requested === 'jpeg') {
      this.encoding = 'jpeg';
    } else {
      this.encoding = (await h264Supported()) ? 'h264' : 'jpeg';
      if (this.requested === 'h264' && this.encoding !== 'h264') {
        console.warn('H.264 requested but WebCodecs cannot decode it here: using JPEG');
      }
    }
    this.timers.push(setInterval(() => this.clock.probe(), 2000));
    this.timers.push(setInterval(() => this.report(), 2000));
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    this.timers.forEach(clearInterval);
    if (this.ws) this.ws.close(1000, 'page closed');
    this.closeDecoder();
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({
      encoding: this.encoding,
      variant: this.opts.variant || 'clean',
      overlay: String(this.opts.overlay !== false),
      heatmap: String(!!this.opts.heatmap),
    });
    return `${proto}//${location.host}/ws/streams/${encodeURIComponent(this.stream)}?${q}`;
  }

  setState(state, detail) {
    this.state = state;
    if (this.opts.onState) this.opts.onState(state, detail);
  }

  connect() {
    if (this.stopped) return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting', `attempt ${this.attempt + 1}`);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.openedAt = performance.now();
      this.needKey = true;
      this.lastSequence = -1;
      this.clock.reset();
      for (let i = 0; i < 5; i++) setTimeout(() => this.clock.probe(), i * 60);
      this.setState('open');
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') this.onText(ev.data);
      else this.onBinary(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closeDecoder();
      if (ev.code === 1008) checkAccess(); // closed on policy, e.g. its token revoked: log in again if so
      this.scheduleReconnect();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.setState('reconnecting', `retry in ${delay} ms`);
    setTimeout(() => this.connect(), delay);
  }

  send(m) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  /** Changes what this client receives (layers, heat map, encoding, burned-in). */
  subscribe(change) {
    Object.assign(this.opts, change);
    if (change.encoding) this.encoding = change.encoding;
    this.needKey = true;
    this.lastSequence = -1;
    this.send({ type: 'subscribe', ...change });
  }

  requestKeyFrame() {
    const now = performance.now();
    if (now - this.lastKeyRequest < 300) return;
    this.lastKeyRequest = now;
    this.send({ type: 'keyframe' });
  }

  report() {
    this.send({
      type: 'report',
      decoded: this.decoded,
      dropped: this.dropped,
      g2gP50Ms: this.latency.percentile(50),
      g2gP99Ms: this.latency.percentile(99),
    });
  }

  onText(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      console.error('malformed message from server', e);
      return;
    }
    switch (m.type) {
      case 'hello':
        this.hello = m;
        if (this.opts.onHello) this.opts.onHello(m);
        break;
      case 'clock':
        this.clock.onReply(m);
        break;
      case 'overlay':
        if (this.opts.onOverlay) this.opts.onOverlay(m);
        break;
      case 'alert':
        if (this.opts.onAlert) this.opts.onAlert(m);
        break;
      case 'stats':
        this.serverStats = m;
        if (this.opts.onStats) this.opts.onStats(m);
        break;
      case 'error':
        console.warn(`server: ${m.message}`);
        break;
      default:
        break;
    }
  }

  onBinary(buf) {
    let type;
    try {
      type = binaryType(buf);
    } catch (e) {
      console.error(e);
      return;
    }
    if (type === TYPE_HEATMAP) {
      if (this.opts.onHeatmap) this.opts.onHeatmap(parseHeatmap(buf));
      return;
    }
    if (type !== TYPE_VIDEO) return;
    const h = parseVideoHeader(buf);
    h.arrivedAt = performance.now();
    this.received++;
    this.bytes += buf.byteLength;
    if (h.encoding === ENC_JPEG) this.jpegFrames.submit({ buf, h });
    else if (h.encoding === ENC_H264) this.decodeH264(buf, h);
  }

  // ---------- JPEG: one decode at a time (jpegFrames), the newest waiting frame replaces an older one ----------
  async decodeJpeg(buf, h) {
    const bytes = new Uint8Array(buf, h.headerLength);
    const bitmap = () => createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    let drawable;
    try {
      if (!this.jpegRgba) {
        drawable = await bitmap();
      } else {
        try {
          drawable = await this.jpegToRgba(bytes, h);
        } catch (e) {
          drawable = await bitmap();
          // the other decoder read this frame: ImageDecoder is what fails here, not the frame
          console.warn('ImageDecoder cannot decode JPEG to RGBA here: using createImageBitmap', e);
          this.jpegRgba = false;
        }
      }
    } catch (e) {
      this.dropped++;
      console.warn('JPEG decode failed', e);
      return;
    }
    this.show(drawable, h); // show owns and closes it
  }

  /**
   * A JPEG to RGBA pixels: WebCodecs' ImageDecoder gives its YUV planes and copyTo converts them, about 8 ms for
   * 1280x720 here against about 18 ms for createImageBitmap, the same pixels. Resolves to ImageData, or to the decoded
   * frame itself when its size is not the header's (the canvas scales it).
   */
  async jpegToRgba(bytes, h) {
    const decoder = new ImageDecoder({ data: bytes, type: 'image/jpeg' });
    try {
      const { image } = await decoder.decode();
      let rgba;
      try {
        rgba = await this.rgbaOf(image, h, 'jpeg');
      } catch (e) {
        image.close();
        throw e;
      }
      if (!rgba) return image;
      image.close();
      return rgba;
    } finally {
      decoder.close();
    }
  }

  /**
   * The frame's pixels as RGBA (VideoFrame.copyTo, about 1 ms for 1280x720 here) in this client's buffer for `use`
   * ('h264' or 'jpeg'), or null when its size is not the header's (the canvas scales it instead). Rejects where
   * copyTo cannot give RGBA. Does not close the frame.
   */
  async rgbaOf(frame, h, use) {
    if (frame.visibleRect.width !== h.width || frame.visibleRect.height !== h.height) return null;
    let image = this.rgbaBuffers[use];
    if (!image || image.width !== h.width || image.height !== h.height) {
      image = new ImageData(h.width, h.height);
      this.rgbaBuffers[use] = image;
    }
    await frame.copyTo(image.data, { format: 'RGBA', colorSpace: 'srgb' });
    this.rgbaFrames++;
    return image;
  }

  // ---------- H.264 with WebCodecs ----------
  decodeH264(buf, h) {
    const data = new Uint8Array(buf, h.headerLength);
    const gap = this.lastSequence >= 0 && h.sequence !== ((this.lastSequence + 1) >>> 0);
    if (!h.key && (this.needKey || gap || !this.decoder)) {
      // a frame this one depends on is missing: show nothing until the next key frame
      this.needKey = true;
      this.dropped++;
      this.requestKeyFrame();
      return;
    }
    if (h.key) {
      const codec = codecFromAnnexB(data) || this.codec || H264_PROBE_CODEC;
      if (!this.decoder || this.decoder.state === 'closed' || codec !== this.codec) this.openDecoder(codec);
    }
    if (this.decoder.decodeQueueSize >= MAX_DECODE_QUEUE && !h.key) {
      // the decoder is behind: skip to the next key frame rather than build up delay
      this.needKey = true;
      this.dropped++;
      this.requestKeyFrame();
      return;
    }
    this.pendingHeaders.set(h.frameId, h);
    if (this.pendingHeaders.size > 64) this.pendingHeaders.delete(this.pendingHeaders.keys().next().value);
    try {
      this.decoder.decode(new EncodedVideoChunk({ type: h.key ? 'key' : 'delta', timestamp: h.frameId, data }));
      this.needKey = false;
      this.lastSequence = h.sequence;
    } catch (e) {
      console.warn('decode failed', e);
      this.needKey = true;
      this.dropped++;
      this.requestKeyFrame();
    }
  }

  openDecoder(codec) {
    this.closeDecoder();
    this.codec = codec;
    this.decoder = new VideoDecoder({
      output: (frame) => {
        const h = this.pendingHeaders.get(frame.timestamp);
        this.pendingHeaders.delete(frame.timestamp);
        if (!h) {
          frame.close();
          return;
        }
        h.decodedAt = performance.now();
        this.h264Frames.submit({ frame, h });
      },
      error: (e) => {
        console.warn('VideoDecoder error', e);
        this.decoderErrors++;
        this.needKey = true;
        this.decoder = null;
        if (this.decoderErrors >= 3 && this.requested !== 'h264') {
          console.warn('H.264 keeps failing here: switching to JPEG');
          this.subscribe({ encoding: 'jpeg' });
        } else {
          this.requestKeyFrame();
        }
      },
    });
    this.decoder.configure({ codec, optimizeForLatency: true, hardwareAcceleration: 'no-preference' });
  }

  closeDecoder() {
    if (this.decoder && this.decoder.state !== 'closed') {
      try {
        this.decoder.close();
      } catch (e) { /* already closed */ }
    }
    this.decoder = null;
    this.pendingHeaders.clear();
    this.h264Frames.clear();
    this.needKey = true;
  }

  /** A decoded H.264 frame to the canvas as RGBA pixels, or as it is where that copy fails. Owns the frame. */
  async showH264(frame, h) {
    let rgba = null;
    if (this.rgbaCopy) {
      try {
        rgba = await this.rgbaOf(frame, h, 'h264');
      } catch (e) {
        console.warn('VideoFrame.copyTo(RGBA) is not available here: drawing frames as they are', e);
        this.rgbaCopy = false;
      }
    }
    if (rgba) {
      frame.close();
      this.show(rgba, h);
    } else {
      this.show(frame, h); // show owns and closes it
    }
  }

  /**
   * Draws a decoded picture (a VideoFrame, an ImageBitmap, or RGBA ImageData) at once and closes it. Drawing at the
   * next animation frame instead (newest wins) was measured in headless Chromium here: p50 about 10 ms later and ten
   * times the frames dropped, since the page paints what the canvas holds at its next frame anyway; so the frame is
   * drawn the moment it is decoded.
   */
  show(drawable, h) {
    const decodedAt = h.decodedAt || performance.now();
    try {
      this.opts.onFrame(drawable, h);
    } finally {
      if (drawable.close) drawable.close();
    }
    const now = performance.now();
    this.decoded++;
    this.lastFrameAt = now;
    this.lastHeader = h;
    this.stages.decode.add(decodedAt - h.arrivedAt, now);
    this.stages.draw.add(now - decodedAt, now);
    if (h.encodedUs > 0) this.stages.encode.add((h.encodedUs - h.captureUs) / 1000, now);
    if (this.clock.synced) {
      // capture (server clock) to drawn on the canvas (our clock, corrected to the server's)
      const serverNowUs = this.clock.serverNowUs();
      this.latency.add((serverNowUs - h.captureUs) / 1000, now);
      if (h.key && h.encoding === ENC_H264) this.keyLatency.add((serverNowUs - h.captureUs) / 1000, now);
      if (h.encodedUs > 0) {
        // received here, on the server's clock: now minus the time spent here since. A stage takes no negative time:
        // a sample below zero is the synced clock's error (within half its round trip, shown beside) and counts as 0
        const arrivedServerUs = serverNowUs - (now - h.arrivedAt) * 1000;
        this.stages.network.add(Math.max(0, (arrivedServerUs - h.encodedUs) / 1000), now);
      }
    }
  }

  /** p50 and p99 of each stage, ms. */
  stageFigures() {
    return Object.fromEntries(STAGES.map((k) => [k, {
      p50: this.stages[k].percentile(50), p99: this.stages[k].percentile(99),
    }]));
  }
}
