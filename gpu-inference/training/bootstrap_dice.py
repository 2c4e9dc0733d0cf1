"""Per-frame vessel and nerve Dice from an `intravis evaluate --dump` folder, with a bootstrap interval for the mean
(frames resampled with replacement; the mean over frames where the class is in the truth or the prediction, as
`intravis evaluate` defines it), so that a held-out figure on 41 frames is given with its spread:

    intravis evaluate --model ultrasound --images VAL/images --labels VAL/masks --classes nerve=1,vessel=2 \
        --report seg.json --dump DUMP
    /usr/bin/python3 bootstrap_dice.py --dump DUMP --masks VAL/masks [--resamples 10000]
"""
import argparse
import os

import cv2
import numpy as np

from common import dice, load_us_labels

CLASSES = (("vessel", 2), ("nerve", 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True, help="label maps written by intravis evaluate --dump (0 bg, 1 nerve, 2 vessel)")
    ap.add_argument("--masks", required=True, help="the dataset's colour masks, same file names")
    ap.add_argument("--resamples", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    per = {c: [] for c, _ in CLASSES}
    for f in sorted(os.listdir(a.masks)):
        pred = cv2.imread(os.path.join(a.dump, f), cv2.IMREAD_UNCHANGED)
        if pred is None:
            raise SystemExit("no prediction for %s in %s" % (f, a.dump))
        gt = load_us_labels(os.path.join(a.masks, f))
        for c, v in CLASSES:
            d = dice(pred == v, gt == v)
            if d is not None:
                per[c].append(d)
    for c, xs in per.items():
        xs = np.array(xs)
        means = xs[rng.integers(0, len(xs), (a.resamples, len(xs)))].mean(1)
        lo, hi = np.percentile(means, [2.5, 97.5])
        print("%-6s %d frames: mean Dice %.3f, 95 %% bootstrap interval [%.3f, %.3f], median %.3f, %d frames under 0.3"
              % (c, len(xs), xs.mean(), lo, hi, np.median(xs), int((xs < 0.3).sum())))


if __name__ == "__main__":
    main()
