"""What a needle network's own maps say about the clip's real needle and its fascia (issue 13, leave-clip-out).

For each run under runs/ given: the needle channel's probability along each labelled shaft (the largest within
1 px across, at 40 points between 5 % and 95 % of the way from tip to far end, on the model's 256 grid), its
largest value anywhere in the frame, the tip channel at the labelled tip (within 3 px) and anywhere; and on the
needle-free views (the fascia, the depth dots, the label) the largest needle probability. Medians over frames,
the tuning and held-out parts apart and together. The frame is stretched to 256 x 256 whole (the clip's content box is the whole
frame). Checkpoints through evaluate.Runner, not the ONNX export: the same network, without the Java locator's rules.

    /usr/bin/python3 results/needle-without-clip/maps_on_clip.py needle-abl-noclip needle-abl-clip needle-e
"""
import glob
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, TRAINING)
from common import SIZE  # noqa: E402
from evaluate import Runner  # noqa: E402

FIXTURE = os.path.join(TRAINING, "..", "src", "test", "resources", "real-needle")
TUNE = os.path.join(TRAINING, "cache", "needle-clip-eval", "tune", "images")  # make_needle_fixture.py writes it


def load(run):
    """The run's checkpoint as evaluate.py runs one (the whole frame, one pass)."""
    return Runner("needle", checkpoint=os.path.join(TRAINING, "runs", run, "model.pt"))


def maps(net, gray):
    return net([gray])[0]


def frame_path(f):
    if f["split"] == "tune":
        return os.path.join(TUNE, f["file"])
    return os.path.join(FIXTURE, "images", f["file"].replace(".png", ".jpg"))


def main(runs):
    labels = json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
    views = {"tune": sorted(glob.glob(os.path.join(TUNE, "*_lower.png"))),
             "test": sorted(glob.glob(os.path.join(FIXTURE, "needle-free", "images", "*.jpg")))}
    print("run | part | along the shaft | frame max | tip at the label | tip max | needle-free views: max")
    for run in runs:
        net = load(run)
        ni, ti = net.channels.index("needle"), net.channels.index("tip")
        for part in ("tune", "test", "all"):
            along, peak, tip_at, tip_max = [], [], [], []
            for f in (f for f in labels if part in (f["split"], "all") and f["needle"]):
                g = cv2.imread(frame_path(f), cv2.IMREAD_GRAYSCALE)
                h, w = g.shape
                o = maps(net, g)
                a, b = np.array(f["tip"]), np.array(f["end"])
                pts = a[None] + np.linspace(0.05, 0.95, 40)[:, None] * (b - a)[None]
                u = np.clip((pts[:, 0] * SIZE / w).astype(int), 0, SIZE - 1)
                v = np.clip((pts[:, 1] * SIZE / h).astype(int), 0, SIZE - 1)
                along.append(np.mean([o[ni, max(0, y - 1):y + 2, x].max() for x, y in zip(u, v)]))
                peak.append(o[ni].max())
                tu, tv = int(a[0] * SIZE / w), int(a[1] * SIZE / h)
                tip_at.append(o[ti, max(0, tv - 3):tv + 4, max(0, tu - 3):tu + 4].max())
                tip_max.append(o[ti].max())
            paths = views["tune"] + views["test"] if part == "all" else views[part]
            free = [maps(net, cv2.imread(p, cv2.IMREAD_GRAYSCALE))[ni].max() for p in paths]
            print("%s | %s (%d, %d views) | %.2f | %.2f | %.2f | %.2f | %.2f" % (
                run, part, len(along), len(free), np.median(along), np.median(peak), np.median(tip_at),
                np.median(tip_max), np.median(free)))


if __name__ == "__main__":
    main(sys.argv[1:])
