"""Flicker of segmented zones in `intravis analyze` runs (issue 14: zones that hold still).

Usage: zone_flicker.py RUN.jsonl [RUN.jsonl ...] [--truth TRUTH.jsonl] [--fps F]

For each run (an annotations.jsonl), per class and over all classes:
  iou        mean frame-to-frame IoU of a zone with the zone of the same id in the next frame (polygons
             rasterised at half the frame's resolution); 1 is perfectly still. Each pair counts once, so keeping a
             small, jittery zone in view lowers it
  pixel IoU  the same pairs' intersections over their unions, summed: how far the zones' edges move, in pixels
  events     zones appearing or disappearing (an id present in one frame and not in the other) per 100 frame pairs
  renamed    zone continuations (same class, bounding-box IoU >= 0.5 frame to frame) whose id changed
With --truth (an analyze run of the same frames with --model ground-truth, the synthetic phantom only):
  dice       mean per-frame Dice of the class's zones with the truth's (frames where either has the class)
  lag        frames by which the class's total area follows the truth's (the shift, 0..10 to a tenth, with the
             highest correlation of the two area series; a moving or pulsating structure shows it)
Without truth, runs after the first also get `lag` against the first run (e.g. smoothing off first, then on).
"""
import argparse
import json

import numpy as np

SCALE = 0.5


def load(path):
    frames = []
    size = None
    for line in open(path):
        o = json.loads(line)
        if size is None and o.get('frame'):
            size = (o['frame']['width'], o['frame']['height'])
        zs = [z for z in (o.get('zones') or []) if not z.get('drawn')]
        frames.append(zs)
    return frames, size


def raster(points, w, h):
    """Even-odd fill of a polygon at SCALE, on a w x h grid; returns (y0, x0, mask) over its bounding box."""
    p = np.asarray(points, dtype=np.float64) * SCALE
    x0 = max(0, int(np.floor(p[:, 0].min())))
    x1 = min(w - 1, int(np.ceil(p[:, 0].max())))
    y0 = max(0, int(np.floor(p[:, 1].min())))
    y1 = min(h - 1, int(np.ceil(p[:, 1].max())))
    if x1 < x0 or y1 < y0:
        return 0, 0, np.zeros((0, 0), bool)
    ys = np.arange(y0, y1 + 1) + 0.5
    xs = np.arange(x0, x1 + 1) + 0.5
    a = p
    b = np.roll(p, -1, axis=0)
    inside = np.zeros((len(ys), len(xs)), bool)
    for (ax, ay), (bx, by) in zip(a, b):
        if ay == by:
            continue
        lo, hi = min(ay, by), max(ay, by)
        rows = (ys >= lo) & (ys < hi)
        if not rows.any():
            continue
        xc = ax + (ys[rows] - ay) * (bx - ax) / (by - ay)
        inside[rows] ^= xs[None, :] < xc[:, None]
    return y0, x0, inside


def class_mask(zones, cls, w, h):
    m = np.zeros((h, w), bool)
    for z in zones:
        if z['class'] == cls:
            y0, x0, r = raster(z['points'], w, h)
            m[y0:y0 + r.shape[0], x0:x0 + r.shape[1]] |= r
    return m


def zone_mask(z, w, h):
    m = np.zeros((h, w), bool)
    y0, x0, r = raster(z['points'], w, h)
    m[y0:y0 + r.shape[0], x0:x0 + r.shape[1]] = r
    return m


def box(z):
    p = np.asarray(z['points'])
    return p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()


def box_iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    i = w * h
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i
    return i / u if u > 0 else 0.0


