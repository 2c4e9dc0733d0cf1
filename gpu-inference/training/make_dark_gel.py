"""Drawn gel phantom frames as a scanner's capture shows them, for the content crop's dark-picture case (2026-12-06).

48 frames, 720x440: a gel background (`needle_data.gel_background`) scaled to a mean grey in [LO, HI], on 40 of them
a needle of the first renderer (`common.render_needle`: bright, reverberating, as in gel), the picture 400 px tall
in the middle of black margins, a scanner label at the top left and depth dots beside the picture; the needle masks
beside them. At a mean of 3-7 grey (under the content box's level 12) only the needle is over the level, which is
what `ContentBox.filled` is for; at 25-45 the same frames are an ordinary picture. The needles are drawn, so these
frames measure the crop's geometry, not accuracy on real needles in gel. Seed 5; three of the dark ones are the
test fixture `../src/test/resources/dark-gel/` (its README).

    /usr/bin/python3 make_dark_gel.py --out cache/dark-gel --mean 3 7
    /usr/bin/python3 make_dark_gel.py --out cache/grey-gel --mean 25 45
"""
import argparse
import os

import cv2
import numpy as np

import needle_data as nd
from common import render_needle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mean", type=float, nargs=2, default=(3, 7), metavar=("LO", "HI"))
    a = ap.parse_args()
    for d in ("images", "masks"):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    rng = np.random.default_rng(5)
    n = 0
    while n < 48:
        g = nd.gel_background(rng).astype(np.float32) / 255.0
        g = g * (rng.uniform(*a.mean) / 255.0 / max(float(g.mean()), 1e-3))  # the gel's mean grey in [LO, HI]
        mask = np.zeros(g.shape, np.uint8)
        if n % 6 != 5:
            g, m, _, _ = render_needle(g, rng, rect=(0, 0, g.shape[1], g.shape[0]))
            if not m.any():
                continue
            mask = (m > 0).astype(np.uint8) * 255
        u8 = (np.clip(g, 0, 1) * 255 + 0.5).astype(np.uint8)
        ph = 400
        pw = min(600, int(round(u8.shape[1] * ph / u8.shape[0])))
        frame = np.zeros((440, 720), np.uint8)
        masks = np.zeros((440, 720), np.uint8)
        x0 = (720 - pw) // 2
        frame[20:420, x0:x0 + pw] = cv2.resize(u8, (pw, ph), interpolation=cv2.INTER_AREA)
        masks[20:420, x0:x0 + pw] = cv2.resize(mask, (pw, ph), interpolation=cv2.INTER_NEAREST)
        cv2.putText(frame, "L12-5  4.0cm  G62", (8, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 220, 1)
        for y in range(20, 421, 40):
            cv2.circle(frame, (x0 + pw + 6, y), 2, 230, -1)
        cv2.imwrite(os.path.join(a.out, "images", "gel_%03d.png" % n), frame)
        cv2.imwrite(os.path.join(a.out, "masks", "gel_%03d.png" % n), masks)
        n += 1


if __name__ == "__main__":
    main()
