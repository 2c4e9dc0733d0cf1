# Issue 14, a post-processing lever: keep only some connected components of each thresholded zone map (the
# largest; those at least a share of the largest's area or probability mass; those whose peak reaches a level) and
# score Dice as evaluate.py does, on one fold's held-out images with one fold model (README beside this file).
# Usage: /usr/bin/python3 components.py FOLD CHECKPOINT EVAL_JSON   (the thresholds are the evaluation's)
import json
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from common import CROP, dice, load_real, read_split  # noqa: E402
from evaluate import Runner, upsample  # noqa: E402

RULES = ["none", "largest", "area0.1", "area0.25", "area0.5", "mass0.25", "peak0.9", "peak0.95"]


def kept(prob, t, rule):
    m = (prob > t).astype(np.uint8)
    n, lab, st, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if rule == "none" or n <= 2:
        return m > 0
    keep = np.zeros(n, bool)
    area = st[1:, cv2.CC_STAT_AREA]
    if rule == "largest":
        keep[1 + int(np.argmax(area))] = True
    elif rule.startswith("area"):
        keep[1:] = area >= float(rule[4:]) * area.max()
    elif rule.startswith("mass"):
        mass = np.array([prob[lab == i].sum() for i in range(1, n)])
        keep[1:] = mass >= float(rule[4:]) * mass.max()
    else:
        peak = np.array([prob[lab == i].max() for i in range(1, n)])
        keep[1:] = peak >= float(rule[4:])
        if not keep.any():
            keep[1 + int(np.argmax(peak))] = True
    return keep[lab]


def main():
    fold, checkpoint, evaluation = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    thr = json.load(open(evaluation))["thresholds"]
    run = Runner("ultrasound", None, checkpoint, True, CROP)  # as evaluate.py --mirror-average --crop-to-content
    held = load_real(read_split("ultrasound-fold%d.txt" % fold))
    probs = run([g for _, g, _ in held])
    print("| class | rule | Dice | minus none | frames worse / better |")
    print("| --- | --- | --- | --- | --- |")
    for name, ch, lv in (("vessel", 1, 2), ("nerve", 2, 1)):
        base = None
        for rule in RULES:
            ds = []
            for (_, _, lab), p in zip(held, probs):
                h, w = lab.shape
                d = dice(kept(upsample(p[ch], w, h), thr[name], rule), lab == lv)
                if d is not None:
                    ds.append(d)
            ds = np.array(ds)
            base = ds if base is None else base
            print("| %s | %s | %.4f | %+.4f | %d / %d |" % (name, rule, ds.mean(), ds.mean() - base.mean(),
                                                           (ds < base - 1e-6).sum(), (ds > base + 1e-6).sum()))


if __name__ == "__main__":
    main()