def flicker(frames, w, h):
    classes = sorted({z['class'] for zs in frames for z in zs})
    ious = {c: [] for c in classes}
    inter = {c: 0 for c in classes}
    union = {c: 0 for c in classes}
    events = {c: 0 for c in classes}
    renamed = kept = 0
    for prev, cur in zip(frames, frames[1:]):
        pid = {(z['class'], z['id']): z for z in prev}
        cid = {(z['class'], z['id']): z for z in cur}
        for k in pid.keys() | cid.keys():
            if k in pid and k in cid:
                a, b = zone_mask(pid[k], w, h), zone_mask(cid[k], w, h)
                i, u = (a & b).sum(), (a | b).sum()
                ious[k[0]].append(i / u if u else 1.0)
                inter[k[0]] += i
                union[k[0]] += u
            else:
                events[k[0]] += 1
        for z in cur:
            same = [p for p in prev if p['class'] == z['class']]
            if same:
                best = max(same, key=lambda p: box_iou(box(p), box(z)))
                if box_iou(box(best), box(z)) >= 0.5:
                    kept += best['id'] == z['id']
                    renamed += best['id'] != z['id']
    pairs = max(1, len(frames) - 1)
    out = {c: {'iou': float(np.mean(ious[c])) if ious[c] else float('nan'), 'pairs': len(ious[c]),
               'pixel_iou': inter[c] / union[c] if union[c] else float('nan'),
               'events': 100.0 * events[c] / pairs} for c in classes}
    allious = [v for c in classes for v in ious[c]]
    su = sum(union.values())
    out['all'] = {'iou': float(np.mean(allious)) if allious else float('nan'), 'pairs': len(allious),
                  'pixel_iou': sum(inter.values()) / su if su else float('nan'),
                  'events': 100.0 * sum(events.values()) / pairs, 'renamed': renamed, 'continued': renamed + kept}
    return out


def areas(frames, cls, w, h):
    return np.array([class_mask(zs, cls, w, h).sum() for zs in frames], dtype=np.float64)


def lag(series, reference, most=10):
    """Shift (frames, to a tenth: the correlation's peak refined by a parabola) of `series` behind `reference`
    with the highest correlation, and that correlation; None when either series does not vary."""
    rs = {}
    for s in range(-2, most + 2):
        a = series[max(0, s):len(series) + min(0, s)]
        b = reference[max(0, -s):len(reference) - max(0, s)]
        if len(a) >= 10 and a.std() > 0 and b.std() > 0:
            rs[s] = float(np.corrcoef(a, b)[0, 1])
    inside = [s for s in rs if 0 <= s <= most]
    if not inside:
        return None
    best = max(inside, key=rs.get)
    shift = float(best)
    if best - 1 in rs and best + 1 in rs:
        den = rs[best - 1] - 2 * rs[best] + rs[best + 1]
        if den < 0:
            shift = best + 0.5 * (rs[best - 1] - rs[best + 1]) / den
    return max(0.0, shift), rs[best]


def dice(frames, truth, cls, w, h):
    ds = []
    for zs, ts in zip(frames, truth):
        a, b = class_mask(zs, cls, w, h), class_mask(ts, cls, w, h)
        s = a.sum() + b.sum()
        if s:
            ds.append(2.0 * (a & b).sum() / s)
    return float(np.mean(ds)) if ds else float('nan')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('runs', nargs='+')
    ap.add_argument('--truth')
    ap.add_argument('--fps', type=float, default=30)
    args = ap.parse_args()
    runs = [load(r) for r in args.runs]
    size = next(s for _, s in runs if s)
    w, h = int(size[0] * SCALE), int(size[1] * SCALE)
    truth = load(args.truth)[0] if args.truth else None
    reference = truth if truth is not None else runs[0][0]
    for i, (path, (frames, _)) in enumerate(zip(args.runs, runs)):
        f = flicker(frames, w, h)
        a = f.pop('all')
        print(f"{path}: {len(frames)} frames; all zones: frame-to-frame IoU {a['iou']:.3f} over {a['pairs']} pairs "
              f"(pixel IoU {a['pixel_iou']:.3f}), "
              f"{a['events']:.1f} appear/disappear events per 100 frames, {a['renamed']} of {a['continued']} "
              f"continuations renamed")
        for c, v in f.items():
            line = (f"  {c}: IoU {v['iou']:.3f} ({v['pairs']} pairs; pixel IoU {v['pixel_iou']:.3f}), "
                    f"{v['events']:.1f} events/100 frames")
            if truth is not None:
                line += f", Dice with the truth {dice(frames, truth, c, w, h):.3f}"
            if truth is not None or i > 0:
                n = min(len(frames), len(reference))
                found = lag(areas(frames[:n], c, w, h), areas(reference[:n], c, w, h))
                what = 'the truth' if truth is not None else 'the first run'
                if found is None:
                    line += f", area lag behind {what}: n/a (an area that does not vary)"
                else:
                    line += (f", area lags {what} by {found[0]:.1f} frames ({1000 * found[0] / args.fps:.0f} ms at "
                             f"{args.fps:g} fps; r {found[1]:.2f})")
            print(line)


if __name__ == '__main__':
    main()
