"""Trains one model on the CPU and saves its checkpoint (runs/<task>/model.pt) with the training log.

    /usr/bin/python3 train.py --task ultrasound  [--epochs 70] [--seed 1]
    /usr/bin/python3 train.py --task fluoroscopy [--epochs 40] [--seed 1]

Batches come from the sample pool that build_cache.py renders (with flips and gain/gamma/noise on top); the last epoch's
weights are kept (no checkpoint selection on the validation split). The validation figures printed while
training are for watching only; evaluate.py gives the reported ones.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import (ARCH, CACHE_DIR, cv2, build_model, FL_CHANNELS, NEEDLE_CHANNELS, RUNS_DIR, SIZE, TIP_SIGMA, US_CHANNELS, CompactUNet, dice, load_real,
                    preprocess, read_split)


def norm_stats(task):
    """Input normalisation, fixed per task and written into the sidecar: ultrasound = mean/std of the training
    images at 256 px (x/255); fluoroscopy = round constants for its mid-grey, wide-range pictures."""
    return {"ultrasound": (0.144, 0.156), "fluoroscopy": (0.5, 0.2),
            "needle": (0.144, 0.156)}[task]  # needle: the ultrasound model's input tensor feeds it too


def kept_samples(d, exclude, name):
    """Cross-validation: a mask of the pool's samples not drawn from a left-out image (pools record each sample's
    source image: build_cache.py --images all, build_unlabelled.py)."""
    if "source" not in d.files:
        raise SystemExit("pool %s has no per-sample sources: build it with build_cache.py --images all" % name)
    names = [str(n) for n in d["names"]]
    missing = set(exclude) - set(names)
    if missing:
        raise SystemExit("pool %s lacks %d of the images to leave out (e.g. %s)" % (name, len(missing), min(missing)))
    out = sorted(i for i, n in enumerate(names) if n in set(exclude))
    keep = ~np.isin(d["source"], out)
    print("pool %s: %d samples, %d left out with their %d images" % (name, int(keep.sum()), int((~keep).sum()),
                                                                      len(out)), flush=True)
    return keep


class Pool:
    """Batches from the cached sample pool (build_cache.py) with cheap train-time augmentation on top."""

    def __init__(self, task, seed, name=None, dilate=0, fan_share=0.0, exclude=()):
        self.dilate = dilate
        self.fan_share = fan_share
        d = np.load(os.path.join(CACHE_DIR, (name or task + "-pool") + ".npz"))
        self.x, self.masks, self.tip, self.tipw = d["x"], d["masks"], d["tip"], d["tipw"]
        self.files = [str(f) for f in d["files"]]
        if exclude:
            keep = kept_samples(d, exclude, name)
            self.x, self.masks, self.tip, self.tipw = self.x[keep], self.masks[keep], self.tip[keep], self.tipw[keep]
            self.files = [f for f in self.files if os.path.basename(f) not in set(exclude)
                          or os.path.basename(os.path.dirname(f)) not in ("images", "masks")]
        self.task = task
        self.rng = np.random.default_rng(seed)
        self.mean, self.std = norm_stats(task)
        ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
        self.grid = (xs, ys)

    def batch(self, n):
        r = self.rng
        idx = r.integers(0, len(self.x), n)
        x = self.x[idx].astype(np.float32) / 255.0
        m = np.unpackbits(self.masks[idx], axis=-1).astype(np.float32)
        tip = self.tip[idx].copy()
        w = self.tipw[idx].copy()
        for i in range(n):
            if r.random() < 0.5:
                x[i] = x[i][:, ::-1]
                m[i] = m[i][:, :, ::-1]
                if tip[i, 0] >= 0:
                    tip[i, 0] = SIZE - 1 - tip[i, 0]
            if self.task == "fluoroscopy":
                if r.random() < 0.5:
                    x[i] = x[i][::-1]
                    m[i] = m[i][:, ::-1]
                    if tip[i, 0] >= 0:
                        tip[i, 1] = SIZE - 1 - tip[i, 1]
                if r.random() < 0.5:
                    x[i] = x[i].T
                    m[i] = m[i].transpose(0, 2, 1)
                    tip[i] = tip[i][::-1].copy()
            if self.task in ("ultrasound", "needle") and r.random() < self.fan_share:
                if not self._fan(r, x[i], m[i], tip[i]):
                    w[i] = 0.0  # the tip left the field of view: no tip supervision for this sample
            x[i] = np.clip(x[i] * r.uniform(0.85, 1.15), 0, 1) ** r.uniform(0.85, 1.18)
            if r.random() < 0.3:
                x[i] = np.clip(x[i] + r.normal(0, r.uniform(0.005, 0.02), x[i].shape), 0, 1)
        if self.dilate:
            # thin instruments: train on a slightly widened line so the mask channel learns them at 256 px
            k = np.ones((2 * self.dilate + 1, 2 * self.dilate + 1), np.uint8)
            for i in range(n):
                m[i, 0] = cv2.dilate(m[i, 0], k)
        hm = np.zeros((n, 1, SIZE, SIZE), np.float32)
        xs, ys = self.grid
        for i in range(n):
            if tip[i, 0] >= 0:
                ix, iy = round(float(tip[i, 0])), round(float(tip[i, 1]))
                hm[i, 0] = np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * TIP_SIGMA ** 2))
        x = (x - self.mean) / self.std
        t = np.concatenate([m, hm], 1)
        return torch.from_numpy(x[:, None].copy()), torch.from_numpy(t), torch.from_numpy(w)


    def _fan(self, r, x, m, tip):
        """Curvilinear/phased-array geometry: the picture cut to a sector (apex above the top, arc at the top and
        bottom), black outside, sometimes with a bright fan edge. Fan edges and the black outside are what a model
        trained on linear-probe frames mistakes for needles and vessels. Edits x, m in place; returns whether the
        tip (if any) is still inside."""
        xs, ys = self.grid
        ax = r.uniform(0.3, 0.7) * SIZE
        ay = r.uniform(-0.8, 0.0) * SIZE
        half = np.deg2rad(r.uniform(22, 50))
        rad = np.hypot(xs - ax, ys - ay)
        ang = np.arctan2(xs - ax, ys - ay)  # 0 straight down
        r0 = max(0.0, -ay) + r.uniform(0, 25)
        r1 = r0 + r.uniform(0.75, 1.3) * SIZE
        fan = (rad >= r0) & (rad <= r1) & (np.abs(ang) <= half)
        outside = ~fan
        x[outside] = r.uniform(0, 0.04) + r.normal(0, 0.004, int(outside.sum())).astype(np.float32)
        if r.random() < 0.35:  # a bright rim along the sector's straight edges, as some scanners draw it
            edge = fan & (np.abs(np.abs(ang) - half) * rad < r.uniform(1.0, 2.5))
            x[edge] = np.maximum(x[edge], r.uniform(0.4, 0.9))
        m *= fan
        if tip[0] >= 0:
            ix, iy = int(round(float(tip[0]))), int(round(float(tip[1])))
            if not (0 <= ix < SIZE and 0 <= iy < SIZE and fan[iy, ix]):
                tip[:] = -1.0
                return False
        return True


def tip_focal(logit, gt, w):
    """CenterNet's penalty-reduced focal loss on the tip heat map; per-sample weight w (0 = no tip supervision)."""
    p = torch.sigmoid(logit).clamp(1e-4, 1 - 1e-4)
    pos = (gt >= 0.999).float()
    pos_l = torch.log(p) * (1 - p) ** 2 * pos
    neg_l = torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * (1 - pos)
    per = -(pos_l + neg_l).flatten(1).sum(1) / pos.flatten(1).sum(1).clamp(min=1)
    return (per * w).sum() / w.sum().clamp(min=1)


