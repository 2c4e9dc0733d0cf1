"""Writes the fixed train/validation split of the real ultrasound data (by image, seed 20250601).

The file names carry no anatomical site, but the images were numbered in acquisition order and the
probe/preset shows in the frame format (512x512 grey, 534x512 and 761x632 colour). So we stratify by
format and by acquisition order: within each format, images are taken in order in blocks of five and one
image per block goes to validation (about 80/20), which spreads the validation set across the sites.

    /usr/bin/python3 make_splits.py [--data /work/shared/data/ultrasound-nerve-vessel]
"""
import argparse
import os
import random

import cv2

from common import DATA_DIR, SPLIT_DIR


def format_groups(data):
    """Every labelled image's name, and the names grouped by frame format (width, height, channels), each in
    acquisition (name) order: the strata of the split and of the folds (make_folds.py)."""
    names = sorted(f for f in os.listdir(os.path.join(data, "images")) if f.endswith(".png"))
    groups = {}
    for n in names:
        im = cv2.imread(os.path.join(data, "images", n), cv2.IMREAD_UNCHANGED)
        key = (im.shape[1], im.shape[0], 1 if im.ndim == 2 else im.shape[2])
        groups.setdefault(key, []).append(n)
    return names, groups


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--seed", type=int, default=20250601)
    a = ap.parse_args()
    names, groups = format_groups(a.data)
    rng = random.Random(a.seed)
    train, val = [], []
    for key in sorted(groups):
        g = groups[key]
        for i in range(0, len(g), 5):
            block = g[i:i + 5]
            pick = rng.randrange(len(block)) if len(block) >= 3 else -1
            for j, n in enumerate(block):
                (val if j == pick else train).append(n)
    os.makedirs(SPLIT_DIR, exist_ok=True)
    for name, lst in (("ultrasound-train.txt", train), ("ultrasound-val.txt", val)):
        with open(os.path.join(SPLIT_DIR, name), "w") as f:
            f.write("\n".join(sorted(lst)) + "\n")
    print("train", len(train), "val", len(val), {k: len(v) for k, v in groups.items()})


if __name__ == "__main__":
    main()
