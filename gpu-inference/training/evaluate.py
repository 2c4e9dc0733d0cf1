"""Measures a model the way the Java side runs it, on held-out data, and (optionally) picks its thresholds on
training-derived calibration data and writes both into the sidecar.

    /usr/bin/python3 evaluate.py --task ultrasound  [--onnx ../src/main/resources/models/ultrasound/ultrasound.onnx] \
                                 [--calibrate] [--write-sidecar]
    /usr/bin/python3 evaluate.py --task fluoroscopy [--onnx ...] [--calibrate] [--write-sidecar]
    (--checkpoint runs/<task>/model.pt instead of --onnx runs the PyTorch weights; the figures agree; with
     --mirror-average the weights run as export.py --mirror-average exports them)

Protocol (ultrasound):
  * input: the frame to grey, cv2.resize to 256x256 (INTER_AREA, stretched), x/255, (x-mean)/std; with the
    content crop (sidecar input.crop) the frame is stretched to the crop grid first, its picture's box cut out
    and stretched to 256x256, and the outputs put back into the frame's 256x256 grid (common.uncrop).
  * vessel / nerve: each probability map is resized back to the image's size (bilinear) and thresholded;
    Dice per frame; the reported Dice is the mean over the frames where the class is in the ground truth or
    in the prediction (validation split, 41 real images).
  * needle: on the synthetic-needle validation set (make_needle_val.py, validation images only). The tip is
    the peak of the tip map (3x3 centroid), mapped back with x = (x256 + 0.5) * W / 256 - 0.5; a needle is
    detected when the peak >= the tip threshold; the tip error is measured against the tip taken from the
    ground-truth mask (common.tip_from_mask) in original image pixels over detected needles. False positives:
    no-needle frames whose peak >= the threshold.
  * thresholds (--calibrate) are chosen on the TRAINING images only (the same needle set built from the
    training split): mask thresholds that maximise Dice; the tip threshold as the lowest one that keeps the
    false-positive rate on training no-needle frames at or below 2 % (at least 0.3).
Fluoroscopy: the same needle-style metrics for the wire on held-out synthetic frames (phantom seeds 98/99 and
procedural frames from seeds never used in training); no real fluoroscopy data is available.
"""
import argparse
import csv
import datetime
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import torch

from common import (model_file, CACHE_DIR, CROP, DATA_DIR, FL_CHANNELS, HERE, MODELS_DIR, US_CHANNELS, MirrorAveraged,
                    WithSigmoid, build_model, dice, preprocess_cropped, uncrop,
                    from_model, load_gray, load_real, peak, preprocess, read_split, tip_from_mask, write_json)

torch.set_num_threads(2)


class Runner:
    def __init__(self, task, onnx_path=None, checkpoint=None, mirror_average=False, crop=None):
        side = json.load(open(model_file(task, "json"))) if onnx_path else None
        # the content crop: as the sidecar says for an ONNX file; as asked (--crop-to-content) for a checkpoint
        self.crop = side["input"].get("crop") if side else crop
        if onnx_path:
            from onnx_np import OnnxNumpy
            self.onnx = OnnxNumpy(onnx_path)
            self.mean, self.std = side["input"]["mean"], side["input"]["std"]
            self.what = os.path.relpath(onnx_path, HERE)
        else:
            ck = torch.load(checkpoint, map_location="cpu", weights_only=False)
            net = build_model(len(ck["channels"]), ck.get("arch"))
            net.load_state_dict(ck["state_dict"])
            self.net = (MirrorAveraged(net) if mirror_average else WithSigmoid(net)).eval()
            self.onnx = None
            self.mean, self.std = ck["norm"]
            self.channels = list(ck["channels"])
            self.what = os.path.relpath(checkpoint, HERE)

    def __call__(self, grays, bs=8):
        out = []
        for i in range(0, len(grays), bs):
            if self.crop:
                xs, boxes = zip(*[preprocess_cropped(g, self.mean, self.std, self.crop) for g in grays[i:i + bs]])
                x = np.stack(xs)
            else:
                x = np.stack([preprocess(g, self.mean, self.std) for g in grays[i:i + bs]])
            if self.onnx is not None:
                p = self.onnx.run(x)
            else:
                with torch.no_grad():
                    p = self.net(torch.from_numpy(x)).numpy()
            if self.crop:
                p = np.stack([uncrop(pi, b, self.crop["grid"]) for pi, b in zip(p, boxes)])
            out.append(p)
        return np.concatenate(out)


