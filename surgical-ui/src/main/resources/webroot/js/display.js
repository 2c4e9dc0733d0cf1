// OR display: /display?stream=ID[&kiosk=1][&encoding=jpeg][&variant=burned][&sound=1]
// Full screen, no controls: video, overlays, a large alert banner, AI badges, NO SIGNAL / RECONNECTING.
// It never gives up: the stream client reconnects with back-off, across server restarts.
import { StreamView } from './stream-view.js';

const q = new URLSearchParams(location.search);
const stream = q.get('stream');
const flag = (name) => ['1', 'true', 'yes', ''].includes((q.get(name) ?? 'no').toLowerCase());

if (flag('kiosk')) {
  document.body.classList.add('kiosk');
  // browsers allow full screen only after a gesture; a kiosk browser (chromium --kiosk) is already full screen
  document.addEventListener('click', () => document.documentElement.requestFullscreen?.().catch(() => {}), { once: true });
}

if (!stream) {
  const err = document.getElementById('error');
  err.textContent = 'No stream given: open /display?stream=ID';
  err.classList.remove('hidden');
} else {
  document.title = `intravis ${stream}`;
  const view = new StreamView(document.getElementById('view'), {
    stream,
    encoding: q.get('encoding') || 'auto',
    variant: q.get('variant') || 'clean',
    sound: flag('sound'),
    layers: { tips: true, line: true, vessel: true, nerve: true, nogo: true, labels: true, heatmap: false },
  }).start();
  window.intravis = { views: { [stream]: view }, snapshot: () => view.snapshot() };
}
