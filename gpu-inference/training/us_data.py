"""Training samples for the ultrasound model: real B-mode frames (nerve/vessel labels) and phantom frames from
PhantomDump, both with synthetic needles, augmented towards what the Java side will feed the model (whole
frames of any aspect stretched to 256x256, capture-card margins, other gains and probes)."""
import math
import os

import cv2
import numpy as np

from common import (CACHE_DIR, DATA_DIR, SIZE, content_rect, gaussian_heatmap, letterbox, load_real, phantom_files,
                    read_phantom_dump, read_split, render_needle, to_model)

PHANTOM_US_DIR = os.path.join(CACHE_DIR, "phantom-ultrasound")


def load_phantom(dump_dir=PHANTOM_US_DIR, max_side=640):
    """PhantomDump output (frame-*.png, labels-*.png, frame-*.json) -> list of (name, gray, labels, tip, entry).
    Labels map the phantom's 1 nerve / 2 vessel / 3 instrument. Frames are halved to keep memory small."""
    out = []
    for _, stem, g, lab, meta, s in read_phantom_dump(dump_dir, max_side):
        tip = entry = None
        if meta.get("instrumentVisible"):
            tip = (meta["tipX"] * s, meta["tipY"] * s)
            entry = (meta["entryX"] * s, meta["entryY"] * s)
        out.append((stem, g, lab, tip, entry))
    return out


def _affine(rng, w, h, max_canvas=560, min_crop=0.5):
    """A random crop (aspect 0.7..2.1, 50..100% of the height), rotation, scale and flip as one affine map from
    the source frame to a canvas of about the crop's own size."""
    aspect = math.exp(rng.uniform(math.log(0.7), math.log(2.1)))
    ch = rng.uniform(min_crop, 1.0) * h
    cw = aspect * ch
    if cw > 1.1 * w:
        cw = 1.1 * w
        ch = min(cw / aspect, 1.1 * h)
    cx = rng.uniform(min(cw / 2 - 0.05 * w, w / 2), max(w - cw / 2 + 0.05 * w, w / 2))
    cy = rng.uniform(min(ch / 2 - 0.05 * h, h / 2), max(h - ch / 2 + 0.05 * h, h / 2))
    s = min(1.0, max_canvas / max(cw, ch))
    W, H = max(32, int(round(cw * s))), max(32, int(round(ch * s)))
    rot = math.radians(rng.uniform(-10, 10))
    flip = -1.0 if rng.random() < 0.5 else 1.0
    c, sn = math.cos(rot) * s, math.sin(rot) * s
    A = np.array([[flip * c, flip * -sn, 0], [sn, c, 0]], np.float64)
    A[:, 2] = np.array([W / 2, H / 2]) - A[:, :2] @ np.array([cx, cy])
    return A, W, H


def _apply(A, p):
    return (A[0, 0] * p[0] + A[0, 1] * p[1] + A[0, 2], A[1, 0] * p[0] + A[1, 1] * p[1] + A[1, 2])


def _margins(rng, img, masks):
    """Puts the picture into a bigger black frame like a capture card's (16:9 or 4:3 letterbox around a B-mode
    picture), with some bright UI marks outside it."""
    h, w = img.shape
    big, (x0, y0) = letterbox(rng, img, [16 / 9, 4 / 3, 16 / 10], grow=1.25, fill=0.04, marks=6,
                              charset="ABCDEFGHKLMNPRSTUVZ0123456789. ", max_chars=9, text_min=0.5)
    H, W = big.shape
    outm = []
    for m in masks:
        bm = np.zeros((H, W), m.dtype)
        bm[y0:y0 + h, x0:x0 + w] = m
        outm.append(bm)
    return big, outm, (x0, y0)


def _intensity(rng, img):
    h, w = img.shape
    x = img
    if rng.random() < 0.6:  # depth-dependent attenuation (or its over-compensation by the TGC)
        a = rng.uniform(-0.4, 1.0)
        x = x * np.exp(-a * np.linspace(0, 1, h, dtype=np.float32))[:, None]
    x = x * rng.uniform(0.65, 1.4)
    x = np.clip(x, 0, 1) ** rng.uniform(0.65, 1.5)
    if rng.random() < 0.5:  # speckle-like multiplicative texture
        n = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), rng.uniform(0.6, 1.6))
        x = x * (1 + rng.uniform(0.05, 0.35) * n / (n.std() + 1e-6))
    if rng.random() < 0.3:
        s = rng.uniform(0.5, 1.8)
        x = cv2.GaussianBlur(x, (0, 0), sigmaX=s * rng.uniform(1, 2), sigmaY=s)
    if rng.random() < 0.5:
        x = x + rng.normal(0, rng.uniform(0.005, 0.04), x.shape).astype(np.float32)
    return np.clip(x, 0, 1)


