"""Time as a cue (issue 13): does frame-to-frame change tell the clip's needle from its fascia, and can it choose the
needle among the line candidates of a network that never saw the scene? Measurement only (README, "Time as a cue").

    /usr/bin/python3 motion_cue.py zones                 # change along the needle, the fascia and the picture
    /usr/bin/python3 motion_cue.py candidates tune|test  # the stand-in's candidates and which one motion picks
    /usr/bin/python3 motion_cue.py ridge tune|test       # the 5 strongest thin lines of the pixels, chosen by motion

Reads the clip (../shared/data/real-needle-clip), the fixture's labels and the no-clip stand-in network
(src/test/resources/unseen-scene/needle-abl-noclip.onnx), run with onnx_np on the picture box (x < 1000) resized to
256x256 (area; an approximation of the Java content crop), the sidecar's normalisation.
"""
import json
import os
import sys
import time

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "gpu-inference", "training"))
sys.path.insert(0, HERE)
CLIP = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real-needle-clip", "clarius-inplane-needle.mp4"))
FIXTURE = os.path.join(ROOT, "gpu-inference", "src", "test", "resources", "real-needle", "labels.json")
NOCLIP = os.path.join(ROOT, "gpu-inference", "src", "test", "resources", "unseen-scene", "needle-abl-noclip.onnx")
BX, BY = 1000, 860  # the picture: left of the depth dots


def frames():
    """The clip's frames, grey, as floats (make_needle_fixture.decode: decoding order, OpenCV's grey)."""
    from make_needle_fixture import decode
    return [g.astype(np.float32) for g in decode(CLIP)]


def labelled(split):
    lab = json.load(open(FIXTURE))["frames"]
    return {f["frame"]: f for f in lab if f["split"] == split and f.get("needle") and "_lower" not in f["file"]}


def shaft_distance(px, py, tip, end):
    tip, end = np.asarray(tip, float), np.asarray(end, float)
    u = end - tip
    t = np.clip(((px - tip[0]) * u[0] + (py - tip[1]) * u[1]) / (u @ u), 0, 1)
    return np.hypot(px - tip[0] - t * u[0], py - tip[1] - t * u[1])


def zones():
    """Mean |dI| near the needle's tip, along the fascia, over the picture, k frames apart (tuning frames)."""
    fr, lab = frames(), labelled("tune")
    h, w = fr[0].shape
    yy, xx = np.mgrid[0:h, 0:w]
    for k in (4, 8, 15):
        rows = []
        for n, f in sorted(lab.items()):
            if n - k < 1:
                continue
            cur = fr[n - 1]
            d = np.abs(cur - fr[n - 1 - k])
            tip, end = np.array(f["tip"]), np.array(f["end"])
            u = (end - tip) / np.linalg.norm(end - tip)
            near = shaft_distance(xx, yy, tip - 20 * u, tip + 80 * u) <= 4   # 20 px ahead of the tip, 80 behind
            fascia = np.zeros_like(near)
            for x in range(300, 381):  # the brightest row near the fascia's nominal line, found in each frame
                y0 = 400 + 360 * x / 1000.0
                y = int(y0 - 20) + int(np.argmax(cur[int(y0 - 20):int(y0 + 21), x]))
                fascia[max(0, y - 4):y + 5, x] = True
            rows.append((d[near].mean(), d[fascia].mean(), d[:, :BX].mean()))
        r = np.array(rows)
        m = np.median(r, axis=0)
        print("k=%2d (%d frames): median |dI| near the tip %.2f, fascia %.2f, picture %.2f; tip/fascia %.2f, "
              "tip/picture %.2f; tip > 2x fascia on %.2f of frames"
              % (k, len(r), m[0], m[1], m[2], m[0] / m[1], m[0] / m[2], np.mean(r[:, 0] > 2 * r[:, 1])))
    dup = sum(float(np.abs(fr[i] - fr[i - 1]).mean()) < 0.05 for i in range(1, len(fr)))
    print("consecutive frames identical: %d of %d" % (dup, len(fr) - 1))


