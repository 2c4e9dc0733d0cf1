"""How the clip's real needle looks on the network's 256 grid next to the drawn needles of a pool (issue 13):
contrast (the shaft's median grey minus the tissue's 4-6 px to either side, over that tissue's spread) and echo
width (full width at half maximum of the across-shaft profile, each position aligned on its peak within 2.5 px,
median over the middle 70 % of the shaft). Real: the 84 labelled tuning frames (every third for the width); drawn:
1,500 (contrast) and 600 (width) random samples of the pool whose needle mask is a shaft of at least 15 px
(its ends by common.tip_from_mask, the evaluation's rule).

    /usr/bin/python3 results/needle-without-clip/needle_look.py needle-pool-abl-noclip
"""
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, TRAINING)
from common import SIZE, tip_from_mask  # noqa: E402

FIXTURE = os.path.join(TRAINING, "..", "src", "test", "resources", "real-needle")
TUNE = os.path.join(TRAINING, "cache", "needle-clip-eval", "tune", "images")


def _sample(img, pts):
    return cv2.remap(img, pts[:, 0:1].astype(np.float32), pts[:, 1:2].astype(np.float32), cv2.INTER_LINEAR)[:, 0]


def _frame(a, b, lo, hi):
    a, b = np.asarray(a, float), np.asarray(b, float)
    length = np.hypot(*(b - a))
    u = (b - a) / length
    pts = a[None] + np.linspace(lo, hi, max(2, int(length)))[:, None] * (b - a)[None]
    return pts, np.array([-u[1], u[0]]), length


def contrast(img, a, b, side=4):
    pts, n, length = _frame(a, b, 0.1, 0.9)
    if length < 12:
        return None
    img = img.astype(np.float32)
    tissue = np.concatenate([_sample(img, pts + s * k * n) for k in range(side, side + 3) for s in (1, -1)])
    return (np.median(_sample(img, pts)) - np.median(tissue)) / max(tissue.std(), 1.0)


def echo_width(img, a, b, step=0.25):
    pts, n, _ = _frame(a, b, 0.15, 0.85)
    img = img.astype(np.float32)
    offs = np.arange(-10, 10 + step / 2, step)
    prof = np.array([_sample(img, pts + o * n) for o in offs])  # [offset, along]
    mid, win = len(offs) // 2, int(2.5 / step)
    aligned = [np.roll(prof[:, j], mid - (mid - win + int(np.argmax(prof[mid - win:mid + win + 1, j]))))
               for j in range(prof.shape[1])]
    p = np.median(np.array(aligned), axis=0)
    half = (np.median(np.concatenate([p[:12], p[-12:]])) + p[mid]) / 2
    lo = hi = mid
    while lo > 0 and p[lo - 1] >= half:
        lo -= 1
    while hi < len(p) - 1 and p[hi + 1] >= half:
        hi += 1
    return (hi - lo + 1) * step


def real_needles():
    labels = json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
    out = []
    for f in (f for f in labels if f["split"] == "tune" and f["needle"]):
        g = cv2.imread(os.path.join(TUNE, f["file"]), cv2.IMREAD_GRAYSCALE)
        h, w = g.shape
        s = np.array([SIZE / w, SIZE / h])
        out.append((cv2.resize(g, (SIZE, SIZE), interpolation=cv2.INTER_AREA), np.array(f["tip"]) * s,
                    np.array(f["end"]) * s))
    return out


def drawn_needles(pool, n, seed=0):
    z = np.load(os.path.join(TRAINING, "cache", pool + ".npz"))
    x, masks = z["x"], z["masks"]  # an npz member is read whole at each access: once
    out = []
    for i in np.random.default_rng(seed).choice(len(x), n, replace=False):
        ends = tip_from_mask(np.unpackbits(masks[i, 0], axis=1)[:, :SIZE])
        if ends and np.hypot(*np.subtract(*ends)) >= 15:
            out.append((x[i].copy(), np.array(ends[0]), np.array(ends[1])))
    return out


def main(pool):
    real = real_needles()
    rc = np.array([c for c in (contrast(*r) for r in real) if c is not None])
    rw = np.array([echo_width(*r) for r in real[::3]])
    drawn = drawn_needles(pool, 1500)
    dc = np.array([c for c in (contrast(*d) for d in drawn) if c is not None])
    dw = np.array([echo_width(*d) for d in drawn_needles(pool, 600)])
    q = lambda v: "median %.2f (p10 %.2f, p90 %.2f)" % (np.median(v), *np.quantile(v, [0.1, 0.9]))
    print("real needle, %d frames: contrast %s; echo width %s px" % (len(rc), q(rc), q(rw)))
    print("drawn, %s (%d / %d): contrast %s, %.2f of them fainter than the real median; echo width %s px, %.2f of "
          "them as thin as the real median or thinner" % (pool, len(dc), len(dw), q(dc), np.mean(dc < np.median(rc)),
                                                         q(dw), np.mean(dw <= np.median(rw))))


if __name__ == "__main__":
    main(sys.argv[1])
