// The focused stream's recording (record / stop, status) and, when the stream replays a recording, the replay
// view: a timeline with the recorded alerts marked on it (click to seek), play / pause / step, speed, and the
// switch between the recorded annotations and a fresh inference by the current model. Everything goes through
// the REST API (README, docs/protocol.md): GET/POST /api/streams/{id}/recording[/start|/stop] and
// GET/POST /api/streams/{id}/replay. The replay state is asked for only when /api/streams says the stream is a
// replay: for a live stream that route answers 404, and a page that polled it would log an error every poll.

const POLL_MS = 400;

function fmtTime(us) {
  const s = Math.max(0, us) / 1e6;
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}

function fmtBytes(b) {
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`;
}

export class SessionPanel {
  constructor(root = document) {
    const $ = (id) => root.getElementById(id);
    this.recButton = $('rec-toggle');
    this.recStatus = $('rec-status');
    this.section = $('replay');
    this.timeline = $('timeline');
    this.marks = $('tl-marks');
    this.cursor = $('tl-cursor');
    this.timeText = $('rp-time');
    this.speedEl = $('rp-speed');
    this.sourceEl = $('rp-source');
    this.keepEl = $('rp-keep');
    this.errorEl = $('rp-error');
    this.stream = null;
    this.isReplay = false;   // the focused stream replays a recording (from /api/streams)
    this.recording = null;   // last GET .../recording
    this.replay = null;      // last GET .../replay (null: not a replay)
    this.marksKey = '';
    this.busy = false;
    this.onReplay = null;    // called with each replay state shown (the needle marker follows the position)

    this.recButton.addEventListener('click', () => this.toggleRecording());
    $('rp-play').addEventListener('click', () => this.act({ action: 'play' }));
    $('rp-pause').addEventListener('click', () => this.act({ action: 'pause' }));
    $('rp-step').addEventListener('click', () => this.act({ action: 'step', frames: 1 }));
    this.speedEl.addEventListener('change', () => this.act({ action: 'speed', speed: Number(this.speedEl.value) }));
    this.sourceEl.addEventListener('change', () => this.act({ action: 'annotations', source: this.sourceEl.value }));
    this.keepEl.addEventListener('change', () => this.act({ action: 'keep', keep: this.keepEl.checked }));
    this.timeline.addEventListener('click', (e) => {
      if (!this.replay) return;
      const r = this.timeline.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
      this.act({ action: 'seek', timeUs: Math.round(f * this.replay.durationUs) });
    });
    setInterval(() => this.poll(), POLL_MS);
  }

  /** @param replay whether the stream replays a recording (its /api/streams entry says so) */
  focus(stream, replay = false) {
    if (this.stream === stream) return;
    this.stream = stream;
    this.isReplay = !!replay;
    this.recording = null;
    this.replay = null;
    this.marksKey = '';
    this.renderRecording();
    this.renderReplay();
    this.poll();
  }

  url(path) {
    return `/api/streams/${encodeURIComponent(this.stream)}/${path}`;
  }

  async poll() {
    if (!this.stream || this.busy) return;
    const stream = this.stream;
    try {
      const [rec, rep] = await Promise.all([
        fetch(this.url('recording'), { cache: 'no-store' }),
        this.isReplay ? fetch(this.url('replay'), { cache: 'no-store' }) : null,
      ]);
      if (stream !== this.stream) return;
      this.recording = rec.ok ? await rec.json() : null;
      this.replay = rep && rep.ok ? await rep.json() : null;
    } catch (e) {
      this.recording = null; // server unreachable: the stream view shows it; keep the panel quiet
    }
    this.renderRecording();
    this.renderReplay();
  }

  async toggleRecording() {
    if (!this.stream) return;
    const on = this.recording && this.recording.state === 'recording';
    this.recButton.disabled = true;
    try {
      const r = await fetch(this.url(`recording/${on ? 'stop' : 'start'}`), { method: 'POST' });
      this.recording = await r.json();
    } catch (e) {
      this.recStatus.textContent = `request failed: ${e.message}`;
    } finally {
      this.recButton.disabled = false;
    }
    this.renderRecording();
  }

  renderRecording() {
    const s = this.recording;
    const on = !!s && s.state === 'recording';
    this.recButton.textContent = on ? '■ stop recording' : '● record';
    this.recButton.classList.toggle('active', on);
    this.recButton.disabled = !s || s.state === 'stopping';
    if (!s) {
      this.recStatus.textContent = this.stream ? '–' : 'Click a stream to focus it.';
      this.recStatus.className = 'small';
      return;
    }
    const where = s.directory ? s.directory.split('/').pop() : '';
    let text = `${s.state}`;
    if (s.state !== 'idle' || s.framesWritten > 0) {
      text += ` · ${where} · ${s.framesWritten} frames · ${s.segmentCount} segment(s) · ${fmtBytes(s.bytes)}`;
      if (s.framesDropped > 0) text += ` · ${s.framesDropped} dropped`;
    }
    if (s.error) text += ` · ${s.error}`;
    this.recStatus.textContent = text;
    this.recStatus.className = `small${s.state === 'failed' ? ' error' : ''}${on ? ' on' : ''}`;
  }

  renderReplay() {
    const r = this.replay;
    this.section.classList.toggle('hidden', !r);
    if (!r) return;
    const f = r.durationUs > 0 ? Math.min(1, r.timeUs / r.durationUs) : 0;
    this.cursor.style.left = `${(f * 100).toFixed(3)}%`;
    this.timeText.textContent = `${r.state} · frame ${r.position + 1} / ${r.frames} · ${fmtTime(r.timeUs)} / `
      + `${fmtTime(r.durationUs)} · ${r.speed}× · segment ${r.segment}`;
    if (document.activeElement !== this.speedEl) this.speedEl.value = String(r.speed);
    if (document.activeElement !== this.sourceEl) this.sourceEl.value = r.annotations;
    this.sourceEl.querySelector('option[value=model]').disabled = !r.modelAvailable;
    this.keepEl.checked = !!r.kept; // the server's word: a keep it refused (a read-only folder) unticks the box
    if (this.onReplay) this.onReplay(r);
    const key = `${r.recording}|${r.durationUs}|${r.alerts.length}`;
    if (key !== this.marksKey) {
      this.marksKey = key;
      this.marks.textContent = '';
      for (const a of r.alerts) {
        const m = document.createElement('span');
        m.className = `mark level-${a.level}`;
        const left = r.durationUs > 0 ? a.fromUs / r.durationUs : 0;
        const width = r.durationUs > 0 ? (a.toUs - a.fromUs) / r.durationUs : 0;
        m.style.left = `${(left * 100).toFixed(3)}%`;
        m.style.width = `max(2px, ${(width * 100).toFixed(3)}%)`;
        m.title = `${a.level}: frames ${a.from + 1}-${a.to + 1} (${fmtTime(a.fromUs)})`;
        this.marks.append(m);
      }
    }
  }

  async act(body) {
    if (!this.stream) return;
    this.busy = true;
    try {
      const r = await fetch(this.url('replay'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = await r.json();
      if (r.ok) {
        this.replay = json;
        this.errorEl.textContent = '';
      } else {
        this.errorEl.textContent = json.error || `HTTP ${r.status}`;
      }
    } catch (e) {
      this.errorEl.textContent = `request failed: ${e.message}`;
    } finally {
      this.busy = false;
    }
    this.renderReplay();
  }
}