def candidates(split, k=15):
    """The stand-in's needle-map components (> 0.3, >= 20 px) and which one motion (max |dI|) or the network picks."""
    from onnx_np import OnnxNumpy
    net = OnnxNumpy(NOCLIP)
    fr, lab = frames(), labelled(split)
    sx, sy = BX / 256.0, BY / 256.0
    rows = []
    for n, f in sorted(lab.items()):
        if n - k < 1:
            continue
        g = fr[n - 1]
        x = cv2.resize(g[:BY, :BX], (256, 256), interpolation=cv2.INTER_AREA)
        needle = net.run(((x / 255.0 - 0.144) / 0.156)[None, None])[0, 0]
        motion = cv2.GaussianBlur(np.abs(g - fr[n - 1 - k]), (0, 0), 4)
        count, comp = cv2.connectedComponents((needle > 0.3).astype(np.uint8), connectivity=8)
        cands = []
        for c in range(1, count):
            ys, xs = np.nonzero(comp == c)
            if len(xs) < 20:
                continue
            my, mx = np.nonzero(cv2.dilate((comp == c).astype(np.uint8), np.ones((7, 7), np.uint8)))
            fx = np.clip(((mx + 0.5) * sx - 0.5).astype(int), 0, BX - 1)
            fy = np.clip(((my + 0.5) * sy - 0.5).astype(int), 0, BY - 1)
            on_needle = np.mean(shaft_distance((xs + 0.5) * sx - 0.5, (ys + 0.5) * sy - 0.5, f["tip"], f["end"]) <= 8)
            cands.append((float(motion[fy, fx].max()), float(needle[ys, xs].sum()), on_needle >= 0.3))
        present = any(c[2] for c in cands)
        rows.append((present, cands and max(cands, key=lambda c: c[0])[2], cands and max(cands, key=lambda c: c[1])[2]))
    r = np.array(rows, float)
    p = r[:, 0] > 0
    print("%s (%d frames): the needle among the candidates on %.2f; of those, motion picks it on %.2f, the network "
          "on %.2f" % (split, len(r), p.mean(), r[p, 1].mean() if p.any() else 0, r[p, 2].mean() if p.any() else 0))


def ridge(split, k=15):
    """thin_lines.py's finder keeping the 5 best distinct lines (no network), chosen by motion (max |dI| near it)."""
    from thin_lines import lines  # its module reads the fixture's helpers: only when this runs
    fr, lab = frames(), labelled(split)
    rows, errs = [], []
    t0 = time.time()
    for n, f in sorted(lab.items()):
        if n - k < 1:
            continue
        g = fr[n - 1]
        motion = cv2.GaussianBlur(np.abs(g - fr[n - 1 - k]), (0, 0), 4)
        motion[:, 1000:] = 0
        cands = []
        for a, b in lines(g[:, :1000], keep=5):
            m = np.linspace(0, 1, max(2, int(np.hypot(*(b - a)))))[:, None]
            pts = a[None] + m * (b - a)[None]
            mask = np.zeros(g.shape, np.uint8)
            cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, 13)
            score = float(motion[mask > 0].max())
            on = np.mean(shaft_distance(pts[:, 0], pts[:, 1], f["tip"], f["end"]) <= 8) >= 0.3
            tip = a if a[1] > b[1] else b
            cands.append((score, on, float(np.hypot(*(tip - np.array(f["tip"]))))))
        present = any(c[1] for c in cands)
        pick = max(cands, key=lambda c: c[0]) if cands else (0, False, np.inf)
        rows.append((present, pick[1]))
        errs.append(pick[2])
    r = np.array(rows, float)
    p = r[:, 0] > 0
    e = np.array(errs)
    print("%s (%d frames, %.0f s): the needle among the 5 lines on %.2f; of those, motion picks it on %.2f; "
          "the pick's deeper end to the tip: median %.0f px, within 20 px on %.2f of all frames"
          % (split, len(r), time.time() - t0, p.mean(), r[p, 1].mean() if p.any() else 0, np.median(e), np.mean(e <= 20)))


if __name__ == "__main__":
    if sys.argv[1] == "zones":
        zones()
    elif sys.argv[1] == "ridge":
        ridge(sys.argv[2] if len(sys.argv) > 2 else "tune")
    else:
        candidates(sys.argv[2] if len(sys.argv) > 2 else "tune")
