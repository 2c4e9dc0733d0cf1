"""Does a tracked tip move relative to the tissue where a reflector's does not? (issue 13; README "Time as a cue")

    /usr/bin/python3 motion_gate.py FRAMES NEEDLE_DUMP REFLECTOR_DUMP

FRAMES: the whole clip's frames (ffmpeg -i clarius-inplane-needle.mp4 -vsync 0 -start_number 1 FRAMES/clarius_%05d.png);
NEEDLE_DUMP / REFLECTOR_DUMP: `intravis evaluate --model ultrasound --images FRAMES --sequence --fps 60 --dump DIR`
with the shipped model and with the stand-in that never saw the clip (src/test/resources/unseen-scene, under the
bundled sidecar with its fileSha256). The tissue's motion is the picture's shift between frames (phase correlation
over the picture box); a track has "moved" once its tip went M px or more relative to it within K frames, and stays
so for the track's life. Prints the share of each run's tip frames that are "moved" for each M.
"""
import json
import os
import sys

import cv2
import numpy as np

K = 15  # 0.25 s at 60 fps


def main():
    frames_dir, needle_dump, reflector_dump = sys.argv[1:4]
    runs = [(name, json.load(open(os.path.join(d, "predictions.json")))["frames"])
            for name, d in (("needle", needle_dump), ("reflector", reflector_dump))]
    first = runs[0][1]
    x0, y0, x1, y1 = first[0]["picture_box"]
    pics = [cv2.imread(os.path.join(frames_dir, f["image"]), cv2.IMREAD_GRAYSCALE)[y0:y1, x0:x1].astype(np.float32)
            for f in first]
    window = cv2.createHanningWindow((x1 - x0, y1 - y0), cv2.CV_32F)
    shift = [(0.0, 0.0)] + [cv2.phaseCorrelate(a, b, window)[0] for a, b in zip(pics, pics[1:])]
    shift = np.array(shift)
    cum = np.cumsum(shift, axis=0)
    step = np.hypot(*shift.T)
    print("picture shift per frame: median %.2f px, p90 %.2f, path %.0f px" % (
        np.median(step), np.percentile(step, 90), step.sum()))
    for name, frames in runs:
        rel = []
        for t, f in enumerate(frames):
            g = frames[t - K] if t >= K else None
            if not f.get("tip") or g is None or not g.get("tip") or g.get("track_id") != f.get("track_id"):
                rel.append((f.get("track_id") if f.get("tip") else None, np.nan))
                continue
            d = np.array(f["tip"]) - np.array(g["tip"]) - (cum[t] - cum[t - K])
            rel.append((f["track_id"], float(np.hypot(*d))))
        v = np.array([m for _, m in rel if not np.isnan(m)])
        print("%s: %d tip frames, %d tracks; motion relative to the tissue over %d frames: median %.1f, p90 %.1f, "
              "max %.1f px" % (name, sum(1 for f in frames if f.get("tip")),
                               len({f["track_id"] for f in frames if f.get("tip")}), K, np.median(v),
                               np.percentile(v, 90), v.max()))
        for m_px in (10, 15, 20, 30, 40):
            moved, covered, n = {}, 0, 0
            for tid, m in rel:
                if tid is None:
                    continue
                if not np.isnan(m) and m >= m_px:
                    moved[tid] = True
                n += 1
                covered += moved.get(tid, False)
            print("   M %2d px: moved on %.2f of its tip frames" % (m_px, covered / n))


if __name__ == "__main__":
    main()
