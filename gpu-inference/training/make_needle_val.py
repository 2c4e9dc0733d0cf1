"""Writes the synthetic-needle validation set, deterministically, from the VALIDATION images only:

    /usr/bin/python3 make_needle_val.py --out DIR [--split val] [--per-image 2] [--seed 2024]

For each image of the split: `--per-image` frames with a synthetic needle (<stem>_n1.png, <stem>_n2.png, ...)
and the untouched frame (<stem>_n0.png, no needle). Layout:
    DIR/images/<name>.png   grey frame at the image's own size
    DIR/masks/<name>.png    needle shaft mask, 0 background / 255 needle; all zero = no needle
    DIR/tips.csv            name, needle (0/1), tipX, tipY, entryX, entryY (the true geometry, frame pixels)
The evaluation takes the tip from the mask (common.tip_from_mask: principal axis, the extreme farther from
the image border); frames where that rule would not find the true tip within 2 px are re-drawn, so the mask
alone is a faithful ground truth. `--split train` writes the same kind of set from the training images
(used only to pick thresholds).
"""
import argparse
import csv
import os

import cv2
import numpy as np

from common import DATA_DIR, load_gray, read_split, render_needle, tip_from_mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", choices=["val", "train"], default="val")
    ap.add_argument("--per-image", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--data", default=DATA_DIR)
    a = ap.parse_args()
    names = read_split("ultrasound-%s.txt" % a.split)
    os.makedirs(os.path.join(a.out, "images"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "masks"), exist_ok=True)
    rows = []
    for k, n in enumerate(names):
        stem = n[:-4]
        g = load_gray(os.path.join(a.data, "images", n))
        cv2.imwrite(os.path.join(a.out, "images", stem + "_n0.png"), g)
        cv2.imwrite(os.path.join(a.out, "masks", stem + "_n0.png"), np.zeros_like(g))
        rows.append([stem + "_n0.png", 0, "", "", "", ""])
        for j in range(1, a.per_image + 1):
            rng = np.random.default_rng([a.seed, k, j])
            for _ in range(50):
                img, m, tip, entry = render_needle(g.astype(np.float32) / 255.0, rng)
                r = tip_from_mask(m)
                if r is not None and np.hypot(r[0][0] - tip[0], r[0][1] - tip[1]) <= 2.0 and m.sum() >= 30:
                    break
            else:
                raise RuntimeError("could not draw a needle on " + n)
            name = "%s_n%d.png" % (stem, j)
            cv2.imwrite(os.path.join(a.out, "images", name), (img * 255 + 0.5).astype(np.uint8))
            cv2.imwrite(os.path.join(a.out, "masks", name), (m > 0).astype(np.uint8) * 255)
            rows.append([name, 1, "%.2f" % tip[0], "%.2f" % tip[1], "%.2f" % entry[0], "%.2f" % entry[1]])
    with open(os.path.join(a.out, "tips.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "needle", "tipX", "tipY", "entryX", "entryY"])
        w.writerows(rows)
    print("wrote %d frames (%d with a needle) to %s" % (len(rows), sum(r[1] for r in rows), a.out))


if __name__ == "__main__":
    main()
