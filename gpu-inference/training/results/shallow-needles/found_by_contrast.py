"""Whether a simulated needle is found, against how visible it is and its angle; and where the tips that miss lie.

For each needle frame of one or more simulated sets (simulate_bmode.py's images/ and masks/, with an `intravis evaluate
--dump` of them): its contrast (../needle-without-clip/needle_look.py's measure on the 256 grid, as sim_look.py) and
whether a tip is shown within 20 px of the true tip (score_sim.py's), then the share found by contrast band and by
angle (the file names' second part, a10 ... a60) for needles at least as visible as CONTRAST_BAR. With --misses, every
shown tip more than 20 px off: its error along the shaft (negative: short of the tip) and across it.

    /usr/bin/python3 results/shallow-needles/found_by_contrast.py SET_DIR DUMP_DIR [SET_DIR DUMP_DIR ...] [--misses]
"""
import collections
import glob
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "needle-without-clip"))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import needle_look as nl  # noqa: E402
from score_sim import true_tip  # noqa: E402
from sim_look import needle_on_grid  # noqa: E402

CONTRAST_BAR = 1.25  # about half the clip's real needle (median 2.32 on the same measure)
BANDS = [0, 0.75, 1.0, 1.25, 1.5, 2.0, 99]


def needles(set_dir, dump_dir):
    """(angle, contrast, found, found and sure, name, along, across) per needle frame."""
    shown = {f["image"]: f for f in json.load(open(os.path.join(dump_dir, "predictions.json")))["frames"]}
    for path in sorted(glob.glob(os.path.join(set_dir, "images", "*.png"))):
        name = os.path.basename(path)
        m0 = cv2.imread(os.path.join(set_dir, "masks", name), cv2.IMREAD_GRAYSCALE)
        on_grid = needle_on_grid(path, m0)
        c = nl.contrast(*on_grid) if on_grid is not None else None
        if c is None:
            continue
        tip = true_tip(m0)
        ys, xs = np.nonzero(m0)
        pts = np.stack([xs, ys], 1).astype(float)
        v = np.linalg.svd(pts - pts.mean(0))[2][0]
        if np.dot(tip - pts.mean(0), v) < 0:
            v = -v  # pointing towards the tip
        p = shown[name]
        if p.get("tip") is None:
            yield int(name.split("_")[1][1:]), c, False, False, name, None, None
            continue
        e = np.array(p["tip"]) - tip
        near = bool(np.hypot(*e) <= 20)
        yield (int(name.split("_")[1][1:]), c, near, near and not p.get("tip_low"), name, float(e @ v),
               float(abs(e[0] * v[1] - e[1] * v[0])))


def main(args):
    misses = "--misses" in args
    args = [a for a in args if a != "--misses"]
    rows = [r for s, d in zip(args[::2], args[1::2]) for r in needles(s, d)]
    a = np.array([r[:4] for r in rows], float)
    print("%d needle frames" % len(a))
    for lo, hi in zip(BANDS, BANDS[1:]):
        s = a[(a[:, 1] >= lo) & (a[:, 1] < hi)]
        if len(s):
            angles = dict(sorted(collections.Counter(s[:, 0].astype(int)).items()))
            print("contrast %.2f-%.2f: %3d, within 20 px %.2f, and confident %.2f; by angle %s"
                  % (lo, hi, len(s), s[:, 2].mean(), s[:, 3].mean(), angles))
    for ang in sorted(set(a[:, 0].astype(int))):
        s = a[a[:, 0] == ang]
        vis = s[s[:, 1] >= CONTRAST_BAR]
        print("%2d degrees: %3d needles, contrast median %.2f; %3d with contrast >= %.2f, within 20 px %s"
              % (ang, len(s), np.median(s[:, 1]), len(vis), CONTRAST_BAR,
                 "%.2f" % vis[:, 2].mean() if len(vis) else "-"))
    if misses:
        for r in rows:
            if r[5] is not None and not r[2]:
                print("  %-28s along %7.1f  across %5.1f" % (r[4], r[5], r[6]))


if __name__ == "__main__":
    main(sys.argv[1:])
