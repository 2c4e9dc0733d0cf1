"""Training samples for the fluoroscopy model: PhantomDump frames plus a broader procedural generator (other
anatomy, fields of view, contrast, noise, wire shapes and markers), so the model does not learn the phantom."""
import math
import os

import cv2
import numpy as np

from common import CACHE_DIR, SIZE, gaussian_heatmap, read_phantom_dump, to_model
from us_data import _affine, _apply

PHANTOM_FL_DIR = os.path.join(CACHE_DIR, "phantom-fluoroscopy")


def _smooth(rng, h, w, sigma):
    n = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigma)
    return n / (n.std() + 1e-6)


def _curve(rng, p0, heading, length, bend, step=2.0):
    """A smoothly bending polyline from p0, `length` pixels long."""
    pts = [np.array(p0, np.float64)]
    curv = 0.0
    n = max(2, int(length / step))
    for i in range(n):
        if i % 8 == 0:
            curv = curv * 0.5 + rng.uniform(-1, 1) * bend
        heading += curv
        pts.append(pts[-1] + step * np.array([math.cos(heading), math.sin(heading)]))
    return np.array(pts)


def _border_start(rng, w, h):
    """A point just outside a random border and a heading into the picture."""
    side = int(rng.integers(4))
    if side == 0:
        return (rng.uniform(0.1, 0.9) * w, h + 2), -math.pi / 2 + rng.uniform(-0.6, 0.6)
    if side == 1:
        return (rng.uniform(0.1, 0.9) * w, -2), math.pi / 2 + rng.uniform(-0.6, 0.6)
    if side == 2:
        return (-2, rng.uniform(0.1, 0.9) * h), rng.uniform(-0.6, 0.6)
    return (w + 2, rng.uniform(0.1, 0.9) * h), math.pi + rng.uniform(-0.6, 0.6)


def _draw(layer, pts, width, value):
    """Max-composites an anti-aliased polyline of `width` px into a float layer (value in 0..1)."""
    tmp = np.zeros(layer.shape, np.uint8)
    cv2.polylines(tmp, [np.round(pts * 16).astype(np.int32)], False, 255, max(1, int(round(width))), cv2.LINE_AA, 4)
    np.maximum(layer, tmp.astype(np.float32) / 255 * value, out=layer)


