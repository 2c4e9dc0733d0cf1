"""Self-supervised pre-training of the ultrasound segmentation network (issue 14's lever): masked-patch
reconstruction on unlabelled crops (build_unlabelled.py), so that the first supervised stage starts from filters
that already describe speckle, interfaces and vessel-like dark regions.

    /usr/bin/python3 pretrain.py --out runs/ssl [--exclude-split ultrasound-fold2.txt] [--device cuda]
    /usr/bin/python3 train.py --task ultrasound ... --init-backbone runs/ssl/model.pt

The network is the shipped one (common.build_model, the ultrasound widths) with a one-channel head: half of the
16x16 patches of each (normalised) input are set to the mean grey, and the network redraws the picture; the loss
is the L1 error on the hidden patches plus a tenth of it on the visible ones. train.py --init-backbone takes every
weight but the head. A fold's labelled images are left out with --exclude-split (the pool records each sample's
image), so the fold's score stays a score on images the whole chain never saw.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from common import ARCH, CACHE_DIR, RUNS_DIR, SIZE, build_model, read_split
from train import kept_samples, norm_stats

PATCH = 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", default="ultrasound-unlabelled")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--per-epoch", type=int, default=640)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--mask-share", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--exclude-split", default=None)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time-limit-min", type=float, default=None)
    ap.add_argument("--out", default=os.path.join(RUNS_DIR, "ssl"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    os.makedirs(a.out, exist_ok=True)
    d = np.load(os.path.join(CACHE_DIR, a.pool + ".npz"))
    x_all = d["x"]
    if a.exclude_split:
        x_all = x_all[kept_samples(d, read_split(a.exclude_split), a.pool)]
    mean, std = norm_stats("ultrasound")
    model = build_model(1, ARCH["ultrasound"]).to(dev)
    steps = a.per_epoch // a.batch
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps * a.epochs, pct_start=0.08)
    rng = np.random.default_rng(a.seed)
    cells = SIZE // PATCH
    log = open(os.path.join(a.out, "train.log"), "a")
    cmd = "/usr/bin/python3 pretrain.py " + " ".join(sys.argv[1:])
    print("#", cmd, file=log, flush=True)
    t0 = time.time()
    model.train()
    for ep in range(a.epochs):
        acc = 0.0
        for _ in range(steps):
            idx = rng.integers(0, len(x_all), a.batch)
            x = x_all[idx].astype(np.float32) / 255.0
            flip = rng.random(a.batch) < 0.5
            x[flip] = x[flip][:, :, ::-1]
            x = torch.from_numpy((x - mean) / std).unsqueeze(1).to(dev)
            hide = torch.from_numpy(rng.random((a.batch, 1, cells, cells)) < a.mask_share).float().to(dev)
            hide = hide.repeat_interleave(PATCH, 2).repeat_interleave(PATCH, 3)
            y = model(x * (1 - hide))  # the hidden patches at the mean grey (0 after normalisation)
            err = (y - x).abs()
            loss = (err * hide).sum() / hide.sum().clamp(min=1) + 0.1 * (err * (1 - hide)).sum() / (1 - hide).sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            acc += loss.item()
        msg = {"epoch": ep + 1, "loss": round(acc / steps, 4), "lr": round(sched.get_last_lr()[0], 6),
               "min": round((time.time() - t0) / 60, 1)}
        out_of_time = a.time_limit_min is not None and time.time() - t0 > a.time_limit_min * 60
        if out_of_time:
            msg["stopped"] = "time limit"
        print(json.dumps(msg), file=log, flush=True)
        print(json.dumps(msg), flush=True)
        if out_of_time or ep + 1 == a.epochs:
            break
    torch.save({"state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}, "task": "ssl",
                "arch": ARCH["ultrasound"], "command": cmd}, os.path.join(a.out, "model.pt"))


if __name__ == "__main__":
    main()
