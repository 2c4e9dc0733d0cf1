"""Each frame's largest tip-map value, per network and data set (ultrasound 1.2.4's tip-peak threshold): the clip's
labelled needle frames and needle-free views (tuning and held-out parts apart), and the synthetic-needle set
(cache/needle-val: its needle frames, and its 41 untouched validation frames without a needle). Checkpoints through
evaluate.Runner with the shipped content crop.

    /usr/bin/python3 results/needle-without-clip/tip_peaks.py needle-abl-noclip needle-e
"""
import glob
import json
import os
import sys

import cv2
import numpy as np

from maps_on_clip import FIXTURE, TRAINING, TUNE, frame_path
from evaluate import Runner  # noqa: E402  (maps_on_clip puts the training folder on the path)
from common import CROP  # noqa: E402


def sets():
    labels = json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
    val = sorted(glob.glob(os.path.join(TRAINING, "cache", "needle-val", "images", "*.png")))
    has = {p: cv2.imread(p.replace("/images/", "/masks/"), cv2.IMREAD_GRAYSCALE).any() for p in val}
    return {"tuning needles": [frame_path(f) for f in labels if f["split"] == "tune"],
            "held-out needles": [frame_path(f) for f in labels if f["split"] == "test"],
            "tuning views": sorted(glob.glob(os.path.join(TUNE, "*_lower.png"))),
            "held-out views": sorted(glob.glob(os.path.join(FIXTURE, "needle-free", "images", "*.jpg"))),
            "synthetic needles": [p for p in val if has[p]],
            "validation frames, no needle": [p for p in val if not has[p]]}


def main(runs):
    for run in runs:
        net = Runner("needle", checkpoint=os.path.join(TRAINING, "runs", run, "model.pt"), crop=CROP)
        ti = net.channels.index("tip")
        for name, paths in sets().items():
            pk = np.array([net([cv2.imread(p, cv2.IMREAD_GRAYSCALE)])[0][ti].max() for p in paths])
            print("%s | %s (%d) | p10 %.2f, median %.2f, p90 %.2f | >= 0.15: %.2f, >= 0.20: %.2f, >= 0.25: %.2f" % (
                run, name, len(pk), *np.quantile(pk, [0.1, 0.5, 0.9]), (pk >= 0.15).mean(), (pk >= 0.2).mean(),
                (pk >= 0.25).mean()))


if __name__ == "__main__":
    main(sys.argv[1:])
