"""A pool of unlabelled ultrasound crops for self-supervised pre-training (pretrain.py; issue 14's lever).

    /usr/bin/python3 build_unlabelled.py --n 6000 --seed 61

Sources, pixels only (no label is read): the 204 labelled images (each sample records which, so a fold's images can
be left out at pre-training time, as train.py --exclude-split does), the PLUS sequences and DICOM frames in
../shared/data (needle_data.load_plus / load_dicom), and the real needle clip's tuning range (frames before
the first held-out frame of the labelled fixture; its held-out range, issue 13's test part, is never used). Each sample: the picture's content
rectangle, a random crop of 40-100 % of its height with aspect 0.7-2.1, stretched to 256x256 (as the model's
input is), random gain and gamma.

Writes cache/<name>.npz: x uint8 [N,256,256]; source int16 [N] (an index into names for a labelled image, -1
otherwise); names (the labelled images' file names); origin [N] (which source kind: labelled, plus, dicom, clip).
"""
import argparse
import json
import os
import time

import cv2
import numpy as np

from common import CACHE_DIR, DATA_DIR, SIZE, content_rect, load_gray
from make_needle_fixture import DEFAULT_CLIP, FIXTURE, decode
from needle_data import load_dicom, load_plus

ORIGINS = ["labelled", "plus", "dicom", "clip"]


def load_clip_frames(every=2):
    """Every second frame of the real needle clip's tuning range: the frames before the first held-out one of the
    labelled fixture (make_needle_fixture.py; 1-based frame numbers)."""
    lab = json.load(open(os.path.join(FIXTURE, "labels.json")))
    held_out_from = min(f["frame"] for f in lab["frames"] if f["split"] == "test")
    frames = decode(DEFAULT_CLIP)[:held_out_from - 1]
    return [("clip#%d" % (k + 1), g) for k, g in enumerate(frames) if k % every == 0]


def crop(rng, g):
    x0, y0, x1, y1 = content_rect(g)
    g = g[y0:y1, x0:x1]
    h, w = g.shape
    ch = int(h * rng.uniform(0.4, 1.0))
    cw = int(min(w, max(16, ch * rng.uniform(0.7, 2.1))))
    ch = max(16, min(h, ch))
    y = rng.integers(0, h - ch + 1)
    x = rng.integers(0, w - cw + 1)
    c = cv2.resize(g[y:y + ch, x:x + cw], (SIZE, SIZE), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    c = np.clip(c * rng.uniform(0.7, 1.4), 0, 1) ** rng.uniform(0.7, 1.4)
    return (c * 255 + 0.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--labelled-share", type=float, default=0.5,
                    help="share of samples from the labelled images' pixels (the rest from the other sources)")
    ap.add_argument("--name", default="ultrasound-unlabelled")
    a = ap.parse_args()
    t0 = time.time()
    names = sorted(os.listdir(os.path.join(DATA_DIR, "images")))
    labelled = [load_gray(os.path.join(DATA_DIR, "images", n)) for n in names]
    others = [(1, g) for _, g in load_plus()] + [(2, g) for _, g in load_dicom()] + [(3, g) for _, g in load_clip_frames()]
    counts = {ORIGINS[o]: sum(1 for k, _ in others if k == o) for o in (1, 2, 3)}
    print("frames: labelled %d, %s" % (len(labelled), counts), flush=True)
    rng = np.random.default_rng(a.seed)
    xs, source, origin = [], [], []
    for _ in range(a.n):
        if rng.random() < a.labelled_share or not others:
            i = int(rng.integers(0, len(labelled)))
            xs.append(crop(rng, labelled[i]))
            source.append(i)
            origin.append(0)
        else:
            o, g = others[int(rng.integers(0, len(others)))]
            xs.append(crop(rng, g))
            source.append(-1)
            origin.append(o)
    os.makedirs(CACHE_DIR, exist_ok=True)
    out = os.path.join(CACHE_DIR, a.name + ".npz")
    np.savez(out, x=np.stack(xs), source=np.array(source, np.int16), names=np.array(names),
             origin=np.array([ORIGINS[o] for o in origin]))
    print("wrote %s (%d samples) %.1f min" % (out, a.n, (time.time() - t0) / 60), flush=True)


if __name__ == "__main__":
    main()
