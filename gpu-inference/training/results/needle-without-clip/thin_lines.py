"""Two looks at the clip's needle from its pixels alone, without a network that saw the clip (issue 13).

1. `finder`: the strongest thin straight bright line of the frame (`auto_marks.lines`, in training/, where the line
   finder lives since the site tool uses it too; what it does:). The frame is scaled to a shorter side of 430 px;
   at each angle (-80..80 degrees, 2-degree steps) it is rotated so that lines at that angle run along the rows,
   smoothed along them (Gaussian, sigma 6 px) and given a thin-ridge response (the centre minus the brighter of
   the two rows 3 px above and below, at least 0); on every row the best run (the largest sum of the response
   less the frame's 97th percentile at that angle); runs from one border of the picture to the other (a reflector:
   a needle ends inside) and runs within the top 5 % of the picture (the probe's contact line, the near field)
   are left out. The line with the largest sum is reported, its deeper end as the tip.
2. `choice`: the network's own candidates re-ranked by the pixels. The needle map of a network that never saw the
   clip (needle-abl-noclip) at threshold 0.3, each connected component (at least 8 pixels, 16 px long at 256,
   elongation 2.5) fitted with a line; each scored by the thin-ridge response along it at frame resolution (grey
   smoothed with sigma 1.5; the centre minus the brighter of two samples 6 px to either side, smoothed over 9 px,
   at least 0, averaged) times its mean probability; the best one's deeper end is the tip. Against the largest
   component (probability x length) as the locator's rule stands for.

Both on all 112 labelled frames (none seen by needle-abl-noclip). Tip error against the labelled tip, frame pixels.

    /usr/bin/python3 results/needle-without-clip/thin_lines.py
"""
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from maps_on_clip import FIXTURE, SIZE, frame_path, load, maps  # noqa: E402
from auto_marks import lines  # noqa: E402  (training/: the line finder, shared with the site tool)


def finder(gray, **kw):
    """The strongest line of `lines` (None when there is none)."""
    best = lines(gray, keep=1, **kw)
    return best[0] if best else None


def ridge_along(gray, a, b, d):
    a, b = np.asarray(a, float), np.asarray(b, float)
    pts = a[None] + np.linspace(0, 1, max(2, int(np.hypot(*(b - a)))))[:, None] * (b - a)[None]
    u = (b - a) / np.linalg.norm(b - a)
    n = np.array([-u[1], u[0]])
    G = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 1.5)
    at = lambda q: cv2.remap(G, q[:, 0:1].astype(np.float32), q[:, 1:2].astype(np.float32), cv2.INTER_LINEAR)[:, 0]
    r = at(pts) - np.maximum(at(pts + d * n), at(pts - d * n))
    return float(np.mean(np.maximum(np.convolve(r, np.ones(9) / 9, mode="same"), 0)))


def candidates(prob, gray, thr=0.3):
    h, w = gray.shape
    n, lab = cv2.connectedComponents((prob > thr).astype(np.uint8), connectivity=8)
    out = []
    for k in range(1, n):
        ys, xs = np.nonzero(lab == k)
        if len(xs) < 8:
            continue
        wt = prob[ys, xs]
        mx, my = np.average(xs, weights=wt), np.average(ys, weights=wt)
        ev, evec = np.linalg.eigh(np.cov(np.stack([xs - mx, ys - my]), aweights=wt))
        d = evec[:, 1]
        t = (xs - mx) * d[0] + (ys - my) * d[1]
        if t.max() - t.min() < 16 or np.sqrt(ev[1] / max(ev[0], 1e-6)) < 2.5:
            continue
        ends = [np.array([mx + tt * d[0], my + tt * d[1]]) * (w / SIZE, h / SIZE) for tt in (t.min(), t.max())]
        out.append({"ends": ends, "prob": float(wt.mean()), "len": float(t.max() - t.min()),
                    "ridge": ridge_along(gray, *ends, 6 * min(h, w) / 860)})
    return out


def deeper(ends):
    return ends[0] if ends[0][1] > ends[1][1] else ends[1]


def main():
    labels = [f for f in json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"] if f["needle"]]
    net = load("needle-abl-noclip")
    errs = {"finder": [], "choice": [], "largest": []}
    for f in labels:
        g = cv2.imread(frame_path(f), cv2.IMREAD_GRAYSCALE)
        tip = np.array(f["tip"])
        line = finder(g)
        errs["finder"].append(np.hypot(*(deeper(line) - tip)) if line else np.inf)
        cands = candidates(maps(net, g)[net.channels.index("needle")], g)
        for key, score in (("choice", lambda c: c["ridge"] * c["prob"]), ("largest", lambda c: c["prob"] * c["len"])):
            errs[key].append(np.hypot(*(deeper(max(cands, key=score)["ends"]) - tip)) if cands else np.inf)
    for key, e in errs.items():
        e = np.array(e)
        print("%-8s tip error median %.0f px; within 20 px on %.2f of %d frames, within 50 px on %.2f" % (
            key, np.median(e), np.mean(e <= 20), len(e), np.mean(e <= 50)))


if __name__ == "__main__":
    main()
