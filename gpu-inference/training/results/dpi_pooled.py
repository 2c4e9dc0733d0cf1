# Issue 14: per-image Dice in stage 3 against the plain stage 3, paired frame by frame, pooled over the folds run so
# far (each fold's README beside this file): fold 4 (the two seeds' differences averaged per frame), folds 5, 1, 2.
# Every frame counts once; 95 % bootstrap over frames (2,000 resamples). Usage: /usr/bin/python3 dpi_pooled.py
import os

import numpy as np

from paired import differences, interval

R = os.path.dirname(os.path.abspath(__file__))
PAIRS = {  # fold: [(plain, per-image Dice), ...] evaluations with per-frame Dice
    4: [("fold4-stage3-loss/plain-seed3.eval.json", "fold4-stage3-loss/dpi-seed3.eval.json"),
        ("fold4-stage3-loss/plain-seed13.eval.json", "fold4-stage3-loss/dpi-seed13.eval.json")],
    5: [("fold5-dpi/plain.eval.json", "fold5-dpi/dpi.eval.json")],
    1: [("fold1-dpi/plain.eval.json", "fold1-dpi/dpi.eval.json")],
    2: [("fold2-dpi/plain.eval.json", "fold2-dpi/dpi.eval.json")],
}
rng = np.random.default_rng(0)
for c in ("vessel", "nerve"):
    diffs, per_fold = [], []
    for fold, pairs in PAIRS.items():
        if not all(os.path.exists(os.path.join(R, f)) for p in pairs for f in p):
            continue
        d = differences([(os.path.join(R, a), os.path.join(R, b)) for a, b in pairs], c)
        diffs.append(d)
        per_fold.append("fold %d %+.3f (%d)" % (fold, d.mean(), len(d)))
    d = np.concatenate(diffs)
    lo, hi = interval(d, rng)
    print("%s: per-image minus plain %+.3f over %d frames of %d folds, 95%% bootstrap [%+.3f, %+.3f]; %s" % (
        c, d.mean(), len(d), len(diffs), lo, hi, "; ".join(per_fold)))
