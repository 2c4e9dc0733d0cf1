"""How alike consecutive frames of one video are, against frames of different scans: the figures behind the Java
side's scene-cut threshold (SceneCut.MIN_CORRELATION). Never trains anything.

    /usr/bin/python3 measure_scene_cuts.py

The thumbnail is SceneCut's, exactly: the whole frame (not the model's crop: a sector picture's box moves from
frame to frame), 16 x 16 cells, the mean of an 8 x 8 grid of pixels in each. A frame is compared when at least 16
cells are picture (brighter than its darkest cell by 8 grey levels) and they vary by a grey level or more; two
frames' correlation is Pearson's over the cells that are picture in either (black margins and burned-in graphics,
which every frame of a capture shares, left out). Within videos: the real needle clip (60 fps, frames 1 to 30
apart) and the PLUS sequences; across scans: neighbouring and random pairs of the 204 nerve/vessel images (other
scans, same scanner and protocol), also each letterboxed into 720x440 with the same scanner graphics
(make_needle_variants.letterbox), and frames of different sources.
"""
import glob
import os
import random

import cv2
import numpy as np

from common import DATA_DIR as NERVE_VESSEL_DIR
from make_needle_variants import letterbox
from needle_data import SHARED, read_plus

CELLS, SAMPLES, DARK, MIN_PICTURE_CELLS, THRESHOLD = 16, 8, 8.0, 16, 0.75
CLIP = os.path.join(SHARED, "real-needle-clip", "clarius-inplane-needle.mp4")


def thumbnail(g):
    h, w = g.shape
    grid = CELLS * SAMPLES
    ys = ((np.arange(grid) * 2 + 1) * h) // (2 * grid)
    xs = ((np.arange(grid) * 2 + 1) * w) // (2 * grid)
    t = g[np.ix_(ys, xs)].astype(np.float64).reshape(CELLS, SAMPLES, CELLS, SAMPLES).mean(axis=(1, 3)).ravel()
    p = t > t.min() + DARK
    return t if p.sum() >= MIN_PICTURE_CELLS and t[p].std() >= 1.0 else None


def correlation(a, b):
    keep = (a > a.min() + DARK) | (b > b.min() + DARK)
    x, y = a[keep] - a[keep].mean(), b[keep] - b[keep].mean()
    return float(x @ y / np.sqrt((x * x).sum() * (y * y).sum()))


def clip_frames():
    cap = cv2.VideoCapture(CLIP)
    out = []
    while True:
        ok, f = cap.read()
        if not ok:
            return out
        out.append(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY))


def main():
    videos = {"needle clip (60 fps)": clip_frames()}
    for p in sorted(glob.glob(os.path.join(SHARED, "plus-sequences", "*.igs.mh[ad]"))):
        videos[os.path.basename(p)] = list(read_plus(p))
    thumbs = {k: [thumbnail(g) for g in v] for k, v in videos.items()}
    print("| video | frames apart | pairs | lowest | 1st percentile | median |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k, ts in thumbs.items():
        for gap in (1, 4, 15, 30):
            c = [correlation(ts[i], ts[i + gap]) for i in range(len(ts) - gap) if ts[i] is not None and ts[i + gap] is not None]
            if c:
                print("| %s | %d | %d | %.3f | %.3f | %.3f |" % (k, gap, len(c), min(c), np.percentile(c, 1), np.median(c)))
    images = sorted(glob.glob(os.path.join(NERVE_VESSEL_DIR, "images", "*.png")))
    grey = [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in images]
    nv = [thumbnail(g) for g in grey]
    boxed = [thumbnail(letterbox(g, np.zeros_like(g))[0]) for g in grey]
    rng = random.Random(1)
    pairs = {
        "nerve/vessel, neighbouring names": [correlation(nv[i], nv[i + 1]) for i in range(len(nv) - 1)],
        "nerve/vessel, random pairs (3,000)": [correlation(nv[i], nv[j]) for i, j in
                                               (rng.sample(range(len(nv)), 2) for _ in range(3000))],
        "the same neighbours, each letterboxed with scanner graphics": [correlation(boxed[i], boxed[i + 1])
                                                                        for i in range(len(boxed) - 1)],
    }
    sources = [[t for t in ts if t is not None] for ts in thumbs.values()] + [nv]
    across = []
    for a in range(len(sources)):
        for b in range(a + 1, len(sources)):
            across += [correlation(rng.choice(sources[a]), rng.choice(sources[b])) for _ in range(300)]
    pairs["different sources (300 random pairs each)"] = across
    print()
    print("| other scans | pairs | highest | 99th percentile | 95th percentile | median | share under %.2f |" % THRESHOLD)
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for k, c in pairs.items():
        c = np.array(c)
        print("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f |" % (k, len(c), c.max(), np.percentile(c, 99),
                                                                 np.percentile(c, 95), np.median(c), (c < THRESHOLD).mean()))


if __name__ == "__main__":
    main()
