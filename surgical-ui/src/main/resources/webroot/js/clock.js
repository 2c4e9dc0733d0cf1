// NTP-style clock synchronisation over the stream's WebSocket: client t0 -> server t1 (received) / t2 (sent)
// -> client t3. offset = ((t1 - t0) + (t2 - t3)) / 2, round trip = (t3 - t0) - (t2 - t1). Of the recent
// samples the one with the smallest round trip wins (its offset has the smallest error bound, rtt / 2).

const MAX_PENDING = 16; // probes awaiting a reply: a reply comes within one round trip, a probe goes every 2 s

export function nowMs() {
  return performance.timeOrigin + performance.now();
}

export class ClockSync {
  constructor(send) {
    this.send = send;
    this.samples = [];
    this.nextId = 1;
    this.pending = new Map();
    this.offsetMs = 0;   // server clock minus ours
    this.rttMs = NaN;
    this.synced = false;
  }

  reset() {
    this.samples = [];
    this.pending.clear();
    this.synced = false;
  }

  /** Sends one exchange. */
  probe() {
    const id = this.nextId++;
    const t0 = nowMs();
    this.pending.set(id, t0);
    // a probe whose reply never comes (sent while the socket was down, or lost) is forgotten after the newest few:
    // a display reconnecting all night would otherwise keep one entry per probe
    while (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value);
    this.send({ type: 'clock', id, t0 });
  }

  /** Handles the server's reply ({type:'clock', id, t0, t1, t2}); t1/t2 are server epoch microseconds. */
  onReply(m) {
    const t3 = nowMs();
    const t0 = this.pending.get(m.id);
    if (t0 === undefined) return;
    this.pending.delete(m.id);
    const t1 = m.t1 / 1000;
    const t2 = m.t2 / 1000;
    const rtt = (t3 - t0) - (t2 - t1);
    const offset = ((t1 - t0) + (t2 - t3)) / 2;
    this.samples.push({ rtt, offset, at: t3 });
    if (this.samples.length > 16) this.samples.shift();
    let best = this.samples[0];
    for (const s of this.samples) if (s.rtt < best.rtt) best = s;
    this.offsetMs = best.offset;
    this.rttMs = best.rtt;
    this.synced = true;
  }

  /** The server's clock now, epoch microseconds. */
  serverNowUs() {
    return (nowMs() + this.offsetMs) * 1000;
  }
}
