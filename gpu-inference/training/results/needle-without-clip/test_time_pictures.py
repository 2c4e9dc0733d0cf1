"""Does a change of the picture at inference (contrast, gamma, gain, speckle size, thin-structure filter) let a needle
network that never saw the clip see its needle instead of its fascia? (issue 13; rule in README.md, "Test-time
pictures".) The quantities of maps_on_clip.py over all 112 labelled frames and 98 needle-free views, the frame's grey
transformed before the network.

    /usr/bin/python3 results/needle-without-clip/test_time_pictures.py needle-abl-noclip
"""
import glob
import json
import os
import sys

import cv2
import numpy as np

from maps_on_clip import FIXTURE, SIZE, TUNE, frame_path, load


def gamma(g, y):
    return (255 * (g / 255.0) ** y).astype(np.uint8)


def clahe(g, clip):
    return cv2.createCLAHE(clipLimit=clip, tileGridSize=(8, 8)).apply(g)


def stretch(g):
    """1st to 99.5th percentile of the picture (grey above 5) onto 0-255."""
    lo, hi = np.percentile(g[g > 5], [1, 99.5]) if (g > 5).any() else (0, 255)
    return np.clip((g.astype(np.float32) - lo) * 255 / max(1, hi - lo), 0, 255).astype(np.uint8)


def top_hat(g):
    """Only what is brighter than its 15-px surroundings: thin bright lines stay, wide bands go."""
    t = cv2.morphologyEx(g, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15)))
    return cv2.normalize(t, None, 0, 255, cv2.NORM_MINMAX)


def half(g):
    h, w = g.shape
    return cv2.resize(cv2.resize(g, (w // 2, h // 2), interpolation=cv2.INTER_AREA), (w, h))


TRANSFORMS = {"none": lambda g: g, "CLAHE 2": lambda g: clahe(g, 2.0), "CLAHE 4": lambda g: clahe(g, 4.0),
              "equalised": cv2.equalizeHist, "gamma 0.6": lambda g: gamma(g, 0.6),
              "gamma 1.6": lambda g: gamma(g, 1.6), "gain 0.6": lambda g: (g * 0.6).astype(np.uint8),
              "stretched": stretch, "top-hat 15 px": top_hat, "half resolution": half,
              "blur 2 px": lambda g: cv2.GaussianBlur(g, (0, 0), 2)}


def along_shaft(o, f, w, h):
    a, b = np.array(f["tip"]), np.array(f["end"])
    pts = a[None] + np.linspace(0.05, 0.95, 40)[:, None] * (b - a)[None]
    u = np.clip((pts[:, 0] * SIZE / w).astype(int), 0, SIZE - 1)
    v = np.clip((pts[:, 1] * SIZE / h).astype(int), 0, SIZE - 1)
    return np.mean([o[max(0, y - 1):y + 2, x].max() for x, y in zip(u, v)])


def main(runs):
    labels = json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
    frames = [(f, cv2.imread(frame_path(f), cv2.IMREAD_GRAYSCALE)) for f in labels if f["needle"]]
    views = [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in sorted(glob.glob(os.path.join(TUNE, "*_lower.png")))
             + sorted(glob.glob(os.path.join(FIXTURE, "needle-free", "images", "*.jpg")))]
    print("run | picture | along the shaft (112 frames) | needle-free views: max (98)")
    for run in runs:
        net = load(run)
        ni = net.channels.index("needle")
        for name, fn in TRANSFORMS.items():
            along = [along_shaft(net([fn(g)])[0][ni], f, g.shape[1], g.shape[0]) for f, g in frames]
            free = [net([fn(g)])[0][ni].max() for g in views]
            print("%s | %s | %.2f | %.2f" % (run, name, np.median(along), np.median(free)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
