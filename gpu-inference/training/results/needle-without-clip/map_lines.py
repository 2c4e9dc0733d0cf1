"""Straight lines of an unseen network's needle map, chosen by motion (issue 13; scene-naive: no clip training).

The stand-in that never saw the clip gives its real needle ~0.4 along the shaft and the fascia 1.0, and as
connected components its map held the needle on 0.11 of the held-out frames (`motion_cue.py candidates`). Here the
candidates are straight lines of the map instead: a Hough transform over the 256 grid weighted by the needle
probability (> 0.2), the 3 best lines (a line within 8 degrees of a better one with its middle within 10 grid px of that line dropped), each line's
segment the longest run of pixels > 0.25 within 2 px of it (gaps up to 8 px bridged, at least 12 px long), then
each scored by motion (the largest blurred |frame t - frame t-15| within 6 px of it, as `auto_marks.pick`); the
pick's deeper end is the tip. Scored as `new_lines.py`. Rule written before any figure (results README, "Cues from the scene without a mark").

    /usr/bin/python3 results/needle-without-clip/map_lines.py needle-s42-C tune
"""
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from maps_on_clip import FIXTURE, SIZE, load  # noqa: E402
from new_lines import CLIP, deeper, frames, on_needle  # noqa: E402

GAP = 15


def map_lines(p, keep=3, above=0.2, run_above=0.25, min_len=12, bridge=8):
    ys, xs = np.nonzero(p > above)
    w = p[ys, xs]
    found = []
    for a in np.radians(np.arange(-89, 90, 1.0)):
        n = np.array([-np.sin(a), np.cos(a)])  # the line's normal; the line runs along (cos a, sin a)
        rho = np.round(xs * n[0] + ys * n[1]).astype(int)
        acc = np.bincount(rho - rho.min(), weights=w)
        for r in np.argsort(acc)[::-1][:4]:
            found.append((acc[r], a, r + rho.min()))
    found.sort(key=lambda f: -f[0])
    kept = []
    for score, a, rho in found:
        seg = segment(p, a, rho, run_above, min_len, bridge)
        if seg is None:
            continue
        mid = (seg[0] + seg[1]) / 2
        # the same line as a better one: within 8 degrees, its middle within 10 px of that line
        if any(abs(np.degrees(a - ka)) <= 8 and abs(mid @ np.array([-np.sin(ka), np.cos(ka)]) - kr) <= 10
               for _, ka, kr, _ in kept):
            continue
        kept.append((score, a, rho, seg))
        if len(kept) >= keep:
            break
    return [k[3] for k in kept]


def segment(p, a, rho, above, min_len, bridge):
    u, n = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
    ts = np.arange(-2 * SIZE, 2 * SIZE)
    on = []
    for t in ts:
        best = 0.0
        for d in (-2, -1, 0, 1, 2):
            x, y = np.round(rho * n + t * u + d * n).astype(int)
            if 0 <= x < SIZE and 0 <= y < SIZE:
                best = max(best, p[y, x])
        on.append(best > above)
    best, start, last = None, None, None
    for t, o in zip(ts, on):
        if not o:
            continue
        if start is None or t - last - 1 > bridge:
            start = t
        last = t
        if last - start >= min_len and (best is None or last - start > best[1] - best[0]):
            best = (start, last)
    if best is None:
        return None
    return [rho * n + t * u for t in best]


def motion_score(diff, seg, w, h):
    mask = np.zeros(diff.shape, np.uint8)
    a, b = ((q * (w / SIZE, h / SIZE)).astype(int) for q in seg)
    cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, 13)
    return float(diff[mask > 0].max())


def main(run, part):
    labels = [f for f in json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
              if f["needle"] and f["split"] == part]
    clip = frames(CLIP)
    net = load(run)
    ni = net.channels.index("needle")
    rows = []
    for f in labels:
        t = f["frame"] - 1
        if t - GAP < 0:
            continue
        g = clip[t]
        h, w = g.shape
        p = net([g])[0][ni]
        segs = map_lines(p)
        lines_px = [[q * (w / SIZE, h / SIZE) for q in s] for s in segs]
        diff = cv2.GaussianBlur(np.abs(g.astype(np.float32) - clip[t - GAP].astype(np.float32)), (0, 0), 4)
        scores = [motion_score(diff, s, w, h) for s in segs]
        among = [on_needle(l, f["tip"], f["end"]) for l in lines_px]
        if lines_px:
            pick = lines_px[int(np.argmax(scores))]
            strongest = lines_px[0]
            rows.append((any(among), on_needle(pick, f["tip"], f["end"]),
                         np.hypot(*(deeper(pick) - np.asarray(f["tip"]))), on_needle(strongest, f["tip"], f["end"])))
        else:
            rows.append((False, False, np.inf, False))
    e = np.array([r[2] for r in rows])
    report = {"run": run, "part": part, "frames": len(rows), "needle_among_3": float(np.mean([r[0] for r in rows])),
              "motion_pick_is_needle": float(np.mean([r[1] for r in rows])),
              "motion_pick_tip_within_20px": float(np.mean(e <= 20)), "motion_pick_tip_median_px": float(np.median(e)),
              "strongest_line_is_needle": float(np.mean([r[3] for r in rows]))}
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    run, part = sys.argv[1], sys.argv[2]
    json.dump(main(run, part), open(os.path.join(HERE, "map-lines-%s-%s.json" % (run, part)), "w"), indent=1)