def make_sample(rng, gray, lab, tip=None, entry=None, needle_p=0.6, pad_p=0.3, min_crop=0.5):
    """One augmented sample -> (x uint8 [256,256], target float32 [4,256,256], tip weight, tip (x,y) at 256 or None)."""
    h, w = gray.shape
    A, W, H = _affine(rng, w, h, min_crop=min_crop)
    img = cv2.warpAffine(gray, A, (W, H), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32) / 255.0
    labw = cv2.warpAffine(lab, A, (W, H), flags=cv2.INTER_NEAREST, borderValue=0)
    needle = (labw == 3).astype(np.uint8)
    tip_w = 1.0
    tip_c = None
    if tip is not None:
        tip_c = _apply(A, tip)
        if not (0 <= tip_c[0] < W and 0 <= tip_c[1] < H):
            tip_c, tip_w = None, 0.0  # the crop cut the phantom needle's tip off: no tip supervision
    elif rng.random() < needle_p:
        img, needle, tip_c, _ = render_needle(img, rng)
    masks = [needle, (labw == 2).astype(np.uint8), (labw == 1).astype(np.uint8)]
    if rng.random() < pad_p:
        img, masks, off = _margins(rng, img, masks)
        if tip_c is not None:
            tip_c = (tip_c[0] + off[0], tip_c[1] + off[1])
        H, W = img.shape
    img = _intensity(rng, img)
    u8 = (img * 255 + 0.5).astype(np.uint8)
    interp = cv2.INTER_AREA if rng.random() < 0.6 else cv2.INTER_LINEAR
    x = cv2.resize(u8, (SIZE, SIZE), interpolation=interp)
    t = np.zeros((4, SIZE, SIZE), np.float32)
    for i, (m, thr) in enumerate(zip(masks, (0.3, 0.5, 0.5))):
        t[i] = cv2.resize(m.astype(np.float32), (SIZE, SIZE), interpolation=cv2.INTER_AREA) > thr
    tip256 = None
    if tip_c is not None and t[0].any():
        tip256 = (to_model(tip_c[0], W), to_model(tip_c[1], H))
        t[3] = gaussian_heatmap(SIZE, SIZE, *tip256)
    return x, t, tip_w, tip256


class UltrasoundSource:
    """Endless random samples: real training frames and (if dumped) phantom frames, mixed by `phantom_share`."""

    def __init__(self, phantom_share=0.3, phantom_dir=PHANTOM_US_DIR, min_crop=0.5, exclude=(), images="train"):
        """images: "train" (the training split) or "all" (every labelled image, for cross-validation pools, whose
        training leaves a fold out by each sample's `source`)."""
        self.min_crop = min_crop
        names = read_split("ultrasound-train.txt")
        if images == "all":
            names = sorted(names + read_split("ultrasound-val.txt"))
        self.real = load_real([n for n in names if n not in set(exclude)])
        self.last_source = -1  # the real image the last sample came from (index into self.real), -1 a phantom frame
        self.phantom_dir = phantom_dir
        self.phantom = load_phantom(phantom_dir) if os.path.isdir(phantom_dir) else []
        if phantom_share > 0 and not self.phantom:
            # a fresh checkout has no dump: without this a pool was built from real frames alone, silently, and the
            # model trained on it no longer knew the default demo's phantom (its zones flickered there)
            raise SystemExit("no phantom frames under %s: dump them first (README, step 1: PhantomDump) or ask for "
                             "none (--phantom-share 0)" % phantom_dir)
        self.phantom_share = phantom_share

    def names(self):
        """The real images' names, in the order `last_source` indexes them."""
        return [n for n, _, _ in self.real]

    def files(self):
        """Every file the samples are drawn from (real training images and masks, phantom frames)."""
        out = []
        for n, _, _ in self.real:
            out += [os.path.join(DATA_DIR, "images", n), os.path.join(DATA_DIR, "masks", n)]
        if self.phantom:
            for fp in phantom_files(self.phantom_dir):
                d, b = os.path.split(fp)
                out += [fp, os.path.join(d, "labels-" + b[len("frame-"):]), fp[:-4] + ".json"]
        return out

    def sample(self, rng, with_tip=False):
        if rng.random() < self.phantom_share:
            _, g, lab, tip, entry = self.phantom[int(rng.integers(len(self.phantom)))]
            self.last_source = -1
            r = make_sample(rng, g, lab, tip, entry, needle_p=0.5 if tip is None else 0.0, min_crop=self.min_crop)
        else:
            self.last_source = int(rng.integers(len(self.real)))
            _, g, lab = self.real[self.last_source]
            r = make_sample(rng, g, lab, min_crop=self.min_crop)
        return r if with_tip else r[:3]