def upsample(p, w, h):
    return cv2.resize(p, (w, h), interpolation=cv2.INTER_LINEAR)


# ---------------------------------------------------------------------------------------------------------- data

def ensure_needle_set(split, out):
    if not os.path.isfile(os.path.join(out, "tips.csv")):
        per = "2" if split == "val" else "1"
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_needle_val.py"), "--out", out,
                               "--split", split, "--per-image", per], cwd=HERE)
    rows = list(csv.DictReader(open(os.path.join(out, "tips.csv"))))
    items = []
    for r in rows:
        g = load_gray(os.path.join(out, "images", r["name"]))
        m = cv2.imread(os.path.join(out, "masks", r["name"]), cv2.IMREAD_GRAYSCALE) > 0
        items.append((r["name"], g, m))
    return items


def fluoro_eval_set(kind):
    """Held-out synthetic fluoroscopy frames: (name, gray, wire mask, tip or None)."""
    from fluoro_data import load_phantom, procedural
    d = os.path.join(CACHE_DIR, "fluoro-" + kind)
    seed = {"eval": 99, "calib": 98}[kind]
    pdir = os.path.join(d, "phantom")
    if not os.path.isdir(pdir):
        raise SystemExit("dump the held-out phantom frames first (see README): PhantomDump fluoroscopy 60 1280x720 %d 17 %s"
                         % (seed, pdir))
    items = []
    for fp, g, lab, tip in load_phantom(pdir, max_side=100000):
        items.append((os.path.basename(fp), g, lab == 3, tip))
    rng = np.random.default_rng(seed * 1000 + 7)
    for i in range(120):
        w = int(rng.uniform(320, 640))
        h = int(w / rng.uniform(1.0, 1.8))
        g, m, tip = procedural(rng, w, h)
        items.append(("procedural-%03d" % i, g, m > 0, tip))
    return items


# ---------------------------------------------------------------------------------------------------------- metrics

def seg_metrics(probs, labels, classes, thr):
    """classes: [(name, channel, label value)] -> {name: mean Dice}."""
    res = {}
    for name, ch, lv in classes:
        ds = []
        for p, lab in zip(probs, labels):
            h, w = lab.shape
            d = dice(upsample(p[ch], w, h) > thr[name], lab == lv)
            if d is not None:
                ds.append(d)
        res[name] = {"dice": round(float(np.mean(ds)), 4), "frames": len(ds)}
    return res


def tip_metrics(probs, items, mask_ch, tip_ch, mask_thr, tip_thr, gt_tips=None):
    """items: (name, gray, bool mask[, tip]). Ground-truth tip from the mask unless given."""
    det, errs, fp, neg, pos, dices = 0, [], 0, 0, 0, []
    for k, (p, it) in enumerate(zip(probs, items)):
        g, m = it[1], it[2]
        h, w = g.shape
        v, px, py = peak(p[tip_ch])
        fired = v >= tip_thr
        d = dice(upsample(p[mask_ch], w, h) > mask_thr, m)
        gt = gt_tips[k] if gt_tips is not None else (tip_from_mask(m)[0] if m.any() else None)
        if gt is None:
            neg += 1
            fp += int(fired)
            continue
        pos += 1
        if d is not None:
            dices.append(d)
        if fired:
            det += 1
            errs.append(float(np.hypot(from_model(px, w) - gt[0], from_model(py, h) - gt[1])))
    e = np.array(errs) if errs else np.array([np.nan])
    return {"frames_with_instrument": pos, "frames_without": neg,
            "detection_rate": round(det / max(pos, 1), 4),
            "tip_error_px_median": round(float(np.median(e)), 2),
            "tip_error_px_mean": round(float(np.mean(e)), 2),
            "tip_error_px_p90": round(float(np.percentile(e, 90)), 2),
            "tip_within_10px_rate": round(float((e <= 10).sum() / max(pos, 1)), 4),
            "false_positive_rate": round(fp / max(neg, 1), 4),
            "mask_dice": round(float(np.mean(dices)), 4) if dices else None}


def mask_grid(top=0.70):
    """The mask thresholds searched on training images: 0.30 up to `top` (--mask-threshold-max), step 0.05."""
    return np.arange(0.3, top + 0.01, 0.05)


