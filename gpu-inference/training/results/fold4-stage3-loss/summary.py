# The four stage-3 runs on fold 4 (README.md beside it): per arm Dice, and per-image Dice minus plain, frame by frame,
# same seed, with a 95 % bootstrap interval. Usage: /usr/bin/python3 summary.py
import json, numpy as np, os
R = os.path.dirname(os.path.abspath(__file__))
arms = {'plain, seed 3 (cv-ssl-4)': 'plain-seed3', 'plain, seed 13': 'plain-seed13',
        'per-image Dice, seed 3': 'dpi-seed3', 'per-image Dice, seed 13': 'dpi-seed13'}
ev = {}
for k, d in arms.items():
    p = os.path.join(R, d + '.eval.json')
    if os.path.exists(p):
        ev[k] = json.load(open(p))
for k, e in ev.items():
    s = e['segmentation']
    print('| %s | %.3f (%d) | %.3f (%d) | %.2f / %.2f |' % (k, s['vessel']['dice'], s['vessel']['frames'], s['nerve']['dice'], s['nerve']['frames'], e['thresholds']['vessel'], e['thresholds']['nerve']))
# paired per-frame differences, per-image Dice minus plain, same seed
rng = np.random.default_rng(0)
for seed in ('3', '13'):
    a, b = ev.get('plain, seed %s' % seed if seed == '13' else 'plain, seed 3 (cv-ssl-4)'), ev.get('per-image Dice, seed %s' % seed)
    if not a or not b: continue
    for c in ('vessel', 'nerve'):
        fa, fb = a['per_frame_dice'][c], b['per_frame_dice'][c]
        keys = sorted(set(fa) & set(fb))
        d = np.array([fb[k] - fa[k] for k in keys])
        boots = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)]
        print('seed %s %s: paired mean diff %+.3f over %d frames, 95%% bootstrap [%+.3f, %+.3f]' % (seed, c, d.mean(), len(d), np.percentile(boots, 2.5), np.percentile(boots, 97.5)))
