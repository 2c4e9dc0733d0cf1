"""The last stage with and without the phantom frames (30 %: -ph, 10 %: -ph10), and the phantom in every stage
(every-ph: runs/cv-dpi-K on the pools of `cross_validate.sh pools`), fold by fold and pooled (paired per frame, 95 %
bootstrap):
    /usr/bin/python3 results/all-images-phantom/compare.py   (from gpu-inference/training)"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from paired import pooled  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ARMS = ["stage3-plain", "stage3", "stage3-ph", "stage4-ph", "stage3-ph10", "every-ph"]


def load(k, arm):
    p = os.path.join(HERE, "fold%d-%s.eval.json" % (k, arm))
    return json.load(open(p)) if os.path.exists(p) else None


print("| fold | " + " | ".join(ARMS) + " |")
print("| --- |" + " --- |" * len(ARMS))
for k in (1, 2, 5):
    cells = []
    for arm in ARMS:
        d = load(k, arm)
        cells.append("-" if d is None else "%.3f / %.3f" % (d["segmentation"]["vessel"]["dice"], d["segmentation"]["nerve"]["dice"]))
    print("| %d | %s |" % (k, " | ".join(cells)))
rng = np.random.default_rng(0)
for arm in ("stage3-ph", "stage4-ph", "stage3-ph10", "every-ph"):
    for c in ("vessel", "nerve"):
        d, lo, hi = pooled([[(os.path.join(HERE, "fold%d-stage3.eval.json" % k),
                              os.path.join(HERE, "fold%d-%s.eval.json" % (k, arm)))]
                            for k in (1, 2, 5) if load(k, "stage3") and load(k, arm)], c, rng)
        print("%s - stage3, %s: %+.3f over %d frames, 95 %% bootstrap [%+.3f, %+.3f]" % (arm, c, d.mean(), len(d), lo, hi))