def pick_mask_threshold(probs, masks, ch, grid):
    best = (0, 0.5)
    for t in grid:
        ds = []
        for p, m in zip(probs, masks):
            h, w = m.shape
            d = dice(upsample(p[ch], w, h) > t, m)
            if d is not None:
                ds.append(d)
        s = float(np.mean(ds)) if ds else 0
        if s > best[0]:
            best = (s, float(round(t, 2)))
    return best[1]


def pick_tip_threshold(probs, items, tip_ch, max_fp=0.02):
    negs = [peak(p[tip_ch])[0] for p, it in zip(probs, items) if not it[2].any()]
    if not negs:
        return 0.5
    t = float(np.quantile(negs, 1 - max_fp)) + 1e-3
    return round(min(0.9, max(0.3, t)), 3)


# ---------------------------------------------------------------------------------------------------------- folds

def evaluate_fold(a):
    """One fold of the ultrasound cross-validation (make_folds.py, cross_validate.sh): the fold's images are held
    out; the mask thresholds are chosen on the other folds' images (what its model trained on), as --calibrate
    chooses them on the training split. Per-frame Dice goes into the JSON for pooling and intervals."""
    run = Runner("ultrasound", a.onnx, a.checkpoint, a.mirror_average, CROP if a.crop_to_content else None)
    # "all": the model to ship, trained on every image: its thresholds the same way, nothing held out to score
    held = [] if a.fold == "all" else read_split("ultrasound-fold%s.txt" % a.fold)
    every = sorted(read_split("ultrasound-train.txt") + read_split("ultrasound-val.txt"))
    tr = load_real([n for n in every if n not in set(held)])
    p_tr = run([g for _, g, _ in tr])
    grid = mask_grid(a.mask_threshold_max)
    thr = {"vessel": pick_mask_threshold(p_tr, [l == 2 for _, _, l in tr], 1, grid),
           "nerve": pick_mask_threshold(p_tr, [l == 1 for _, _, l in tr], 2, grid)}
    del p_tr
    if not held:
        result = {"model": run.what, "date": datetime.date.today().isoformat(), "fold": "all", "held_out": 0,
                  "trained_on": len(tr), "thresholds": thr}
        write_json(a.out or os.path.join(HERE, "runs", "cv-all-thresholds.json"), result)
        print(json.dumps(result, indent=2))
        return
    val = load_real(held)
    p_val = run([g for _, g, _ in val])
    result = {"model": run.what, "date": datetime.date.today().isoformat(), "fold": int(a.fold),
              "held_out": len(val), "trained_on": len(tr), "thresholds": thr,
              "segmentation": seg_metrics(p_val, [l for _, _, l in val], [("vessel", 1, 2), ("nerve", 2, 1)], thr)}
    per = {}
    for name, ch, lv in (("vessel", 1, 2), ("nerve", 2, 1)):
        per[name] = {}
        for (n, _, lab), p in zip(val, p_val):
            h, w = lab.shape
            d = dice(upsample(p[ch], w, h) > thr[name], lab == lv)
            if d is not None:
                per[name][n] = round(float(d), 4)
    result["per_frame_dice"] = per
    out = a.out or os.path.join(HERE, "runs", "cv-fold%s-eval.json" % a.fold)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    write_json(out, result)
    print(json.dumps({k: v for k, v in result.items() if k != "per_frame_dice"}, indent=2))