def procedural(rng, w, h):
    """One random fluoroscopy-like frame -> (uint8 image, wire mask uint8, tip (x,y) or None)."""
    # soft anatomy as a density map
    dens = 0.45 + 0.15 * _smooth(rng, h, w, min(w, h) * rng.uniform(0.08, 0.2))
    for _ in range(int(rng.integers(0, 6))):  # rib / bone-like bands
        p0, hd = _border_start(rng, w, h)
        pts = _curve(rng, p0, hd, rng.uniform(0.3, 1.2) * max(w, h), 0.01)
        band = np.zeros((h, w), np.float32)
        _draw(band, pts, rng.uniform(0.03, 0.08) * min(w, h), 1.0)
        dens += cv2.GaussianBlur(band, (0, 0), 3) * rng.uniform(0.08, 0.3)
    if rng.random() < 0.5:  # a column of rounded blocks (spine)
        x0 = rng.uniform(0.2, 0.8) * w
        bw, bh = rng.uniform(0.1, 0.2) * w, rng.uniform(0.07, 0.12) * h
        y = rng.uniform(-bh, 0)
        blocks = np.zeros((h, w), np.float32)
        while y < h:
            cv2.rectangle(blocks, (int(x0 - bw / 2), int(y)), (int(x0 + bw / 2), int(y + bh)), 1.0, -1)
            y += bh * rng.uniform(1.2, 1.4)
        dens += cv2.GaussianBlur(blocks, (0, 0), bw * 0.08) * rng.uniform(0.15, 0.35)
    gas = _smooth(rng, h, w, min(w, h) * 0.04)
    dens -= np.clip(gas - 1.0, 0, 1) * rng.uniform(0, 0.3)
    for _ in range(int(rng.integers(0, 4))):  # clips, staples, electrodes: small dense distractors
        c = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        if rng.random() < 0.5:
            cv2.circle(dens, c, int(rng.uniform(3, 10)), float(rng.uniform(0.5, 1.2)), -1, cv2.LINE_AA)
        else:
            a = rng.uniform(0, math.pi)
            d = np.array([math.cos(a), math.sin(a)]) * rng.uniform(4, 12)
            cv2.line(dens, tuple(int(v) for v in np.array(c) - d), tuple(int(v) for v in np.array(c) + d),
                     float(rng.uniform(0.5, 1.2)), int(rng.integers(2, 5)), cv2.LINE_AA)
    # contrast roadmap: a branching tree, sometimes absent
    vessels = np.zeros((h, w), np.float32)
    trunk = None
    if rng.random() < 0.7:
        p0, hd = _border_start(rng, w, h)
        trunk = _curve(rng, p0, hd, rng.uniform(0.5, 1.1) * max(w, h), 0.02)
        tw = rng.uniform(0.02, 0.045) * min(w, h)
        _draw(vessels, trunk, tw, 1.0)
        for _ in range(int(rng.integers(2, 8))):
            at = trunk[int(rng.uniform(0.2, 0.9) * len(trunk))]
            hd2 = rng.uniform(0, 2 * math.pi)
            br = _curve(rng, at, hd2, rng.uniform(0.15, 0.5) * max(w, h), 0.04)
            _draw(vessels, br, tw * rng.uniform(0.3, 0.7), 1.0)
        vessels = cv2.GaussianBlur(vessels, (0, 0), 1.0)
    transmission = np.exp(-rng.uniform(1.0, 2.0) * np.clip(dens, 0, 3)) * (1 - rng.uniform(0.2, 0.6) * vessels)
    # the wire: along the trunk (a guidewire in the vessel) or a free curve; absent in about a third
    wire = np.zeros((h, w), np.float32)
    mask = np.zeros((h, w), np.uint8)
    tip = None
    if rng.random() < 0.68:
        if trunk is not None and rng.random() < 0.5:
            n = int(len(trunk) * rng.uniform(0.2, 1.0))
            pts = trunk[:n] + rng.normal(0, 0.6, (n, 2)).cumsum(0) * 0.05
        else:
            p0, hd = _border_start(rng, w, h)
            pts = _curve(rng, p0, hd, rng.uniform(0.15, 1.0) * max(w, h), rng.uniform(0.005, 0.05))
        inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
        if inside.any():
            last = np.nonzero(inside)[0][-1]
            first = np.nonzero(inside)[0][0]
            pts = pts[: last + 1]
            if rng.random() < 0.2 and len(pts) > 10:  # J tip: a tight constant-curvature hook
                d = pts[-1] - pts[-6]
                hd = math.atan2(d[1], d[0])
                turn = rng.uniform(0.15, 0.35) * (1 if rng.random() < 0.5 else -1)
                hook = [pts[-1]]
                for _ in range(int(rng.integers(6, 14))):
                    hd += turn
                    hook.append(hook[-1] + 1.5 * np.array([math.cos(hd), math.sin(hd)]))
                pts = np.concatenate([pts, np.array(hook[1:])])
            ww = rng.uniform(1.2, 4.0) * min(w, h) / 400
            dens_w = rng.uniform(0.35, 0.85)
            _draw(wire, pts, ww, dens_w)
            tmpm = np.zeros((h, w), np.uint8)
            cv2.polylines(tmpm, [np.round(pts * 16).astype(np.int32)], False, 1, max(2, int(round(ww))), cv2.LINE_8, 4)
            mask = tmpm
            if rng.random() < 0.75:  # radio-opaque tip marker
                k = max(3, int(len(pts) * rng.uniform(0.02, 0.08)))
                _draw(wire, pts[-k:], ww * rng.uniform(1.3, 2.2), min(1.0, dens_w * 1.3))
                cv2.polylines(mask, [np.round(pts[-k:] * 16).astype(np.int32)], False, 1,
                              max(2, int(round(ww * 1.5))), cv2.LINE_8, 4)
            tip = (float(pts[-1][0]), float(pts[-1][1]))
            if not (0 <= tip[0] < w and 0 <= tip[1] < h):
                tip = None
    transmission *= 1 - wire
    # field of view: round (image intensifier), rectangular collimation, or full
    r = rng.random()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if r < 0.4:
        cx, cy, rad = w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2, rng.uniform(0.45, 0.6) * min(w, h)
        fov = np.clip(rad - np.hypot(xx - cx, yy - cy), 0, 2) / 2
    elif r < 0.7:
        x0, x1 = rng.uniform(0, 0.2) * w, rng.uniform(0.8, 1.0) * w
        y0, y1 = rng.uniform(0, 0.2) * h, rng.uniform(0.8, 1.0) * h
        fov = ((xx >= x0) & (xx < x1) & (yy >= y0) & (yy < y1)).astype(np.float32)
        fov = cv2.GaussianBlur(fov, (0, 0), 1.5)
    else:
        fov = np.ones((h, w), np.float32)
    vign = 1 - rng.uniform(0, 0.35) * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2) / 2
    img = rng.uniform(0.7, 1.0) * transmission * vign
    img = np.clip(img, 0, 1) ** rng.uniform(0.6, 1.4)
    # quantum mottle (signal-dependent), detector blur
    sig = rng.uniform(0.01, 0.06)
    img = img + np.sqrt(np.clip(img, 0, 1)) * sig * _smooth(rng, h, w, rng.uniform(0.4, 1.0))
    if rng.random() < 0.4:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.5))
    img = np.clip(img * fov + rng.uniform(0, 0.03) * (1 - fov), 0, 1)
    mask = mask * (fov > 0.5)
    if tip is not None and fov[int(tip[1]), int(tip[0])] < 0.5:
        tip = None
    if tip is None:
        mask[:] = 0
    return (img * 255 + 0.5).astype(np.uint8), mask.astype(np.uint8), tip


