"""A folder of labelled needle frames (the replay view's needle marks, or site_labels.py's output: frames/ and
labels.json) as the sets `intravis evaluate` reads: OUT/images/<frame>.png and OUT/needle-masks/<frame>.png, the
labelled shaft drawn as the clip's fixture draws it (make_needle_fixture.shaft_mask: square ends, the labelled
width), an empty mask for a frame without a needle. For measuring a site's adapted network on a recording it was not
trained on (training README, "Adapting the needle network to a site", step 4).

    /usr/bin/python3 labels_to_eval.py --labels DATA_DIR/needle-marks/SESSION --out cache/site-a-eval
    intravis evaluate --model ultrasound --models-dir MODELS --images cache/site-a-eval/images \
        --needle-masks cache/site-a-eval/needle-masks --report site-a.json
"""
import argparse
import json
import os
import shutil

import cv2

from make_needle_fixture import shaft_mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", required=True, help="a folder with labels.json and frames/")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    path = os.path.join(a.labels, "labels.json")
    if not os.path.isfile(path):
        raise SystemExit(path + ": not there (the replay view's needle marks or site_labels.py write it)")
    lab = json.load(open(path))
    width = lab.get("shaftWidthPx", 6.0)
    frames = lab.get("frames") or []
    if not frames:
        raise SystemExit(path + ": no labelled frames")
    for sub in ("images", "needle-masks"):
        os.makedirs(os.path.join(a.out, sub), exist_ok=True)
    needles = 0
    for f in frames:
        src = os.path.join(a.labels, "frames", f["file"])
        g = cv2.imread(src, cv2.IMREAD_GRAYSCALE)
        if g is None:
            raise SystemExit("%s: frame %s: cannot read %s" % (path, f.get("frame"), src))
        stem = os.path.splitext(f["file"])[0]
        shutil.copyfile(src, os.path.join(a.out, "images", stem + ".png"))
        mask = g * 0
        if f.get("needle"):
            mask = shaft_mask(g.shape, f["tip"], f["end"], width)
            needles += 1
        cv2.imwrite(os.path.join(a.out, "needle-masks", stem + ".png"), mask)
    print("%d frames (%d with a needle) of %s in %s" % (len(frames), needles, a.labels, a.out))


if __name__ == "__main__":
    main()
