"""The simulated needles' look against the clip's real needle, with needle_look.py's measures (contrast: the shaft's
median grey minus the tissue's 4-6 px beside it, over that tissue's spread; echo width: full width at half maximum
across the shaft), on the 256 grid of the picture (columns 170-550, rows 20-420 of simulate_bmode.py's frames).

    /usr/bin/python3 results/shallow-needles/sim_look.py SIM_DIR...      # from gpu-inference/training; DIR/images, DIR/masks
"""
import glob
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "needle-without-clip"))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import needle_look as nl  # noqa: E402
from common import SIZE, tip_from_mask  # noqa: E402


def quantiles(v):
    return "median %.2f (p10 %.2f, p90 %.2f)" % (np.median(v), *np.quantile(v, [0.1, 0.9]))


def needle_on_grid(image_path, mask):
    """A simulated frame's picture (columns 170-550, rows 20-420) on the 256 grid and its needle's two ends there, from
    the frame's file and its mask (full size); None when the mask shows no needle."""
    if mask is None or mask.max() == 0:
        return None
    g = cv2.resize(cv2.imread(image_path, cv2.IMREAD_GRAYSCALE)[20:420, 170:550], (SIZE, SIZE),
                   interpolation=cv2.INTER_AREA)
    m = cv2.resize(mask[20:420, 170:550], (SIZE, SIZE), interpolation=cv2.INTER_NEAREST)
    ends = tip_from_mask(m > 0)
    return (g, np.array(ends[0]), np.array(ends[1])) if ends else None


def main(dirs):
    real = nl.real_needles()
    rc = np.array([c for c in (nl.contrast(*r) for r in real) if c is not None])
    rw = np.array([nl.echo_width(*r) for r in real[::3]])
    print("real needle, %d frames: contrast %s; echo width %s px" % (len(rc), quantiles(rc), quantiles(rw)))
    for d in dirs:
        cells = {}
        for f in sorted(glob.glob(os.path.join(d, "images", "*.png"))):
            on_grid = needle_on_grid(f, cv2.imread(os.path.join(d, "masks", os.path.basename(f)),
                                                   cv2.IMREAD_GRAYSCALE))
            if on_grid is None:
                continue
            g, a, b = on_grid
            c = nl.contrast(g, a, b)
            if c is not None:
                cells.setdefault("_".join(os.path.basename(f).split("_")[:2]), []).append((c, nl.echo_width(g, a, b)))
        for k, v in sorted(cells.items()):
            v = np.array(v)
            print("%-11s %2d needles: contrast %s, %.2f fainter than the real median; echo width %s px"
                  % (k, len(v), quantiles(v[:, 0]), np.mean(v[:, 0] < np.median(rc)), quantiles(v[:, 1])))


if __name__ == "__main__":
    main(sys.argv[1:])
