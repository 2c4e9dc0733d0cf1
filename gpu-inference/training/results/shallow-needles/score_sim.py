"""Of the frames with a needle, the share where a tip is shown, where it is within 20 px of the true tip, and where it
is within 20 px and confident; by scene and angle (the file names' first two parts: gel_a10, tissue_a15...).

The true tip is the end of the mask's shaft away from the picture's edge (simulate_bmode.py places the picture at
columns 170-550, rows 20-420 of its 720x440 frames; a needle enters through the top row or a side).

    /usr/bin/python3 results/shallow-needles/score_sim.py DUMP_DIR MASK_DIR     # DUMP_DIR: intravis evaluate --dump
"""
import collections
import json
import sys

import cv2
import numpy as np


def true_tip(mask):
    ys, xs = np.nonzero(mask)
    pts = np.stack([xs, ys], 1).astype(np.float32)
    c = pts.mean(0)
    v = np.linalg.svd(pts - c)[2][0]
    t = (pts - c) @ v
    e0, e1 = c + v * t.min(), c + v * t.max()
    edge = lambda p: min(abs(p[0] - 170), abs(p[0] - 550), abs(p[1] - 20))  # noqa: E731
    return e0 if edge(e0) > edge(e1) else e1


def main(dump, masks):
    frames = json.load(open(dump + "/predictions.json"))["frames"]
    groups = collections.defaultdict(lambda: np.zeros(4))
    for f in frames:
        m = cv2.imread(masks + "/" + f["image"], cv2.IMREAD_GRAYSCALE)
        if m is None or m.max() == 0:
            continue
        tip = true_tip(m)
        shown = f.get("tip") is not None
        near = shown and float(np.hypot(f["tip"][0] - tip[0], f["tip"][1] - tip[1])) <= 20
        row = np.array([1, shown, near, near and not f.get("tip_low")], float)
        groups["_".join(f["image"].split("_")[:2])] += row
        groups["all"] += row
    for k in sorted(groups, key=lambda k: (k == "all", k)):
        n, shown, near, sure = groups[k]
        print("%-12s frames %3d  tip shown %.2f  within 20 px %.2f  within 20 px and confident %.2f"
              % (k, n, shown / n, near / n, sure / n))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
