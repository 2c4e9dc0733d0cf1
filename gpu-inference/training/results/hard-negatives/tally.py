"""Counts the needles a model showed on hard-negative frames of `simulate_bmode.py --hard-negative`, by kind of reflector.

    /usr/bin/python3 tally.py SET_DIR DUMP_DIR [SET_DIR DUMP_DIR ...]

SET_DIR is a folder the simulator wrote (images/, masks/, reflectors.json); DUMP_DIR is `intravis evaluate --dump`'s
folder for it (predictions.json). A membrane is "crossing" when both its ends lie on the picture's border (within
3 px), "from the edge" when one does (it enters like a needle and ends inside the picture); a bone surface ends
inside the picture at both ends. Prints, per set and kind: frames, frames with any needle shown, frames with a
confident one (tip_confidence >= 0.5).
"""
import json
import os
import sys

# the picture's place in the simulator's 720x440 capture (simulate_bmode.main: 380x400 at x 170, y 20)
X0, X1, Y0, Y1 = 170, 550, 20, 420


def on_border(x, y):
    return x <= X0 + 3 or x >= X1 - 3 or y <= Y0 + 3 or y >= Y1 - 3


def kind(r):
    if r["kind"] == "bone":
        return "bone"
    (ax, ay), (bx, by) = r["ends"]
    ends = on_border(ax, ay) + on_border(bx, by)
    return "membrane crossing" if ends == 2 else ("membrane from the edge" if ends == 1 else "membrane inside")


def main(args):
    for set_dir, dump_dir in zip(args[0::2], args[1::2]):
        with open(os.path.join(set_dir, "reflectors.json")) as f:
            reflectors = {r["image"]: r for r in json.load(f)}
        with open(os.path.join(dump_dir, "predictions.json")) as f:
            frames = json.load(f)["frames"]
        counts = {}
        for fr in frames:
            c = counts.setdefault(kind(reflectors[fr["image"]]), [0, 0, 0])
            c[0] += 1
            if fr["tip"] is not None:
                c[1] += 1
                c[2] += not fr["tip_low"]
        for k, (n, shown, sure) in sorted(counts.items()):
            print("%-28s %-24s frames %3d  shown %3d  confident %3d" % (os.path.basename(set_dir.rstrip("/")), k, n,
                                                                          shown, sure))


if __name__ == "__main__":
    main(sys.argv[1:])
