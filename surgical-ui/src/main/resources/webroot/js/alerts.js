// Active alerts, kept from the alert events (raise / update / clear, every one delivered in order) and seeded
// from the first overlay after (re)connecting. Plus a WebAudio beep: no sound files.
import { ALERT_LEVELS } from './protocol.js';

const RANK = { none: 0, caution: 1, warning: 2, critical: 3 };

export class AlertState {
  constructor() {
    this.active = new Map();
    this.lastSeq = 0;
    this.gaps = 0;
    this.seeded = false;
  }

  reset() {
    this.active.clear();
    this.lastSeq = 0;
    this.seeded = false;
  }

  /** The first overlay after connecting lists every active alert. */
  seed(overlay) {
    if (this.seeded || overlay.status === undefined) return;
    this.seeded = true;
    this.active.clear();
    for (const a of overlay.alerts || []) this.active.set(a.id, a);
  }

  /** Applies an event; returns true when it raised or escalated an alert (worth a beep). */
  onEvent(e) {
    if (this.lastSeq && e.seq !== this.lastSeq + 1) this.gaps++;
    this.lastSeq = e.seq;
    this.seeded = true;
    const before = this.active.get(e.id);
    if (e.event === 'clear') {
      this.active.delete(e.id);
      return false;
    }
    this.active.set(e.id, e);
    return !before || RANK[e.level] > RANK[before.level];
  }

  top() {
    let best = null;
    for (const a of this.active.values()) if (!best || RANK[a.level] > RANK[best.level]) best = a;
    return best;
  }

  count() {
    return this.active.size;
  }

  static describe(a, count) {
    const where = a.zoneClass === 'nogo' ? 'NO-GO ZONE' : String(a.zoneClass).toUpperCase();
    const dist = a.mm !== null && a.mm !== undefined ? `${a.mm.toFixed(1)} mm` : `${Math.round(a.px)} px`;
    const what = a.kind === 'inside' ? `tip INSIDE ${where}`
      : a.kind === 'trajectory' ? `trajectory enters ${where} (${dist})` : `tip ${dist} from ${where}`;
    return `${a.level.toUpperCase()}: ${what}${count > 1 ? `  (+${count - 1})` : ''}`;
  }
}

export { ALERT_LEVELS };

let audio = null;

/** Beeps for an alert level (louder pattern for higher levels). Needs a prior user gesture in most browsers. */
export function beep(level) {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume();
    const n = level === 'critical' ? 3 : level === 'warning' ? 2 : 1;
    const freq = level === 'critical' ? 1046 : level === 'warning' ? 880 : 660;
    for (let i = 0; i < n; i++) {
      const t = audio.currentTime + i * 0.18;
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.12);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.13);
    }
  } catch (e) {
    console.warn('no audio', e);
  }
}