# ---------------------------------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["ultrasound", "fluoroscopy"], required=True)
    ap.add_argument("--onnx")
    ap.add_argument("--checkpoint")
    ap.add_argument("--mirror-average", action="store_true", help="with --checkpoint: as export.py --mirror-average")
    ap.add_argument("--crop-to-content", action="store_true", help="with --checkpoint: as export.py --crop-to-content")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--write-sidecar", action="store_true")
    ap.add_argument("--needle-val", default=os.path.join(CACHE_DIR, "needle-val"))
    ap.add_argument("--needle-calib", default=os.path.join(CACHE_DIR, "needle-calib"))
    ap.add_argument("--fold", choices=["1", "2", "3", "4", "5", "all"], default=None,
                    help="ultrasound cross-validation: vessel/nerve Dice on splits/ultrasound-foldK.txt, thresholds "
                         "chosen on the other four folds (the images the fold's model trained on); no needle figures. "
                         "'all': the model trained on all 204 images, thresholds chosen on them, nothing scored")
    ap.add_argument("--out", help="metrics JSON (default runs/<task>/eval.json)")
    ap.add_argument("--mask-threshold-max", type=float, default=0.70,
                    help="top of the mask threshold grid searched on training images (from 0.30, step 0.05)")
    a = ap.parse_args()
    if a.fold is not None:
        return evaluate_fold(a)
    if not a.onnx and not a.checkpoint:
        a.onnx = model_file(a.task, "onnx")
    run = Runner(a.task, a.onnx, a.checkpoint, a.mirror_average, CROP if a.crop_to_content else None)
    side_path = model_file(a.task, "json")
    side = json.load(open(side_path)) if os.path.isfile(side_path) else {}
    thr = side.get("thresholds", {})
    result = {"model": run.what, "date": datetime.date.today().isoformat()}

    if a.task == "ultrasound":
        if a.calibrate or not thr:
            tr = load_real(read_split("ultrasound-train.txt"))
            cal = ensure_needle_set("train", a.needle_calib)
            p_tr = run([g for _, g, _ in tr])
            p_cal = run([it[1] for it in cal])
            grid = mask_grid(a.mask_threshold_max)
            thr = {"mask": {"vessel": pick_mask_threshold(p_tr, [l == 2 for _, _, l in tr], 1, grid),
                            "nerve": pick_mask_threshold(p_tr, [l == 1 for _, _, l in tr], 2, grid),
                            "needle": pick_mask_threshold(p_cal, [it[2] for it in cal], 0, grid)},
                   "tipPeak": pick_tip_threshold(p_cal, cal, 3),
                   "chosenOn": "training images only (real frames and their synthetic-needle copies)"}
        val = load_real(read_split("ultrasound-val.txt"))
        p_val = run([g for _, g, _ in val])
        result["segmentation"] = seg_metrics(p_val, [l for _, _, l in val],
                                             [("vessel", 1, 2), ("nerve", 2, 1)], thr["mask"])
        result["segmentation_at_0.5"] = seg_metrics(p_val, [l for _, _, l in val],
                                                    [("vessel", 1, 2), ("nerve", 2, 1)], {"vessel": 0.5, "nerve": 0.5})
        nv = ensure_needle_set("val", a.needle_val)
        p_nv = run([it[1] for it in nv])
        result["needle"] = tip_metrics(p_nv, nv, 0, 3, thr["mask"]["needle"], thr["tipPeak"])
        result["data"] = {"segmentation": "%d held-out real frames (ultrasound-val.txt)" % len(val),
                          "needle": "%d synthetic-needle frames from the same held-out frames (make_needle_val.py)" % len(nv)}
    else:
        if a.calibrate or not thr:
            cal = fluoro_eval_set("calib")
            p_cal = run([it[1] for it in cal])
            thr = {"mask": {"wire": pick_mask_threshold(p_cal, [it[2] for it in cal], 0,
                                                        mask_grid(a.mask_threshold_max))},
                   "tipPeak": pick_tip_threshold(p_cal, cal, 1),
                   "chosenOn": "held-out synthetic calibration frames (phantom seed 98, procedural seed 98)"}
        ev = fluoro_eval_set("eval")
        p_ev = run([it[1] for it in ev])
        ph = [i for i, it in enumerate(ev) if not it[0].startswith("procedural")]
        pr = [i for i, it in enumerate(ev) if it[0].startswith("procedural")]
        for name, idx in (("wire_all", range(len(ev))), ("wire_phantom", ph), ("wire_procedural", pr)):
            its = [ev[i] for i in idx]
            result[name] = tip_metrics(p_ev[list(idx)], its, 0, 1, thr["mask"]["wire"], thr["tipPeak"],
                                       gt_tips=[it[3] for it in its])
        result["data"] = {"wire": "%d held-out synthetic frames (%d phantom seed 99, %d procedural)" % (len(ev), len(ph), len(pr))}
    result["thresholds"] = thr
    out = a.out or os.path.join(HERE, "runs", a.task, "eval.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    write_json(out, result)
    print(json.dumps(result, indent=2))
    if a.write_sidecar:
        side["thresholds"] = thr
        side["validation"] = {k: v for k, v in result.items() if k not in ("thresholds",)}
        write_json(side_path, side)
        print("updated", side_path)


if __name__ == "__main__":
    main()
