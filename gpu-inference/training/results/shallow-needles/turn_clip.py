"""The held-out clip frames (the fixture, 28 frames) and their needle masks turned about the frame's centre, so that
the real needle (15.5 degrees from the horizontal) lies flatter or steeper: clockwise by 8 and 5 degrees (about 7.5 and
10.5 degrees), as it is, and 5 degrees the other way (20.5). The frame keeps its size; the corners turned out of it
are black, the fascia turns with the needle.

    /usr/bin/python3 results/shallow-needles/turn_clip.py OUT      # writes OUT/turned-8, OUT/turned-5, ...
"""
import glob
import os
import sys

import cv2

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "test", "resources",
                       "real-needle")


def main(out):
    for deg in (-8, -5, 0, 5):   # OpenCV turns counter-clockwise for positive angles
        for sub in ("images", "masks"):
            os.makedirs(os.path.join(out, "turned%d" % deg, sub), exist_ok=True)
        for f in sorted(glob.glob(os.path.join(FIXTURE, "images", "*"))):
            stem = os.path.splitext(os.path.basename(f))[0]
            img = cv2.imread(f, cv2.IMREAD_GRAYSCALE)
            mask = cv2.imread(os.path.join(FIXTURE, "needle-masks", stem + ".png"), cv2.IMREAD_GRAYSCALE)
            h, w = img.shape
            m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
            cv2.imwrite(os.path.join(out, "turned%d" % deg, "images", stem + ".png"),
                        cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR))
            cv2.imwrite(os.path.join(out, "turned%d" % deg, "masks", stem + ".png"),
                        cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST))


if __name__ == "__main__":
    main(sys.argv[1])
