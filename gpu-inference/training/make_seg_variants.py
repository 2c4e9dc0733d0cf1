"""Writes the validation split's real frames (vessel and nerve labels) as a scanner's whole screen shows them, for the
model card's robustness figures (no tuning on them):

    /usr/bin/python3 make_seg_variants.py --out DIR [--split splits/ultrasound-val.txt]

Each frame and its label map are transformed alike by make_needle_variants.py's variants (label maps with
nearest-neighbour, so the classes stay 0 / 1 nerve / 2 vessel):
    DIR/plain/images, DIR/plain/labels      the frames as they are
    DIR/screen/images, DIR/screen/labels    on a 1280x720 screen between a title bar and a toolbar (variant "screen")
Then, per folder:
    intravis evaluate --model ultrasound --images DIR/screen/images --labels DIR/screen/labels \
        --classes nerve=1,vessel=2 --report screen.json
"""
import argparse
import os

import cv2
import numpy as np

from common import load_real
from make_needle_variants import VARIANTS

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", default=os.path.join(HERE, "splits", "ultrasound-val.txt"))
    a = ap.parse_args()
    names = [line.strip() for line in open(a.split) if line.strip()]
    for v in ("plain", "screen"):
        for sub in ("images", "labels"):
            os.makedirs(os.path.join(a.out, v, sub), exist_ok=True)
    for name, img, lab in load_real(names):
        lab = lab.astype(np.uint8)
        for v, (i, m) in (("plain", (img, lab)), ("screen", VARIANTS["screen"](img, lab))):
            cv2.imwrite(os.path.join(a.out, v, "images", name), i)
            cv2.imwrite(os.path.join(a.out, v, "labels", name), m)
    print("%d frames, plain and screen" % len(names))


if __name__ == "__main__":
    main()
