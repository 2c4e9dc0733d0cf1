"""Needle marks a site's recording gives itself (issue 13): the moving thin line of each sampled frame, kept where the
frames just before and after agree, written as marks for site_adapt.py. No one clicks a frame; look at them before
training if you can (each is drawn in OUT/check/, the tip circled) and delete a wrong one's entry from
OUT/labels.json.

    /usr/bin/python3 auto_marks.py --video CASE.mp4 --out marks/case-a [--first 1 --last N] [--keep 9]

The video is a recording of an in-plane insertion (any file OpenCV reads; an intravis recording's segment-NNNNN.mkv
too). On frames about 1/15 s apart: the five strongest thin straight bright lines of the picture (`lines`: a
thin-ridge response along 81 directions; lines crossing the whole picture are reflectors, not needles), the one that
changed most over the last 0.25 s (a needle moves; the tissue around its tip moves with it), kept only where the
picks 1/15 s before and after agree (within 6 degrees, each line's middle within 15 px of the other line). Up to
--keep of those, spread over the range, become marks (the deeper end is the tip) in the form the replay view writes.

Measured on the real clip's tuning part (training/results/needle-without-clip/README.md, "Marks without a hand"):
8 of 9 marks on the needle (the ninth on the fascia), and the network that never saw that scene, fine-tuned on the
same method's marks with site_adapt.py, found 27 of 28 held-out needles, 10 px off. One insertion of one clip:
expect marks on the wrong line in other scenes.
"""
import argparse
import json
import os

import cv2
import numpy as np

GAP_S = 0.25
STEP_S = 1 / 15


def lines(gray, keep=5, short=430.0, step=2.0, d=3, along=6.0, bar_q=0.97, edge=6, near=0.05):
    """The `keep` strongest distinct thin straight bright lines (frame px ends), strongest first. The frame is scaled
    to a shorter side of 430 px; at each angle (-80..80 degrees, 2-degree steps) it is rotated so that lines at that
    angle run along the rows, smoothed along them (Gaussian, sigma 6 px) and given a thin-ridge response (the centre
    minus the brighter of the two rows 3 px above and below, at least 0); on every row the best run (the largest sum
    of the response less the frame's 97th percentile at that angle), up to three rows an angle; runs from one border
    of the picture to the other (a reflector: a needle ends inside) and runs within the top 5 % of the picture (the
    probe's contact line) are left out; then a line within 20 px (at this scale) and 6 degrees of a stronger one."""
    h, w = gray.shape
    s = short / min(h, w)
    img = cv2.resize(gray, (int(round(w * s)), int(round(h * s))), interpolation=cv2.INTER_AREA).astype(np.float32)
    H, W = img.shape
    n = int(np.ceil(np.hypot(H, W))) + 2
    found = []
    for a in np.arange(-80, 80 + step / 2, step):
        M = cv2.getRotationMatrix2D((W / 2, H / 2), a, 1.0)
        M[:, 2] += (n / 2 - W / 2, n / 2 - H / 2)
        R = cv2.GaussianBlur(cv2.warpAffine(img, M, (n, n)), (0, 0), sigmaX=along, sigmaY=0.7)
        V = cv2.erode(cv2.warpAffine(np.ones_like(img), M, (n, n), flags=cv2.INTER_NEAREST),
                      np.ones((2 * d + 3, 3), np.uint8)) > 0
        r = np.maximum(R - np.maximum(np.roll(R, d, 0), np.roll(R, -d, 0)), 0) * V
        bar = max(float(np.quantile(r[V], bar_q)), 1.0)
        C = np.concatenate([np.zeros((n, 1), np.float32), np.cumsum(np.where(V, r - bar, -bar), axis=1)], axis=1)
        gain = C - np.minimum.accumulate(C, axis=1)
        first = np.argmax(V, axis=1)
        last = n - 1 - np.argmax(V[:, ::-1], axis=1)
        Mi = cv2.invertAffineTransform(M)
        taken = 0
        for row in np.argsort(gain.max(axis=1))[::-1][:40]:
            j = int(np.argmax(gain[row]))
            i = int(np.argmin(C[row, :j + 1]))
            if j - i < 10 or (i <= first[row] + edge and j >= last[row] - edge):
                continue
            ends = [Mi @ np.array([x, row, 1.0]) for x in (i, j)]
            if max(ends[0][1], ends[1][1]) < near * H:
                continue
            found.append((float(gain[row, j]), a, ends))
            taken += 1
            if taken >= 3:
                break
    found.sort(key=lambda f: -f[0])
    kept = []
    for g, a, ends in found:
        mid = (ends[0] + ends[1]) / 2
        if any(abs(a - ka) <= 6 and np.hypot(*(mid - km)) <= 20 for ka, _, km in kept):
            continue
        kept.append((a, ends, mid))
        if len(kept) >= keep:
            break
    return [[e / s for e in ends] for _, ends, _ in kept]


def pick(frame, earlier, box):
    """The line of `frame` (grey, float) in the picture box (x0, y0, x1, y1) that changed most since `earlier`:
    (a, b) in frame pixels, or None."""
    x0, y0, x1, y1 = box
    motion = cv2.GaussianBlur(np.abs(frame - earlier), (0, 0), 4)
    outside = np.ones(motion.shape, bool)
    outside[y0:y1, x0:x1] = False
    motion[outside] = 0
    best, score = None, -1.0
    for a, b in lines(frame[y0:y1, x0:x1], keep=5):
        a, b = np.asarray(a, float) + (x0, y0), np.asarray(b, float) + (x0, y0)
        mask = np.zeros(frame.shape, np.uint8)
        cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, 13)
        s = float(motion[mask > 0].max())
        if s > score:
            best, score = (a, b), s
    return best


