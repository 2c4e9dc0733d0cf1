"""The labelled real needle clip, in the forms the project uses. Labels: ../src/test/resources/real-needle/labels.json
(how they were made: README.md beside it). The clip itself is not redistributed inside the product; its held-out
frames are a small test fixture.

    /usr/bin/python3 make_needle_fixture.py [--clip ../../../shared/data/real-needle-clip/clarius-inplane-needle.mp4]

Writes
  ../src/test/resources/real-needle/images, needle-masks   the held-out ("test") frames, every 4th, as JPEG (q 90)
                                                           and their binary shaft masks (PNG)
  ../src/test/resources/real-needle/needle-free/...        needle-free views (<frame>_lower: the rows below the
                                                           needle) of every 8th held-out frame, all-zero masks
  cache/needle-clip/frames + labels.json                   the tuning frames and their needle-free views, for
                                                           needle_data.py (training)
  cache/needle-clip-eval/{tune,test}/{images,needle-masks} each split as `intravis evaluate --needle-masks` reads it
  cache/needle-clip-seq/{tune,test}                        every frame of each split's range, for --sequence runs
                                                           (labels only on every 4th: the others have no mask)
"""
import argparse
import json
import os
import shutil

import cv2
import numpy as np

from common import CACHE_DIR, HERE, REPO

FIXTURE = os.path.join(REPO, "gpu-inference", "src", "test", "resources", "real-needle")
DEFAULT_CLIP = os.path.join(REPO, "..", "shared", "data", "real-needle-clip", "clarius-inplane-needle.mp4")


def shaft_mask(shape, tip, end, width):
    """The labelled shaft as a band `width` px wide that ends square at the tip and the far end: the mask's end is the
    ground-truth tip for `intravis evaluate`. (Until 2026-12-05 a thick cv2.line, whose round caps put that end
    2.4-3.4 px beyond the labelled tip.)"""
    m = np.zeros(shape, np.uint8)
    tip, end = np.asarray(tip, np.float64), np.asarray(end, np.float64)
    u = (end - tip) / np.linalg.norm(end - tip)
    half = np.array([-u[1], u[0]]) * width / 2
    corners = np.array([tip + half, end + half, end - half, tip - half])
    cv2.fillConvexPoly(m, np.round(corners * 16).astype(np.int32), 255, cv2.LINE_8, shift=4)
    return m


def decode(path):
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise SystemExit("cannot open " + path)
    out = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        out.append(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY))
    return out


def fresh(d):
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clip", default=DEFAULT_CLIP)
    a = ap.parse_args()
    lab = json.load(open(os.path.join(FIXTURE, "labels.json")))
    frames = decode(a.clip)
    if len(frames) != 448:
        raise SystemExit("expected 448 frames, decoded %d" % len(frames))
    width = lab["shaftWidthPx"]
    top = lab["negativeTop"]
    for d in ("images", "needle-masks", "needle-free/images", "needle-free/needle-masks"):
        fresh(os.path.join(FIXTURE, d))
    clip_dir = os.path.join(CACHE_DIR, "needle-clip")
    fresh(os.path.join(clip_dir, "frames"))
    evals = {s: os.path.join(CACHE_DIR, "needle-clip-eval", s) for s in ("tune", "test")}
    for s in evals.values():
        for d in ("images", "needle-masks"):
            fresh(os.path.join(s, d))
    train_frames = []
    for f in lab["frames"]:
        g = frames[f["frame"] - 1]
        stem = f["file"][:-4]
        m = shaft_mask(g.shape, f["tip"], f["end"], width) if f["needle"] else np.zeros(g.shape, np.uint8)
        low = g[top:]
        zero = np.zeros(low.shape, np.uint8)
        views = [(stem, g, m)]
        with_lower = f["frame"] % 8 == 1 if f["split"] == "test" else True
        if with_lower:
            views.append((stem + "_lower", low, zero))
        ev = evals[f["split"]]
        for name, img, mask in views:
            cv2.imwrite(os.path.join(ev, "images", name + ".png"), img)
            cv2.imwrite(os.path.join(ev, "needle-masks", name + ".png"), mask)
            if f["split"] == "test":
                # the clip's frames and the needle-free views apart: the frames are also a video (--sequence)
                where = FIXTURE if name == stem else os.path.join(FIXTURE, "needle-free")
                cv2.imwrite(os.path.join(where, "images", name + ".jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
                cv2.imwrite(os.path.join(where, "needle-masks", name + ".png"), mask)
        if f["split"] == "tune":
            cv2.imwrite(os.path.join(clip_dir, "frames", stem + ".png"), g)
            cv2.imwrite(os.path.join(clip_dir, "frames", stem + "_lower.png"), low)
            train_frames.append(dict(f))
            train_frames.append({"frame": f["frame"], "file": stem + "_lower.png", "split": "tune", "needle": False})
    with open(os.path.join(clip_dir, "labels.json"), "w") as fo:
        json.dump({"shaftWidthPx": width, "frames": train_frames}, fo, indent=1)
    # whole ranges for sequence runs: tune = 1..336, test = 337..448
    for s, (lo, hi) in (("tune", (1, 336)), ("test", (337, 448))):
        d = os.path.join(CACHE_DIR, "needle-clip-seq", s)
        fresh(os.path.join(d, "images"))
        fresh(os.path.join(d, "needle-masks"))
        byframe = {f["frame"]: f for f in lab["frames"]}
        for k in range(lo, hi + 1):
            cv2.imwrite(os.path.join(d, "images", "clarius_%05d.png" % k), frames[k - 1])
            if k in byframe:
                f = byframe[k]
                cv2.imwrite(os.path.join(d, "needle-masks", "clarius_%05d.png" % k),
                            shaft_mask(frames[k - 1].shape, f["tip"], f["end"], width))
    n_test = sum(1 for f in lab["frames"] if f["split"] == "test")
    print("fixture: %d held-out frames (+ needle-free views) in %s; %d tuning frames in %s"
          % (n_test, FIXTURE, len(train_frames) // 2, clip_dir))


if __name__ == "__main__":
    main()
