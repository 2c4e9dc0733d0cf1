"""Is the needle the strongest thin line of what is new in the picture? (issue 13, pixels only, no network)

The frame less a background of its recent past (the per-pixel median of frames t-W .. t-G, grey), negative parts
set to 0, through the same thin-line finder as the site tool (`auto_marks.lines`, 5 lines): a static reflector
(the clip's fascia) cancels, a needle that advanced or appeared does not. Against the plain frame through the same
finder. Scored on the labelled needle frames: the strongest line's deeper end within 20 px of the labelled tip, and
the needle among the 5 lines (a line whose two ends lie within 12 px of the labelled shaft's line and which overlaps
it by half of the shorter). The rule was written before any figure (results README, "Cues from the scene without a mark").

    /usr/bin/python3 results/needle-without-clip/new_lines.py tune 15 60
"""
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from maps_on_clip import FIXTURE  # noqa: E402
from auto_marks import lines  # noqa: E402

CLIP = os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "data", "real-needle-clip", "clarius-inplane-needle.mp4")


def frames(path):
    cap, out = cv2.VideoCapture(path), []
    while True:
        ok, f = cap.read()
        if not ok:
            return out
        out.append(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY))


def on_needle(line, tip, end):
    """The line lies on the labelled shaft: both ends within 12 px of its line, overlapping half of the shorter."""
    tip, end = np.asarray(tip, float), np.asarray(end, float)
    u = (end - tip) / np.linalg.norm(end - tip)
    n = np.array([-u[1], u[0]])
    a, b = (np.asarray(p, float) for p in line)
    if max(abs((a - tip) @ n), abs((b - tip) @ n)) > 12:
        return False
    ta, tb = sorted(((a - tip) @ u, (b - tip) @ u))
    overlap = min(tb, np.linalg.norm(end - tip)) - max(ta, 0)
    return overlap >= 0.5 * min(tb - ta, np.linalg.norm(end - tip))


def deeper(line):
    return line[0] if line[0][1] > line[1][1] else line[1]


def score_lines(found, f):
    """One frame's lines (strongest first) against its label: (the strongest's deeper end to the labelled tip, px;
    the needle among them; the strongest is the needle)."""
    tip_err = np.hypot(*(deeper(found[0]) - np.asarray(f["tip"]))) if found else np.inf
    return (tip_err, any(on_needle(l, f["tip"], f["end"]) for l in found),
            bool(found) and on_needle(found[0], f["tip"], f["end"]))


def summary(rows):
    """The rule's figures over the frames' `score_lines` rows."""
    e = np.array([x[0] for x in rows])
    return {"strongest_tip_within_20px": float(np.mean(e <= 20)), "strongest_tip_median_px": float(np.median(e)),
            "needle_among_5": float(np.mean([x[1] for x in rows])),
            "strongest_is_needle": float(np.mean([x[2] for x in rows]))}


def main(part, gap, window):
    labels = [f for f in json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
              if f["needle"] and f["split"] == part]
    clip = frames(CLIP)
    rows = {"plain": [], "new": []}
    for f in labels:
        t = f["frame"] - 1
        if t - window < 0:
            continue
        g = clip[t].astype(np.float32)
        background = np.median(np.stack(clip[t - window:t - gap + 1]), axis=0).astype(np.float32)
        for key, img in (("plain", g), ("new", np.maximum(g - background, 0))):
            rows[key].append(score_lines(lines(img, keep=5), f))
    report = {"part": part, "gap": gap, "window": window, "frames": len(rows["new"])}
    for key, r in rows.items():
        report[key] = summary(r)
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    part, gap, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    json.dump(main(part, gap, window), open(os.path.join(HERE, "new-lines-%s-%d-%d.json" % (part, gap, window)), "w"), indent=1)