def agree(p, q):
    """Whether two picks are the same line: within 6 degrees, each one's middle within 15 px of the other line."""
    if p is None or q is None:
        return False
    angle = lambda l: np.degrees(np.arctan2(*(l[1] - l[0])[::-1])) % 180
    da = abs(angle(p) - angle(q))
    if min(da, 180 - da) > 6:
        return False
    mid = lambda l: (l[0] + l[1]) / 2
    off = lambda m, l: abs(np.cross(l[1] - l[0], m - l[0])) / np.linalg.norm(l[1] - l[0])
    return off(mid(p), q) <= 15 and off(mid(q), p) <= 15


def picture_box(frames, above=12, share=0.05):
    """The picture's box in a capture frame: the longest run of columns with at least `share` of the fullest
    column's pixels brighter than `above` (burned-in graphics beside the picture have few), then the rows with any
    such pixel in those columns; over the median of the frames given."""
    med = np.median(np.stack(frames), axis=0)
    bright = med > above
    cols = bright.sum(axis=0)
    good = cols >= max(1, share * cols.max())
    best, run, start = (0, 0), 0, 0
    for x, g in enumerate(list(good) + [False]):
        if g:
            if run == 0:
                start = x
            run += 1
        elif run:
            if run > best[1] - best[0]:
                best = (start, start + run)
            run = 0
    x0, x1 = best
    rows = np.nonzero(bright[:, x0:x1].any(axis=1))[0]
    return int(x0), int(rows[0]), int(x1), int(rows[-1] + 1)


def marks(frames, fps, first, last, keep, box=None):
    """frames: every frame of the recording, grey float, in decoding order (1-based numbers below). Returns
    (box, looked at, agreed frame numbers, [(frame, tip, end)] chosen)."""
    gap, step = max(1, round(GAP_S * fps)), max(1, round(STEP_S * fps))
    box = box or picture_box(frames[first - 1:last:max(1, (last - first) // 20)])
    ns = list(range(max(first, 1 + gap + step), last - step + 1, step))
    picks = {}
    for n in sorted(set(ns + [n - step for n in ns] + [n + step for n in ns])):
        picks[n] = pick(frames[n - 1], frames[n - 1 - gap], box)
    agreed = [n for n in ns if agree(picks[n], picks[n - step]) and agree(picks[n], picks[n + step])]
    chosen = [agreed[int(i)] for i in np.unique(np.linspace(0, len(agreed) - 1, min(keep, len(agreed))).round())] \
        if agreed else []
    out = []
    for n in chosen:
        a, b = picks[n]
        tip, end = (a, b) if a[1] > b[1] else (b, a)
        out.append((n, tip, end))
    return box, ns, agreed, out


def write(out_dir, stem, frames, chosen, source):
    os.makedirs(os.path.join(out_dir, "frames"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "check"), exist_ok=True)
    rows = []
    for n, tip, end in chosen:
        name = "%s_%05d.png" % (stem, n)
        grey = frames[n - 1].round().clip(0, 255).astype(np.uint8)
        cv2.imwrite(os.path.join(out_dir, "frames", name), grey)
        shown = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
        cv2.line(shown, tuple(int(v) for v in end), tuple(int(v) for v in tip), (0, 255, 255), 2)
        cv2.circle(shown, tuple(int(v) for v in tip), 8, (0, 0, 255), 2)
        cv2.imwrite(os.path.join(out_dir, "check", name), shown)
        rows.append({"frame": n, "file": name, "split": "tune", "needle": True,
                     "tip": [round(float(tip[0]), 1), round(float(tip[1]), 1)],
                     "end": [round(float(end[0]), 1), round(float(end[1]), 1)], "by": "auto_marks.py"})
    json.dump({"source": source, "shaftWidthPx": 6.0, "frames": rows},
              open(os.path.join(out_dir, "labels.json"), "w"), indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", required=True)
    ap.add_argument("--out", required=True, help="the marks folder for site_adapt.py --marks")
    ap.add_argument("--first", type=int, default=1, help="first frame to look at (1-based)")
    ap.add_argument("--last", type=int, default=0, help="last frame (0: the end)")
    ap.add_argument("--keep", type=int, default=9)
    a = ap.parse_args()
    cap = cv2.VideoCapture(a.video)
    if not cap.isOpened():
        raise SystemExit("cannot open " + a.video)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(np.float32))
    last = a.last or len(frames)
    if not 1 <= a.first < last <= len(frames):
        raise SystemExit("%s has %d frames: --first %d --last %d do not fit" % (a.video, len(frames), a.first, last))
    box, looked, agreed, chosen = marks(frames, fps, a.first, last, a.keep)
    if not chosen:
        raise SystemExit("no frame's moving line agrees with its neighbours' in %s: no marks (is a needle moving in "
                         "it?)" % a.video)
    stem = os.path.splitext(os.path.basename(a.video))[0]
    write(a.out, stem, frames, chosen, os.path.basename(a.video))
    print("%s: %d frames at %.1f fps, picture box %s; %d looked at, %d agree with their neighbours, %d marks in %s "
          "(drawn in %s/check: look before training)" % (a.video, len(frames), fps, box, len(looked), len(agreed),
                                                         len(chosen), a.out, a.out))


if __name__ == "__main__":
    main()
