"""Splits the 204 labelled real ultrasound images into five folds for cross-validation (by image, seed 20261203).

The same strata as make_splits.py (frame format, then acquisition order in blocks of five): each block of five
gives one image to each fold, so every fold spreads across formats and sites like the validation split. Fold 1
is the validation split itself (ultrasound-val.txt); the other four members of each block are shuffled over
folds 2-5. Writes splits/ultrasound-fold1.txt .. ultrasound-fold5.txt.

    /usr/bin/python3 make_folds.py [--data /work/shared/data/ultrasound-nerve-vessel]
"""
import argparse
import os
import random

from common import DATA_DIR, SPLIT_DIR, read_split
from make_splits import format_groups

FOLDS = 5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--seed", type=int, default=20261203)
    a = ap.parse_args()
    names, groups = format_groups(a.data)
    val = set(read_split("ultrasound-val.txt"))
    rng = random.Random(a.seed)
    folds = [[] for _ in range(FOLDS)]
    for key in sorted(groups):
        g = groups[key]
        for i in range(0, len(g), 5):
            block = g[i:i + 5]
            rest = [n for n in block if n not in val]
            for n in block:
                if n in val:
                    folds[0].append(n)
            targets = list(range(1, FOLDS))
            rng.shuffle(targets)
            for n, f in zip(rest, targets):
                folds[f].append(n)
    assert sorted(sum(folds, [])) == names, "every image in exactly one fold"
    assert set(folds[0]) == val, "fold 1 is the validation split"
    for k, lst in enumerate(folds, 1):
        with open(os.path.join(SPLIT_DIR, "ultrasound-fold%d.txt" % k), "w") as f:
            f.write("\n".join(sorted(lst)) + "\n")
    print("folds", [len(f) for f in folds])


if __name__ == "__main__":
    main()
