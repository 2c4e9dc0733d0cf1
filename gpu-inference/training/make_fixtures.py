"""Copies a few held-out frames into gpu-inference/src/test/resources/eval-samples/ for the Java tests, with the
dataset's licence and credit, and the outputs the shipped ONNX model gives on them (expected.json), so that the
Java preprocessing/inference/evaluation can be checked against the Python reference.

    /usr/bin/python3 make_fixtures.py   (after export.py and evaluate.py --write-sidecar)
"""
import csv
import json
import os
import shutil

import cv2
import numpy as np

from common import (model_file, CACHE_DIR, DATA_DIR, MODELS_DIR, REPO, dice, from_model, load_gray, load_us_labels, peak,
                    tip_from_mask, write_json)
from evaluate import Runner

OUT = os.path.join(REPO, "gpu-inference", "src", "test", "resources", "eval-samples")
# validation images: three formats, with and without vessels
VAL = ["0021.png", "0025.png", "0182.png", "0197.png", "0168.png", "0077.png"]
# synthetic-needle validation frames (make_needle_val.py): four with a needle, two without
NEEDLE = ["0021_n1.png", "0182_n2.png", "0168_n1.png", "0077_n2.png", "0025_n0.png", "0197_n0.png"]


def main():
    side = json.load(open(model_file("ultrasound", "json")))
    mean, std = side["input"]["mean"], side["input"]["std"]
    thr = side["thresholds"]
    crop = side["input"].get("crop")
    runner = Runner("ultrasound", onnx_path=model_file("ultrasound", "onnx"))  # the shipped file, as evaluate.py runs it

    def infer(g):
        """The outputs in the frame's 256 grid (through the content crop when the model has one)."""
        return runner([g])[0]
    for d in ("ultrasound", "needle"):  # README.md (the credit) is kept
        if os.path.isdir(os.path.join(OUT, d)):
            shutil.rmtree(os.path.join(OUT, d))
    for d in ("ultrasound/images", "ultrasound/masks", "needle/images", "needle/masks"):
        os.makedirs(os.path.join(OUT, d))
    shutil.copy(os.path.join(DATA_DIR, "LICENSE"), os.path.join(OUT, "LICENSE"))
    expected = {"model": "ultrasound.onnx", "modelSha256": side["fileSha256"], "thresholds": thr,
                "input": {"mean": mean, "std": std, "interpolation": "area", **({"crop": crop} if crop else {})},
                "ultrasound": [], "needle": []}
    for n in VAL:
        shutil.copy(os.path.join(DATA_DIR, "images", n), os.path.join(OUT, "ultrasound", "images", n))
        shutil.copy(os.path.join(DATA_DIR, "masks", n), os.path.join(OUT, "ultrasound", "masks", n))
        g = load_gray(os.path.join(DATA_DIR, "images", n))
        lab = load_us_labels(os.path.join(DATA_DIR, "masks", n))
        p = infer(g)
        h, w = g.shape
        row = {"name": n, "width": w, "height": h}
        for name, ch, lv in (("vessel", 1, 2), ("nerve", 2, 1)):
            pm = cv2.resize(p[ch], (w, h), interpolation=cv2.INTER_LINEAR) > thr["mask"][name]
            d = dice(pm, lab == lv)
            row[name + "Dice"] = None if d is None else round(float(d), 4)
            row[name + "PixelsGt"] = int((lab == lv).sum())
        row["probMeans256"] = [round(float(p[c].mean()), 5) for c in range(p.shape[0])]
        expected["ultrasound"].append(row)
    nv = os.path.join(CACHE_DIR, "needle-val")
    tips = {r["name"]: r for r in csv.DictReader(open(os.path.join(nv, "tips.csv")))}
    with open(os.path.join(OUT, "needle", "tips.csv"), "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["name", "needle", "tipX", "tipY", "entryX", "entryY"])
        for n in NEEDLE:
            shutil.copy(os.path.join(nv, "images", n), os.path.join(OUT, "needle", "images", n))
            shutil.copy(os.path.join(nv, "masks", n), os.path.join(OUT, "needle", "masks", n))
            r = tips[n]
            wr.writerow([r[k] for k in ("name", "needle", "tipX", "tipY", "entryX", "entryY")])
            g = load_gray(os.path.join(nv, "images", n))
            m = cv2.imread(os.path.join(nv, "masks", n), cv2.IMREAD_GRAYSCALE) > 0
            h, w = g.shape
            p = infer(g)
            v, px, py = peak(p[3])
            gt = tip_from_mask(m)
            row = {"name": n, "width": w, "height": h, "needle": bool(m.any()),
                   "tipPeak": round(v, 4), "tipX": round(from_model(px, w), 2), "tipY": round(from_model(py, h), 2),
                   "detected": bool(v >= thr["tipPeak"])}
            if gt is not None:
                row["gtTipX"], row["gtTipY"] = round(gt[0][0], 2), round(gt[0][1], 2)
                row["tipErrorPx"] = round(float(np.hypot(row["tipX"] - gt[0][0], row["tipY"] - gt[0][1])), 2)
            expected["needle"].append(row)
    write_json(os.path.join(OUT, "expected.json"), expected)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print("wrote %s (%.2f MB)" % (OUT, total / 1e6))


if __name__ == "__main__":
    main()
