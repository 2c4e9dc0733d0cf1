"""Paired comparisons of two trainings' evaluations (evaluate.py --fold K JSON with per_frame_dice), frame by frame:
the differences (after - before) of the frames both count, pooled over folds, with a 95 % bootstrap interval over
frames. Used by dpi_pooled.py, dpi_fold_summary.py and all-images-phantom/compare.py."""
import json

import numpy as np


def differences(pairs, cls):
    """pairs: [(before.json, after.json), ...] of one fold (several seeds: their differences averaged per frame);
    the per-frame differences of class `cls` over the frames every pair counts."""
    runs = [(json.load(open(a))["per_frame_dice"][cls], json.load(open(b))["per_frame_dice"][cls]) for a, b in pairs]
    keys = sorted(set.intersection(*[set(a) & set(b) for a, b in runs]))
    return np.array([np.mean([b[k] - a[k] for a, b in runs]) for k in keys])


def interval(d, rng, resamples=2000):
    """95 % bootstrap interval of the mean of `d`, resampling its frames."""
    boots = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(resamples)]
    return np.percentile(boots, 2.5), np.percentile(boots, 97.5)


def pooled(folds, cls, rng):
    """folds: per fold, its [(before.json, after.json), ...] (as `differences` takes them); the per-frame differences of
    every fold together (each frame once), with their 95 % bootstrap interval: (d, lo, hi)."""
    d = np.concatenate([differences(pairs, cls) for pairs in folds])
    return (d,) + tuple(interval(d, rng))


if __name__ == "__main__":
    # python3 results/paired.py BEFORE.json AFTER.json [BEFORE.json AFTER.json ...]: one pair per fold, pooled
    import sys
    files = sys.argv[1:]
    if not files or len(files) % 2:
        raise SystemExit("usage: paired.py BEFORE.json AFTER.json [BEFORE.json AFTER.json ...] (one pair per fold)")
    rng = np.random.default_rng(0)
    for cls in ("vessel", "nerve"):
        d, lo, hi = pooled([[(files[i], files[i + 1])] for i in range(0, len(files), 2)], cls, rng)
        print("%s: after - before %+.3f over %d frames, 95 %% bootstrap [%+.3f, %+.3f]" % (cls, d.mean(), len(d), lo, hi))