def mask_loss(logit, gt, pos_weight, dice_weight, per_image=False):
    """BCE plus soft Dice per channel: over the whole batch, or per image and then averaged (per_image: what the
    evaluation averages, so a small structure or a false one on an empty frame counts as much as a large one)."""
    bce = F.binary_cross_entropy_with_logits(logit, gt, pos_weight=pos_weight.view(1, -1, 1, 1))
    p = torch.sigmoid(logit)
    dims = (2, 3) if per_image else (0, 2, 3)
    inter = (p * gt).sum(dims)
    den = p.sum(dims) + gt.sum(dims)
    dl = 1 - (2 * inter + 1) / (den + 1)
    if per_image:
        dl = dl.mean(0)
    return bce + (dl * dice_weight).sum() / dice_weight.sum()


def watch_dice(model, task, val):
    """Quick vessel/nerve Dice on the watched frames at model resolution (for the log only)."""
    if task != "ultrasound":
        return {}
    mean, std = norm_stats(task)
    dev = next(model.parameters()).device
    model.eval()
    res = {"vessel": [], "nerve": []}
    with torch.no_grad():
        for _, g, lab in val:
            x = torch.from_numpy(preprocess(g, mean, std)[None]).to(dev)
            p = torch.sigmoid(model(x))[0].cpu().numpy()
            lab256 = cv2.resize(lab, (SIZE, SIZE), interpolation=cv2.INTER_NEAREST)
            for ci, name, lv in ((1, "vessel", 2), (2, "nerve", 1)):
                d = dice(p[ci] > 0.5, lab256 == lv)
                if d is not None:
                    res[name].append(d)
    return {k: round(float(np.mean(v)), 4) for k, v in res.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["ultrasound", "fluoroscopy", "needle"], required=True)
    ap.add_argument("--epochs", type=int, default=70)
    ap.add_argument("--per-epoch", type=int, default=800)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None)
    ap.add_argument("--pool", default=None, help="sample pool name in cache/ (default <task>-pool)")
    ap.add_argument("--fan-share", type=float, default=0.0,
                    help="ultrasound: share of samples cut to a curvilinear sector (fan edges and black outside)")
    ap.add_argument("--stop-after", type=int, default=None,
                    help="end after this epoch, keeping the learning-rate schedule of --epochs (how the shipped "
                         "ultrasound weights were made: the 40-epoch schedule's epoch-30 checkpoint)")
    ap.add_argument("--init", default=None, help="start from this checkpoint (fine-tuning stage)")
    ap.add_argument("--init-backbone", default=None,
                    help="start from this checkpoint's weights but its head (pretrain.py's self-supervised network)")
    ap.add_argument("--instrument-pos-weight", type=float, default=4.0,
                    help="BCE weight of needle/wire pixels (they are few and thin)")
    ap.add_argument("--dilate-instrument", type=int, default=0,
                    help="widen the needle/wire mask target by this many pixels (at 256) when training")
    ap.add_argument("--needle-dice-weight", type=float, default=1.0,
                    help="weight of the needle mask's Dice term against vessel and nerve (1.0 each)")
    ap.add_argument("--dice-per-image", action="store_true",
                    help="soft Dice per image, then averaged (as the evaluation averages), instead of over the batch")
    ap.add_argument("--freeze-bn", action="store_true",
                    help="keep every batch norm in inference mode (its running statistics), as a network rebuilt "
                         "from an ONNX file needs (init_from_onnx.py: its norms are the identity plus a bias)")
    ap.add_argument("--exclude-split", default=None,
                    help="cross-validation: leave out every sample drawn from the images of splits/NAME (a pool "
                         "built with build_cache.py --images all)")
    ap.add_argument("--train-only", default=None,
                    help="comma-separated module names (e.g. head or d1,head): only their weights learn, the rest is "
                         "frozen (how much of a network a site step has to adapt)")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda on the GPU machine (gpu_train.sh)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch")
    ap.add_argument("--arch", default=None, choices=sorted(ARCH), help="network widths (default: the task's)")
    ap.add_argument("--time-limit-min", type=float, default=None,
                    help="stop after the first epoch that ends past this many minutes, saving the checkpoint "
                         "(for the time-boxed GPU machine; the learning-rate schedule is then cut short)")
    ap.add_argument("--watch", choices=["train", "val", "none"], default="train",
                    help="frames whose Dice the log shows every 10 epochs: every 4th training frame (in-sample, "
                         "unaugmented; the default, so that watching does not peek at the held-out split), the "
                         "validation split (how stages 1-3 were watched), or none")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    arch = ARCH[a.arch or a.task]
    out = a.out or os.path.join(RUNS_DIR, a.task)
    os.makedirs(out, exist_ok=True)
    channels = {"ultrasound": US_CHANNELS, "fluoroscopy": FL_CHANNELS, "needle": NEEDLE_CHANNELS}[a.task]
    model = build_model(len(channels), arch)
    with torch.no_grad():  # start from "nothing here" (p = 0.05 masks, 0.01 tip) so the focal loss starts sane
        model.head.bias.fill_(-3.0)
        model.head.bias[-1] = -4.6
    train_files = []
    if a.init:
        init = torch.load(a.init, map_location="cpu", weights_only=False)
        model.load_state_dict(init["state_dict"])
        train_files = list(init.get("train_files", []))
        cmd_prev = init.get("command", "") + " && "
    else:
        cmd_prev = ""
    if a.init_backbone:
        pre = torch.load(a.init_backbone, map_location="cpu", weights_only=False)
        body = {k: v for k, v in pre["state_dict"].items() if not k.startswith("head.")}
        missing, unexpected = model.load_state_dict(body, strict=False)
        if unexpected or any(not k.startswith("head.") for k in missing):
            raise SystemExit("%s does not fit this network: missing %s, unexpected %s" % (a.init_backbone, missing, unexpected))
        cmd_prev = pre.get("command", "") + " && "
    model.to(dev)
    steps_per_epoch = a.per_epoch // a.batch
    total = steps_per_epoch * a.epochs
    learning = model.parameters()
    if a.train_only:
        names = tuple(n.strip() + "." for n in a.train_only.split(",") if n.strip())
        for name, param in model.named_parameters():
            param.requires_grad_(name.startswith(names))
        learning = [p for p in model.parameters() if p.requires_grad]
        if not learning:
            raise SystemExit("--train-only %s names no module of this network" % a.train_only)
        print("learning %d of %d parameters" % (sum(p.numel() for p in learning),
                                                sum(p.numel() for p in model.parameters())), flush=True)
    opt = torch.optim.AdamW(learning, lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=total, pct_start=0.08)
    pool = Pool(a.task, a.seed, a.pool, a.dilate_instrument, a.fan_share,
                read_split(a.exclude_split) if a.exclude_split else ())
    pos_weight = torch.tensor([a.instrument_pos_weight, 1.0, 1.0] if a.task == "ultrasound" else [a.instrument_pos_weight],
                              device=dev)
    # the anatomy is what is hard to learn; the needle mask can matter less than its tip
    dice_weight = torch.tensor([a.needle_dice_weight, 1.0, 1.0] if a.task == "ultrasound" else [1.0], device=dev)
    nmask = len(channels) - 1
    watched = []
    if a.watch != "none" and cv2 is None:
        print("no OpenCV here: nothing watched (--watch none)", flush=True)
        a.watch = "none"
    if a.task == "ultrasound" and a.watch != "none":
        watched = load_real(read_split("ultrasound-val.txt") if a.watch == "val"
                            else read_split("ultrasound-train.txt")[::4])
    log = open(os.path.join(out, "train.log"), "a")
    cmd = cmd_prev + "/usr/bin/python3 train.py " + " ".join(sys.argv[1:])
    print("#", cmd, file=log, flush=True)
    t0 = time.time()

    def train_mode():
        model.train()
        if a.freeze_bn:
            for mod in model.modules():
                if isinstance(mod, torch.nn.BatchNorm2d):
                    mod.eval()

    train_mode()
    for ep in range(a.epochs):
        acc = np.zeros(3)
        for _ in range(steps_per_epoch):
            x, t, w = (v.to(dev, non_blocking=True) for v in pool.batch(a.batch))
            logit = model(x)
            lm = mask_loss(logit[:, :nmask], t[:, :nmask], pos_weight, dice_weight, a.dice_per_image)
            lt = tip_focal(logit[:, nmask], t[:, nmask], w)
            loss = lm + lt
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            acc += [loss.item(), lm.item(), lt.item()]
        acc /= steps_per_epoch
        msg = {"epoch": ep + 1, "loss": round(acc[0], 4), "mask": round(acc[1], 4), "tip": round(acc[2], 4),
               "lr": round(sched.get_last_lr()[0], 6), "min": round((time.time() - t0) / 60, 1)}
        out_of_time = a.time_limit_min is not None and time.time() - t0 > a.time_limit_min * 60
        if out_of_time:
            msg["stopped"] = "time limit"
        last = ep + 1 == a.epochs or ep + 1 == a.stop_after or out_of_time
        if (ep + 1) % 10 == 0 or last:
            if watched:
                msg["watch_%s_dice" % a.watch] = watch_dice(model, a.task, watched)
                train_mode()
            torch.save({"state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}, "channels": channels, "task": a.task,
                        "norm": norm_stats(a.task), "arch": arch, "epoch": ep + 1, "command": cmd, "train_files": sorted(set(pool.files) | set(train_files))},
                       os.path.join(out, "model.pt"))
        print(json.dumps(msg), file=log, flush=True)
        print(json.dumps(msg), flush=True)
        if last:
            break


if __name__ == "__main__":
    main()
