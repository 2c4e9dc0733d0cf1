"""Test-time BatchNorm statistics from a scene's own unlabelled frames (AdaBN), measured on the clip (issue 13).

A zero-label, zero-click site step: the needle network that never saw the clip keeps every weight, and only its
BatchNorm running means and variances are estimated afresh from frames of the scene (the clip's tuning part: its
needle frames and needle-free views, labels never read). Scored with `maps_on_clip`'s figures (the needle channel
along the labelled shaft, the needle-free views' largest value) on the held-out and tuning parts, before and after.
The rule was written before any figure (results README, "Cues from the scene without a mark").

    /usr/bin/python3 results/needle-without-clip/adabn.py needle-s42-C
"""
import glob
import json
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from maps_on_clip import FIXTURE, SIZE, TUNE, frame_path, load  # noqa: E402
from common import preprocess  # noqa: E402


def adapt(runner, grays, blend=1.0, bs=8):
    """BatchNorm running statistics re-estimated (cumulative average over `grays`) and blended with the trained ones
    ((1 - blend) x trained + blend x the scene's), nothing else changed."""
    bns = [m for m in runner.net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    trained = [(m.running_mean.clone(), m.running_var.clone()) for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    with torch.no_grad():
        for i in range(0, len(grays), bs):
            runner.net(torch.from_numpy(np.stack([preprocess(g, runner.mean, runner.std) for g in grays[i:i + bs]])))
    for m, (mean, var) in zip(bns, trained):
        m.running_mean.mul_(blend).add_((1 - blend) * mean)
        m.running_var.mul_(blend).add_((1 - blend) * var)
        m.eval()
    return len(bns)


def figures(net, labels, views):
    ni = net.channels.index("needle")
    out = {}
    for part in ("tune", "test"):
        along = []
        for f in (f for f in labels if f["split"] == part and f["needle"]):
            g = cv2.imread(frame_path(f), cv2.IMREAD_GRAYSCALE)
            h, w = g.shape
            o = net([g])[0]
            a, b = np.array(f["tip"]), np.array(f["end"])
            pts = a[None] + np.linspace(0.05, 0.95, 40)[:, None] * (b - a)[None]
            u = np.clip((pts[:, 0] * SIZE / w).astype(int), 0, SIZE - 1)
            v = np.clip((pts[:, 1] * SIZE / h).astype(int), 0, SIZE - 1)
            along.append(np.mean([o[ni, max(0, y - 1):y + 2, x].max() for x, y in zip(u, v)]))
        free = [net([cv2.imread(p, cv2.IMREAD_GRAYSCALE)])[0][ni].max() for p in views[part]]
        out[part] = {"along_shaft": float(np.median(along)), "views_max": float(np.median(free)),
                     "frames": len(along), "views": len(free)}
    return out


def main(run, blends=(1.0, 0.5, 0.3, 0.1)):
    labels = json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
    views = {"tune": sorted(glob.glob(os.path.join(TUNE, "*_lower.png"))),
             "test": sorted(glob.glob(os.path.join(FIXTURE, "needle-free", "images", "*.jpg")))}
    scene = [cv2.imread(frame_path(f), cv2.IMREAD_GRAYSCALE) for f in labels if f["split"] == "tune"]
    scene += [cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in views["tune"]]
    report = {"run": run, "adaptation_frames": len(scene), "before": figures(load(run), labels, views)}
    for blend in blends:
        net = load(run)
        report["bn_layers"] = adapt(net, scene, blend)
        report["blend %.1f" % blend] = figures(net, labels, views)
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    json.dump(main(sys.argv[1]), open(os.path.join(HERE, "adabn-%s.json" % sys.argv[1]), "w"), indent=1)
