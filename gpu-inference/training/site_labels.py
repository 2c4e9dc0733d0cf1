"""A site's own labelled needle frames, in the form the needle training reads (issue 13: a handful of labelled frames
of a scene is what separates "never found" from "mostly found"; training/results/needle-without-clip/README.md).

    /usr/bin/python3 site_labels.py --video CASE.mp4 --marks marks.csv --out cache/site-a [--shaft-width 6]

marks.csv, one row per labelled frame (1-based frame number in decoding order; a header line is allowed):
    frame,tip_x,tip_y,end_x,end_y      the needle's tip and the far end of its visible shaft, in frame pixels
    frame,,,,                          a frame without a needle (its tissue, hard negatives included)
Writes OUT/frames/<video stem>_<frame>.png (grey) and OUT/labels.json as make_needle_fixture.py writes the clip's
(split "tune"), for `build_cache.py --task needle --clip-dir OUT` (training README, "Adapting the needle network to
a site"). Marks outside the frame, or a frame the video does not have, are refused.
"""
import argparse
import csv
import json
import os

import cv2


def read_marks(path):
    """marks.csv -> [(frame, tip or None, end or None)], frames in the file's order."""
    out = []
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if not row or row[0].strip().lower() in ("frame", "") or row[0].lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in row] + [""] * 5
            frame = int(cells[0])
            if all(c == "" for c in cells[1:5]):
                out.append((frame, None, None))
                continue
            try:
                tip = (float(cells[1]), float(cells[2]))
                end = (float(cells[3]), float(cells[4]))
            except ValueError:
                raise SystemExit("%s: frame %d: give tip_x,tip_y,end_x,end_y as numbers, or leave all four empty"
                                 % (path, frame))
            if tip == end:
                raise SystemExit("%s: frame %d: the tip and the far end are the same point" % (path, frame))
            out.append((frame, tip, end))
    if not out:
        raise SystemExit(path + ": no marks")
    return out


def frames_at(path, wanted):
    """The grey frames numbered in `wanted` (1-based, decoding order) -> ({number: frame}, frames read). Only those
    are kept: a case recording is far too long to hold whole (make_needle_fixture.decode holds the 448-frame clip)."""
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise SystemExit("cannot open " + path)
    out, n, last = {}, 0, max(wanted)
    while n < last:
        ok, f = cap.read()
        if not ok:
            break
        n += 1
        if n in wanted:
            out[n] = cv2.cvtColor(f, cv2.COLOR_BGR2GRAY)
    cap.release()
    return out, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--video", required=True, help="the recording (any file OpenCV's FFmpeg reads)")
    ap.add_argument("--marks", required=True, help="CSV: frame,tip_x,tip_y,end_x,end_y (see above)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--shaft-width", type=float, default=6.0, help="the needle echo's width in frame pixels")
    a = ap.parse_args()
    marks = read_marks(a.marks)
    frames, read = frames_at(a.video, {frame for frame, _, _ in marks})
    stem = os.path.splitext(os.path.basename(a.video))[0]
    for frame, tip, end in marks:  # every mark checked before anything is written
        if frame not in frames:
            raise SystemExit("%s: frame %d: the video has frames 1-%d" % (a.marks, frame, read))
        h, w = frames[frame].shape
        for name, p in (("tip", tip), ("end", end)):
            if p is not None and not (0 <= p[0] < w and 0 <= p[1] < h):
                raise SystemExit("%s: frame %d: the %s (%g, %g) is outside the %dx%d frame"
                                 % (a.marks, frame, name, p[0], p[1], w, h))
    os.makedirs(os.path.join(a.out, "frames"), exist_ok=True)
    labels = []
    for frame, tip, end in marks:
        g = frames[frame]
        file = "%s_%05d.png" % (stem, frame)
        cv2.imwrite(os.path.join(a.out, "frames", file), g)
        entry = {"frame": frame, "file": file, "split": "tune", "needle": tip is not None}
        if tip is not None:
            entry.update(tip=list(tip), end=list(end))
        labels.append(entry)
    with open(os.path.join(a.out, "labels.json"), "w") as fo:
        json.dump({"shaftWidthPx": a.shaft_width, "source": os.path.basename(a.video), "frames": labels}, fo, indent=1)
    print("%d labelled frames (%d with a needle) of %s in %s" % (len(labels), sum(e["needle"] for e in labels),
                                                                  a.video, a.out))


if __name__ == "__main__":
    main()
