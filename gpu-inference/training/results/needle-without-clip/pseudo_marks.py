"""Marks without a hand (issue 13): can a site's needle marks come from its own unlabelled recording? The frame's five
strongest thin straight lines (auto_marks.lines), the one that moved most 15 frames earlier (motion_cue.py's ridge
pick), kept only where the picks 4 frames before and after agree with it (within 6 degrees, and each line's middle
within 15 px of the other line). The kept picks become marks (deeper end the tip) in the replay view's form, for
site_adapt.py. The fixture's labels are read only to report how many marks lie on the needle, after the choice.

    /usr/bin/python3 results/needle-without-clip/pseudo_marks.py OUT_DIR [--keep 9]

Frames: every 4th of the clip's tuning part (1-based 17, 21, ..., 333: the fixture labels these, so each mark can be
scored afterwards); the held-out part (337-448) is never read.
"""
import argparse
import json
import os
import sys
import time

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from motion_cue import frames, labelled, shaft_distance  # noqa: E402
import auto_marks  # noqa: E402  (training/, on the path through motion_cue)
from auto_marks import agree  # noqa: E402

GAP = 15
STEP = 4


def pick(fr, n):
    """Frame n's (1-based) line that moved most over GAP frames (left of the clip's depth dots, x < 1000)."""
    return auto_marks.pick(fr[n - 1], fr[n - 1 - GAP], (0, 0, 1000, fr[n - 1].shape[0]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--keep", type=int, default=9)
    a = ap.parse_args()
    t0 = time.time()
    fr = frames()
    ns = list(range(1 + GAP + 1, 337 - STEP, STEP))  # 17 .. 333, each with a pick 4 before and after
    picks = {n: pick(fr, n) for n in [ns[0] - STEP] + ns + [ns[-1] + STEP]}
    agreed = [n for n in ns if picks[n] is not None and agree(picks[n], picks[n - STEP])
              and agree(picks[n], picks[n + STEP])]
    if not agreed:
        raise SystemExit("no frame's pick agrees with its neighbours': no marks")
    chosen = [agreed[int(i)] for i in np.unique(np.linspace(0, len(agreed) - 1, min(a.keep, len(agreed))).round())]
    os.makedirs(os.path.join(a.out, "frames"), exist_ok=True)
    lab = labelled("tune")
    marks, on, errs = [], [], []
    for n in chosen:
        p = picks[n]
        tip, end = (p[0], p[1]) if p[0][1] > p[1][1] else (p[1], p[0])
        name = "clarius-inplane-needle_%05d.png" % n
        cv2.imwrite(os.path.join(a.out, "frames", name), fr[n - 1].round().clip(0, 255).astype(np.uint8))
        marks.append({"frame": n, "file": name, "split": "tune", "needle": True,
                      "tip": [round(float(tip[0]), 1), round(float(tip[1]), 1)],
                      "end": [round(float(end[0]), 1), round(float(end[1]), 1)], "by": "pseudo_marks.py"})
        f = lab.get(n)
        if f is not None:  # scored only now, after the choice
            pts = tip[None] + np.linspace(0, 1, 50)[:, None] * (end - tip)[None]
            on.append(np.mean(shaft_distance(pts[:, 0], pts[:, 1], f["tip"], f["end"]) <= 8) >= 0.3)
            errs.append(float(np.hypot(*(tip - np.asarray(f["tip"], float)))))
    json.dump({"source": "clarius-inplane-needle.mp4", "shaftWidthPx": 6.0, "frames": marks},
              open(os.path.join(a.out, "labels.json"), "w"), indent=1)
    print("%d frames looked at, %d picks agree with both neighbours, %d marks written (%.0f s)"
          % (len(ns), len(agreed), len(marks), time.time() - t0))
    print("scored afterwards: on the needle %d of %d; tip error median %.0f px (each: %s)"
          % (sum(on), len(on), np.median(errs), ", ".join("%.0f" % e for e in errs)))
    all_on = []
    for n in agreed:
        f = lab.get(n)
        if f is None:
            continue
        p = picks[n]
        pts = p[0][None] + np.linspace(0, 1, 50)[:, None] * (p[1] - p[0])[None]
        all_on.append(np.mean(shaft_distance(pts[:, 0], pts[:, 1], f["tip"], f["end"]) <= 8) >= 0.3)
    unf = [n for n in ns if lab.get(n) is not None and picks[n] is not None]
    raw_on = []
    for n in unf:
        p, f = picks[n], lab[n]
        pts = p[0][None] + np.linspace(0, 1, 50)[:, None] * (p[1] - p[0])[None]
        raw_on.append(np.mean(shaft_distance(pts[:, 0], pts[:, 1], f["tip"], f["end"]) <= 8) >= 0.3)
    print("every agreed pick on the needle: %.2f of %d; every pick: %.2f of %d"
          % (np.mean(all_on) if all_on else 0, len(all_on), np.mean(raw_on) if raw_on else 0, len(raw_on)))


if __name__ == "__main__":
    main()