def load_phantom(dump_dir=PHANTOM_FL_DIR, max_side=640):
    out = []
    for fp, _, g, lab, meta, s in read_phantom_dump(dump_dir, max_side):
        tip = (meta["tipX"] * s, meta["tipY"] * s) if meta.get("instrumentVisible") else None
        out.append((fp, g, lab, tip))
    return out


def _intensity(rng, img):
    x = img.astype(np.float32) / 255
    x = np.clip(x * rng.uniform(0.75, 1.3) + rng.uniform(-0.08, 0.08), 0, 1) ** rng.uniform(0.7, 1.4)
    if rng.random() < 0.5:
        x = x + np.sqrt(x) * rng.uniform(0.005, 0.04) * rng.standard_normal(x.shape).astype(np.float32)
    if rng.random() < 0.3:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.5, 1.3))
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)


def _targets(mask, tip, W, H):
    t = np.zeros((2, SIZE, SIZE), np.float32)
    t[0] = cv2.resize(mask.astype(np.float32), (SIZE, SIZE), interpolation=cv2.INTER_AREA) > 0.3
    tip256 = None
    if tip is not None and t[0].any():
        tip256 = (to_model(tip[0], W), to_model(tip[1], H))
        t[1] = gaussian_heatmap(SIZE, SIZE, *tip256)
    return t, tip256


class FluoroSource:
    def __init__(self, phantom_share=0.4, phantom_dir=PHANTOM_FL_DIR):
        self.phantom_dir = phantom_dir
        self.phantom = load_phantom(phantom_dir) if os.path.isdir(phantom_dir) else []
        self.phantom_share = phantom_share if self.phantom else 0.0

    def files(self):
        out = []
        for fp, _, _, _ in self.phantom:
            d, b = os.path.split(fp)
            out += [fp, os.path.join(d, "labels-" + b[len("frame-"):]), fp[:-4] + ".json"]
        return out

    def sample(self, rng, with_tip=False):
        if rng.random() < self.phantom_share:
            _, g, lab, tip = self.phantom[int(rng.integers(len(self.phantom)))]
            h, w = g.shape
            A, W, H = _affine(rng, w, h)
            img = cv2.warpAffine(g, A, (W, H), flags=cv2.INTER_LINEAR, borderValue=0)
            m = cv2.warpAffine((lab == 3).astype(np.uint8), A, (W, H), flags=cv2.INTER_NEAREST, borderValue=0)
            tw = 1.0
            if tip is not None:
                tip = _apply(A, tip)
                if not (0 <= tip[0] < W and 0 <= tip[1] < H):
                    tip, tw = None, 0.0
        else:
            W = int(rng.uniform(256, 560))
            H = int(W / math.exp(rng.uniform(math.log(0.75), math.log(1.9))))
            img, m, tip = procedural(rng, W, H)
            tw = 1.0
        img = _intensity(rng, img)
        interp = cv2.INTER_AREA if rng.random() < 0.6 else cv2.INTER_LINEAR
        x = cv2.resize(img, (SIZE, SIZE), interpolation=interp)
        t, tip256 = _targets(m, tip, W, H)
        if tip256 is None and tw > 0 and t[0].any():
            tw = 0.0  # a wire whose tip is not known here: do not teach "no tip"
        r = (x, t, tw, tip256)
        return r if with_tip else r[:3]
