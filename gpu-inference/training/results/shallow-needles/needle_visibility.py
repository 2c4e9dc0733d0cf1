"""How visible simulate_bmode.py's needle is at each angle: the mean grey within 1 px of the shaft (its middle 80 %)
less the mean grey 10-14 px either side of it, over 4 gel frames an angle (entering the side 6 mm deep).

    /usr/bin/python3 results/shallow-needles/needle_visibility.py [SEED]      # from gpu-inference/training
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import simulate_bmode as sb  # noqa: E402


def visibility(pic, line):
    (xe, ze), (xt, zt) = line
    p0, p1 = np.array([xe, ze]) / sb.MM_PER_PX, np.array([xt, zt]) / sb.MM_PER_PX
    d = p1 - p0
    length = float(np.hypot(*d))
    u = d / length
    n = np.array([-u[1], u[0]])
    on, off = [], []
    h, w = pic.shape
    for t in np.arange(0.1 * length, 0.9 * length, 1.0):
        c = p0 + u * t
        for s in (-1, 0, 1):
            q = c + n * s
            if 0 <= q[1] < h and 0 <= q[0] < w:
                on.append(pic[int(q[1]), int(q[0])])
        for s in (-14, -10, 10, 14):
            q = c + n * s
            if 0 <= q[1] < h and 0 <= q[0] < w:
                off.append(pic[int(q[1]), int(q[0])])
    return float(np.mean(on) - np.mean(off))


def main():
    rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    for angle in (10, 15, 20, 25, 28, 30, 32, 35, 40, 50, 60):
        v = [visibility(*sb.simulate("gel", True, rng, (angle, angle), "side:6")) for _ in range(4)]
        print("%2d degrees  %s  mean %5.1f" % (angle, " ".join("%5.1f" % x for x in v), np.mean(v)))


if __name__ == "__main__":
    main()
