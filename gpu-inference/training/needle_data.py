"""Training samples for the needle network (version 2 of the needle data): needles that look like real ones, on
backgrounds from several scanners, with the hard negatives that fooled the first model, and the scanner graphics
and geometry of real capture-card feeds.

What is drawn, and why (each is measured in the ultrasound model card):
  * needles: a thin specular line (0.4-1.3 mm needles at 2-8 cm depth, i.e. about 1-6 px on a 720x440 frame),
    most of them faint (real needles in tissue are a few grey levels above the speckle; bright ones occur in gel),
    brighter when nearer to horizontal (specular reflection), with a brightness that wanders along the shaft,
    faint or broken stretches, a brighter bevel at the tip or a fading one, comet-tail reverberations straight
    below the shaft, a weak shadow or none, entering from either side or a top corner at 8-70 degrees, sometimes
    visible only from inside the picture (the proximal part out of plane);
  * hard negatives, never labelled: tissue interfaces (bright bands of 3-15 px along gentle curves, with speckle
    and sometimes a bone's shadow below), straight bright reflectors that cross the whole picture (gel or membrane
    interfaces, a fascia plane; a needle always ends inside the picture), bright sector rims, and (SEGMENT_SHARE)
    straight bright reflectors that do end inside the picture, over a broad shadow (a bone surface, a fascia plane);
  * scanner graphics: depth dots and scale marks at the picture's edge, "3 cm" and other labels, focus markers,
    text in the black margins, black margins of several aspects; the content crop of the Java side (sidecar
    input.crop) applied as it is at run time;
  * domain randomisation: gain, TGC (depth gain that rises or falls), gamma, speckle size (blur then fresh
    multiplicative speckle), resolution (down and up again), lateral/axial blur, additive noise, aspect ratio.

Backgrounds: the real training frames of the nerve/vessel data (never the validation split), PLUS sequences
(linear and curvilinear probes, a bone surface, a prostate probe), phantom frames from PhantomDump (with their own
needles, so the demo keeps working), and, when given, the labelled real needle clip's tuning frames (real needles,
never its held-out part).
"""
import glob
import json
import math
import os
import re
import zlib

import cv2
import numpy as np

from common import (CACHE_DIR, CROP, DATA_DIR, REPO, SIZE, content_box, gaussian_heatmap, letterbox, load_real,
                    phantom_files, read_phantom_dump, read_split, to_model)
from common import render_needle as render_needle_v1
from us_data import _affine, _apply

SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))
PLUS_DIR = os.path.join(SHARED, "plus-sequences")
DICOM_DIR = os.path.join(SHARED, "dicom")
PHANTOM_US_DIR = os.path.join(CACHE_DIR, "phantom-ultrasound")
# share of drawn needles that come from the first renderer (common.render_needle); build_cache --v1-share sets it
V1_SHARE = 0.2
# the labelled real clip (make_needle_fixture.py): frames, labels.json with each frame's split
CLIP_DIR = os.path.join(CACHE_DIR, "needle-clip")
# share of drawn needles that are a real needle of the clip's tuning frames moved onto another background
# (paste_real_needle); build_cache --transplant-share sets it. 0: the needle network of 1.2.0-1.2.2
TRANSPLANT_SHARE = 0.0
# share of samples on a gel phantom's background (gel_background); build_cache --gel-share sets it
GEL_SHARE = 0.0
# share of samples with a straight bright reflector that ends inside the picture, a broad shadow beneath it
# (render_reflector_segment: a bone surface or fascia plane, the look of the real clip's fascia); build_cache
# --segment-share sets it. 0: every pool up to ultrasound 1.2.4 (and then no random number is drawn for it)
SEGMENT_SHARE = 0.0
# share of samples whose picture is speckled afresh after the needle is drawn (harmonise_speckle), so that a drawn
# needle's speckle and blur are the tissue's; build_cache --harmonise-share sets it. 0: every pool up to 1.2.4
HARMONISE_SHARE = 0.0
# share of drawn (version 2) needles whose echo has a peaked cross-section (a Gaussian of the echo's width at half
# maximum) instead of a flat top with crisp edges; build_cache --soft-share sets it. 0: every pool up to 1.2.4
SOFT_SHARE = 0.0
# share of drawn (version 2) and transplanted needles at a shallow angle, 3-15 degrees from the horizontal, from any
# side (the renderer's 8-70 has few under 12, and 1.2.4 missed most needles that flat: simulate_bmode.py, the clip
# turned flatter); build_cache --shallow-share sets it. 0: every pool up to 1.2.4 (no random number drawn for it)
SHALLOW_SHARE = 0.0
# share of samples that are frames of the B-mode simulation (simulate_bmode.py --for-training: needles made the way
# a scanner forms a picture, not painted), from these folders; build_cache --sim-share/--sim-dir set them. 0: every
# pool up to 1.2.4 (and then no frame is read and the mix's shares are as before)
SIM_SHARE = 0.0
SIM_DIRS = ()
# the smallest crop, as a share of the frame's height, for every sample (the clip's frames included): a crop of a
# third of the height shows the needle 3x bigger, as a shallow depth does; build_cache --needle-min-crop sets it.
# None: every pool up to 1.2.4 (0.45, the clip's frames 0.5: at most about 2x)
MIN_CROP = None


# ----------------------------------------------------------------------------------------------------------
# backgrounds

def read_plus(path):
    """A PLUS MetaImage sequence (.igs.mha, or .igs.mhd with its .raw) -> uint8 [N,H,W]."""
    raw = open(path, "rb").read()
    i = raw.index(b"ElementDataFile")
    j = raw.find(b"\n", i) + 1 or len(raw)
    kv = {}
    for line in raw[:j].decode("latin1").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            kv.setdefault(k.strip(), v.strip())
    w, h, n = [int(x) for x in kv["DimSize"].split()]
    data = raw[j:] if kv["ElementDataFile"] == "LOCAL" else open(
        os.path.join(os.path.dirname(path), kv["ElementDataFile"]), "rb").read()
    if kv.get("CompressedData", "False") == "True":
        data = zlib.decompress(data)
    return np.frombuffer(data, np.uint8)[:w * h * n].reshape(n, h, w)


def load_plus(plus_dir=PLUS_DIR):
    out = []
    for p in sorted(glob.glob(os.path.join(plus_dir, "*.igs.mh[ad]"))):
        for k, f in enumerate(read_plus(p)):
            out.append(("%s#%d" % (os.path.basename(p), k), np.ascontiguousarray(f)))
    return out


def load_dicom(dicom_dir=DICOM_DIR):
    try:
        import pydicom
    except ImportError:
        return []
    out = []
    for p in sorted(glob.glob(os.path.join(dicom_dir, "*.dcm"))):
        try:
            ds = pydicom.dcmread(p)
            a = ds.pixel_array
            if getattr(ds, "PhotometricInterpretation", "") == "PALETTE COLOR":
                from pydicom.pixel_data_handlers.util import apply_color_lut
                a = apply_color_lut(a, ds)
                if a.dtype == np.uint16:  # 16-bit palette entries: their high byte (a cast to uint8 kept the low, ~0)
                    a = (a >> 8).astype(np.uint8)
            elif getattr(ds, "PhotometricInterpretation", "").startswith("YBR"):
                from pydicom.pixel_data_handlers.util import convert_color_space
                a = convert_color_space(a, ds.PhotometricInterpretation, "RGB")
        except Exception:  # a sample the installed pydicom cannot decode: skipped, not fatal
            continue
        frames = a if a.ndim == 4 or (a.ndim == 3 and a.shape[-1] not in (3, 4)) else a[None]
        for k, f in enumerate(frames):
            if f.ndim == 3:
                f = cv2.cvtColor(f[..., :3].astype(np.uint8), cv2.COLOR_RGB2GRAY)
            out.append(("%s#%d" % (os.path.basename(p), k), np.ascontiguousarray(f.astype(np.uint8))))
    return out


def _frame_number(file):
    """The clip frame a labelled file is from: clarius_00017.png and clarius_00017_lower.png -> 17."""
    return int(re.search(r"_(\d+)(?:_lower)?\.\w+$", file).group(1))


def load_clip(clip_dir=CLIP_DIR, split="tune"):
    """Labelled real clip frames of one split -> list of (name, gray, needle or None); needle = dict(tip, end, width)
    in frame pixels (end: the far end of the visible shaft)."""
    path = os.path.join(clip_dir, "labels.json")
    if not os.path.isfile(path):
        return []
    lab = json.load(open(path))
    out = []
    for f in lab["frames"]:
        if f["split"] != split:
            continue
        g = cv2.imread(os.path.join(clip_dir, "frames", f["file"]), cv2.IMREAD_GRAYSCALE)
        nd = None
        if f["needle"]:
            nd = {"tip": tuple(f["tip"]), "end": tuple(f["end"]), "width": lab.get("shaftWidthPx", 4.0)}
        out.append((f["file"], g, nd))
    return out


# ----------------------------------------------------------------------------------------------------------
# drawing helpers

def _smooth1d(rng, n, corr):
    """Smooth noise of unit std along n samples, correlation length corr samples."""
    x = rng.standard_normal(n + 4 * int(corr) + 4)
    k = max(1, int(corr))
    x = np.convolve(x, np.ones(k) / k, "same")
    x = x[2 * k: 2 * k + n]
    return x / (x.std() + 1e-6)


def _smooth2d(rng, h, w, sigma):
    n = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigma)
    return n / (n.std() + 1e-6)


def _screen(img, layer):
    """Adds a bright echo the way brightness adds on a log-compressed display: never past white."""
    return 1.0 - (1.0 - img) * (1.0 - np.clip(layer, 0, 1))


def _segment_field(h, w, p0, p1):
    """Per pixel: t along p0->p1 (0..1 on the segment) and signed distance from the line (pixels)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.asarray(p1, np.float64) - p0
    L = float(np.hypot(*d)) + 1e-9
    d = d / L
    t = ((xs - p0[0]) * d[0] + (ys - p0[1]) * d[1]) / L
    s = (xs - p0[0]) * (-d[1]) + (ys - p0[1]) * d[0]
    return t, s, L


def _picture_rect(img, thr=0.05):
    m = img > thr
    rows = np.flatnonzero(m.mean(1) > 0.05)
    cols = np.flatnonzero(m.mean(0) > 0.05)
    h, w = img.shape
    if len(rows) < h * 0.2 or len(cols) < w * 0.2:
        return 0, 0, w, h
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


# ----------------------------------------------------------------------------------------------------------
# needle, version 2

def sample_needle(rng, rect, mm_per_px):
    """Geometry and look of an in-plane needle inside the picture rect (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    side = rng.choice(["left", "right", "topleft", "topright"], p=[0.34, 0.34, 0.16, 0.16])
    ang = math.radians(rng.uniform(8, 70) if side in ("left", "right") else rng.uniform(25, 70))
    if SHALLOW_SHARE > 0 and rng.random() < SHALLOW_SHARE:
        ang = math.radians(rng.uniform(3, 15))
    if side == "left":
        p0 = np.array([x0 - 1.0, y0 + rng.uniform(0.0, 0.55) * h])
        d = np.array([math.cos(ang), math.sin(ang)])
    elif side == "right":
        p0 = np.array([x1 + 0.0, y0 + rng.uniform(0.0, 0.55) * h])
        d = np.array([-math.cos(ang), math.sin(ang)])
    elif side == "topleft":
        p0 = np.array([x0 + rng.uniform(0.0, 0.3) * w, y0 - 1.0])
        d = np.array([math.cos(ang), math.sin(ang)])
    else:
        p0 = np.array([x1 - rng.uniform(0.0, 0.3) * w, y0 - 1.0])
        d = np.array([-math.cos(ang), math.sin(ang)])
    # how far until the tip would leave the picture (keep a margin so the tip is inside)
    m = 0.05 * min(w, h)
    ts = [(y1 - 1 - m - p0[1]) / d[1]]
    ts.append((x1 - 1 - m - p0[0]) / d[0] if d[0] > 0 else (x0 + m - p0[0]) / d[0])
    tmax = max(min(ts), 0.12 * min(w, h))
    length = rng.uniform(0.12, 1.0) * tmax
    tip = p0 + d * length
    # the visible shaft may start inside the picture (the proximal part out of the beam's plane)
    start = p0 + d * (rng.uniform(0.05, 0.5) * length) if rng.random() < 0.2 else p0
    diameter_mm = rng.uniform(0.4, 1.3)
    width = max(0.8, diameter_mm / mm_per_px * rng.uniform(0.8, 2.2))  # the echo is wider than the steel
    # specular: nearly horizontal needles return much more than steep ones
    steep = abs(math.degrees(math.atan2(abs(d[1]), abs(d[0]))))
    amp = math.exp(rng.uniform(math.log(0.06), math.log(0.75))) * (1.0 - 0.5 * (steep - 8) / 62) ** 1.5
    return dict(p0=p0, start=start, tip=tip, width=width, amp=amp, steep=steep,
                mod=rng.uniform(0.1, 0.6), corr=rng.uniform(0.05, 0.35),
                gaps=int(rng.choice([0, 0, 1, 1, 2, 3])), tipmode=rng.choice(["bevel", "plain", "fade"], p=[0.4, 0.35, 0.25]),
                reverb=int(rng.choice([0, 0, 0, 1, 2, 3, 4, 6, 8])), reverb_gap=rng.uniform(1.3, 3.5),
                reverb_decay=rng.uniform(0.3, 0.7), shadow=rng.uniform(0, 0.35) if rng.random() < 0.3 else 0.0,
                blur_lat=rng.uniform(0.4, 1.8), blur_ax=rng.uniform(0.3, 1.0), speckle=rng.uniform(0.1, 0.6))


def render_needle(img, rng, p, rect):
    """Draws needle p onto the float frame img (values 0..1, inside rect only). Returns the new frame."""
    h, w = img.shape
    x0, y0, x1, y1 = rect
    t, s, L = _segment_field(h, w, p["start"], p["tip"])
    half = p["width"] / 2
    if SOFT_SHARE > 0 and rng.random() < SOFT_SHARE:
        # a specular echo is brightest on its axis and falls off softly (as the real clip's needle does)
        core = np.exp(-4 * math.log(2) * (s / max(p["width"], 0.8)) ** 2) * ((t >= 0) & (t <= 1))
    else:
        core = np.clip(half + 0.5 - np.abs(s), 0, 1) * ((t >= 0) & (t <= 1))
    n = max(8, int(L))
    prof = 1 + p["mod"] * _smooth1d(rng, n, max(2, p["corr"] * n))
    prof = np.clip(prof, 0.15, 2.0)
    for _ in range(p["gaps"]):
        a = rng.uniform(0.05, 0.9)
        b = a + rng.uniform(0.04, 0.2)
        idx = np.arange(n) / n
        prof = np.where((idx > a) & (idx < b), prof * rng.uniform(0.0, 0.5), prof)
    if p["tipmode"] == "fade":
        prof = prof * np.clip((1 - np.arange(n) / n) / rng.uniform(0.1, 0.4), 0.3, 1.0)
    ti = np.clip((t * (n - 1)).astype(np.int32), 0, n - 1)
    spk = np.clip(1 + p["speckle"] * _smooth2d(rng, h, w, 0.8), 0.2, 2.0)
    layer = core * prof[ti] * spk * p["amp"]
    if p["tipmode"] == "bevel":
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        r = max(1.0, 0.9 * p["width"])
        layer += p["amp"] * rng.uniform(0.4, 1.2) * np.exp(
            -((xs - p["tip"][0]) ** 2 + (ys - p["tip"][1]) ** 2) / (2 * r * r))
    rev = np.zeros_like(layer)
    gap = max(1, int(round(p["reverb_gap"] * max(p["width"], 1.5))))
    for k in range(1, p["reverb"] + 1):
        sh = k * gap
        if sh >= h:
            break
        rev[sh:] += layer[:-sh] * (p["reverb_decay"] ** k)
    out = img
    if p["shadow"] > 0 and abs(p["tip"][0] - p["start"][0]) > 2:
        below = (s * np.sign(p["tip"][0] - p["start"][0]) > half + 1) & (t >= 0) & (t <= 1)
        sh = cv2.GaussianBlur(below.astype(np.float32), (0, 0), 2.0)
        out = out * (1 - p["shadow"] * sh)
    lay = cv2.GaussianBlur(layer + rev, (0, 0), sigmaX=p["blur_lat"], sigmaY=p["blur_ax"])
    win = np.zeros((h, w), np.float32)
    win[y0:y1, x0:x1] = 1
    return np.clip(_screen(out, lay * win), 0, 1).astype(np.float32)


def _needle_on_picture(rng, img, rect, mm_per_px, tries=6):
    """A needle whose tip and shaft lie on the picture itself, not on black (a sector's outside, a dark margin
    inside the rectangle), with a brightness that a reader could see against the speckle around it; the visible
    shaft starts where the picture does. None when no such needle was found."""
    picture = cv2.blur((img > 0.03).astype(np.float32), (15, 15)) > 0.5
    h, w = img.shape
    for _ in range(tries):
        p = sample_needle(rng, rect, mm_per_px)
        n = 64
        ts = np.linspace(0, 1, n)
        pts = p["start"][None] + ts[:, None] * (p["tip"] - p["start"])[None]
        xi = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
        yi = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
        on = picture[yi, xi]
        if not on[-1] or on.mean() < 0.8:
            continue
        first = int(np.argmax(on))
        p["start"] = pts[first]
        # against the local texture: at least about its standard deviation, often a few times it
        band = img[max(0, yi.min() - 6):yi.max() + 7, max(0, xi.min() - 6):xi.max() + 7]
        p["amp"] = max(p["amp"], float(band.std()) * rng.uniform(0.6, 2.0))
        return p
    return None


# ----------------------------------------------------------------------------------------------------------
# real needles moved onto other backgrounds, and gel phantoms

def _running_median_rows(a, k):
    """Median over k rows around each pixel (reflected at the ends): the tissue under a thin line along the rows."""
    r = k // 2
    pad = np.pad(a, ((r, r), (0, 0)), mode="reflect")
    return np.median(np.lib.stride_tricks.sliding_window_view(pad, k, axis=0), axis=-1)


def real_needle_layers(clip):
    """Each labelled needle of the clip's tuning frames taken off its tissue: a strip along the shaft (from the far
    end of the visible shaft to its tip, the shaft along the strip's middle row) holding what is
    brighter than the tissue around it (the echo that a display's log compression adds, as _screen adds it), limited
    to the shaft's band. The real needle's look that the renderer only imitates: its brightness along the shaft, its
    edges, its faint tip, its speckle. Returns a list of dict(layer float32 [V,U], length, mid, width, p90: the 90th
    percentile of the layer's echo, to set its brightness by)."""
    out = []
    for _, g, nd in clip:
        if nd is None:
            continue
        tip, end = np.array(nd["tip"], np.float64), np.array(nd["end"], np.float64)
        length = float(np.hypot(*(tip - end)))
        if length < 24:
            continue
        d = (tip - end) / length
        n = np.array([-d[1], d[0]])
        w = float(nd["width"])
        mid = int(math.ceil(2.5 * w)) + 6
        U, V = int(length) + 4, 2 * mid + 1
        # strip pixel (u, v) <- frame pixel end + u d + (v - mid) n
        M = np.array([[d[0], n[0], end[0] - mid * n[0]], [d[1], n[1], end[1] - mid * n[1]]])
        f = g.astype(np.float32) / 255.0
        strip = cv2.warpAffine(f, M, (U, V), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT)
        bg = _running_median_rows(strip, 2 * int(math.ceil(1.5 * w)) + 7)
        layer = np.clip(1.0 - (1.0 - strip) / np.maximum(1.0 - bg, 1e-3), 0, 1)
        v = np.abs(np.arange(V, dtype=np.float32) - mid)[:, None]
        band = np.clip(0.75 * w + 1.5 - v, 0, 1)
        u = np.arange(U, dtype=np.float32)[None]
        along = np.clip(length + 1.5 - u, 0, 1)
        layer = (layer * band * along).astype(np.float32)
        p90 = float(np.percentile(layer[layer > 0.01], 90)) if (layer > 0.01).sum() > 20 else 0.0
        if p90 > 0:
            out.append({"layer": layer, "length": length, "mid": mid, "width": w, "p90": p90})
    return out


def paste_real_needle(rng, img, rect, p, layers):
    """A real needle of the clip (real_needle_layers) drawn along needle p's shaft (sample_needle: start to tip) on
    the float frame img: stretched to its length, as wide as p's needle (its width follows the picture's depth),
    as bright against the tissue as p's (its 90th percentile at p's amplitude, which _needle_on_picture sets against
    the local texture), mirrored across its axis at random, sometimes with comet-tail reverberations below.
    Returns (frame, width in pixels) or None when p is too far from the real needle's length to stretch it without
    changing its look."""
    rec = layers[int(rng.integers(len(layers)))]
    start, tip = np.asarray(p["start"], np.float64), np.asarray(p["tip"], np.float64)
    L = float(np.hypot(*(tip - start)))
    su = L / rec["length"]
    if not 0.3 <= su <= 3.0 or L < 12:
        return None
    d = (tip - start) / L
    n = np.array([-d[1], d[0]])
    sv = max(0.15, p["width"] / rec["width"] * rng.uniform(0.8, 1.25)) * (1 if rng.random() < 0.5 else -1)
    # frame pixel x -> strip (u, v): u = (x - start).d / su, v = (x - start).n / sv + mid
    M = np.array([[d[0] / su, d[1] / su, -(start @ d) / su],
                  [n[0] / sv, n[1] / sv, -(start @ n) / sv + rec["mid"]]])
    h, w = img.shape
    lay = cv2.warpAffine(rec["layer"], M, (w, h), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR, borderValue=0)
    lay = lay * (p["amp"] * rng.uniform(0.7, 1.4) / rec["p90"])
    if rng.random() < 0.25:  # comet tail: copies straight below, each fainter
        gap = max(2, int(round(rng.uniform(1.3, 3.5) * max(rec["width"] * abs(sv), 1.5))))
        rev, decay = np.zeros_like(lay), rng.uniform(0.3, 0.7)
        for k in range(1, int(rng.integers(1, 6)) + 1):
            if k * gap >= h:
                break
            rev[k * gap:] += lay[:-k * gap] * decay ** k
        lay = lay + rev
    x0, y0, x1, y1 = rect
    win = np.zeros((h, w), np.float32)
    win[y0:y1, x0:x1] = 1
    return np.clip(_screen(img, lay * win), 0, 1).astype(np.float32), rec["width"] * abs(sv)


def gel_background(rng):
    """A gel (or agar) phantom as a linear probe shows it: fine, fairly uniform speckle on a dark grey that fades
    with depth, sometimes the probe's contact line at the top, scattered bright specks (air, particles) and round
    inclusions. Real needle recordings are often made in one, and it looks like nothing else in the data.
    Returns uint8 [H,W]."""
    h = int(rng.uniform(360, 860))
    w = int(h * rng.uniform(0.9, 1.6))
    s = rng.uniform(0.6, 1.8)
    re = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), s)
    im = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), s)
    sp = np.sqrt(re * re + im * im)
    x = rng.uniform(0.03, 0.22) * sp / sp.mean()
    x = x * np.exp(-rng.uniform(-0.3, 1.3) * np.linspace(0, 1, h, dtype=np.float32))[:, None]
    if rng.random() < 0.5:  # the contact line and its echoes near the top
        y = int(rng.uniform(0, 0.06) * h)
        for k in range(int(rng.integers(1, 4))):
            yy = y + k * int(rng.uniform(6, 20))
            x[yy:yy + int(rng.uniform(2, 8))] += rng.uniform(0.15, 0.6) * 0.6 ** k
    for _ in range(int(rng.integers(0, 4))):  # inclusions: a round target, darker or brighter
        c = (int(rng.uniform(0, w)), int(rng.uniform(0.2, 1) * h))
        r = int(rng.uniform(0.03, 0.12) * h)
        m = np.zeros((h, w), np.float32)
        cv2.circle(m, c, r, 1.0, -1, cv2.LINE_AA)
        x = x * (1 + (rng.uniform(-0.9, 1.5)) * cv2.GaussianBlur(m, (0, 0), 2))
    for _ in range(int(rng.integers(0, 25))):  # specks
        cv2.circle(x, (int(rng.uniform(0, w)), int(rng.uniform(0, h))), int(rng.integers(1, 3)),
                   float(rng.uniform(0.3, 0.9)), -1, cv2.LINE_AA)
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)


# ----------------------------------------------------------------------------------------------------------
# hard negatives

def render_interface(rng, img, rect, straight_across=False):
    """A bright tissue interface: a band along a gentle curve, or (straight_across) a straight reflector from one
    side of the picture to the other. Never a needle: curved, or without an end inside the picture."""
    h, w = img.shape
    x0, y0, x1, y1 = rect
    pw, ph = x1 - x0, y1 - y0
    ang = math.radians(rng.uniform(-35, 35) if not straight_across else rng.uniform(-18, 18))
    cy = y0 + rng.uniform(0.1, 0.9) * ph
    cx = x0 + rng.uniform(0.3, 0.7) * pw
    d = np.array([math.cos(ang), math.sin(ang)])
    span = 1.5 * math.hypot(pw, ph)
    a = np.array([cx, cy]) - d * span / 2
    b = np.array([cx, cy]) + d * span / 2
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    t = ((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / span
    s = (xs - a[0]) * (-d[1]) + (ys - a[1]) * d[0]
    if not straight_across:
        bend = rng.uniform(0.05, 0.2) * ph * rng.choice([-1, 1])
        s = s - bend * 4 * (t - 0.5) ** 2 + bend * 0.25 * _smooth1d(rng, 1, 1)[0]
        wob = _smooth1d(rng, 256, 30) * rng.uniform(0.5, 3.0)
        s = s - wob[np.clip((t * 255).astype(int), 0, 255)]
    # an interface is a band of tissue, wider and softer than a needle's specular line (scaled to the picture)
    size = max(ph, 200) / 500.0
    width = (rng.uniform(4, 15) if not straight_across else rng.uniform(5, 14)) * size
    band = np.exp(-(s / (width / 2)) ** 2 * 1.5)
    along = np.clip(1 + 0.5 * _smooth1d(rng, 256, rng.uniform(10, 60)), 0.2, 2)[np.clip((t * 255).astype(int), 0, 255)]
    amp = rng.uniform(0.2, 0.8)
    lay = band * along * amp * np.clip(1 + 0.5 * _smooth2d(rng, h, w, 1.0), 0.3, 2)
    # partial: an interface often fades out somewhere; a straight one still crosses the picture
    if not straight_across and rng.random() < 0.5:
        lo, hi = sorted(rng.uniform(0.1, 0.9, 2))
        lay = lay * np.clip(1 - ((t > lo) & (t < hi)) * rng.uniform(0.5, 1.0), 0, 1)
    out = img
    if rng.random() < 0.3:  # a bone: dark below
        below = cv2.GaussianBlur((s > width).astype(np.float32), (0, 0), 3)
        out = out * (1 - rng.uniform(0.4, 0.9) * below)
    win = np.zeros((h, w), np.float32)
    win[y0:y1, x0:x1] = 1
    return np.clip(_screen(out, lay * win), 0, 1).astype(np.float32)


def render_reflector_segment(rng, img, rect):
    """A straight bright reflector that ends inside the picture: a bone surface or a fascia plane, from a side of the
    picture or from inside it, nearly straight, wider than most needles' echoes, and on most of them a broad
    acoustic shadow beneath (a needle's shadow is narrow and weak). Never a needle: the negative that the clip's
    fascia is (issue 13), which the curved interfaces and the lines across the whole picture are not."""
    h, w = img.shape
    x0, y0, x1, y1 = rect
    pw, ph = x1 - x0, y1 - y0
    if pw < 32 or ph < 32:
        return img
    ang = math.radians(rng.uniform(-35, 35))
    if rng.random() < 0.5:  # from a side of the picture, inwards
        left = rng.random() < 0.5
        a = np.array([x0 - 1.0 if left else x1 + 0.0, y0 + rng.uniform(0.15, 0.85) * ph])
        d = np.array([math.cos(ang) * (1 if left else -1), math.sin(ang)])
    else:
        a = np.array([x0 + rng.uniform(0.1, 0.6) * pw, y0 + rng.uniform(0.15, 0.85) * ph])
        d = np.array([math.cos(ang) * rng.choice([-1, 1]), math.sin(ang)])
    # as long as asked, but ending inside the picture with a margin
    m = 0.05 * min(pw, ph)
    ts = [(x1 - 1 - m - a[0]) / d[0] if d[0] > 0 else (x0 + m - a[0]) / d[0]]
    if abs(d[1]) > 1e-6:
        ts.append((y1 - 1 - m - a[1]) / d[1] if d[1] > 0 else (y0 + m - a[1]) / d[1])
    length = min(rng.uniform(0.3, 0.85) * pw, min(ts))
    if length < 0.2 * pw:
        return img
    b = a + d * length
    t, s, L = _segment_field(h, w, a, b)
    size = max(ph, 200) / 500.0
    width = rng.uniform(8, 20) * size
    bend = rng.uniform(-0.02, 0.02) * ph
    s = s - bend * 4 * (t - 0.5) ** 2 - _smooth1d(rng, 256, 40)[np.clip((t * 255).astype(int), 0, 255)] * \
        rng.uniform(0.3, 1.0)
    inside = np.clip(t, 0, 1)
    # both ends fade over a stretch (one drawn from the picture's side so starts faint at that side, as measured)
    fade = rng.uniform(0.03, 0.15)
    ends = np.clip(inside / fade, 0, 1) * np.clip((1 - inside) / fade, 0, 1) * ((t >= -0.02) & (t <= 1.02))
    along = np.clip(1 + 0.4 * _smooth1d(rng, 256, rng.uniform(10, 60)), 0.3, 1.8)[
        np.clip((t * 255).astype(int), 0, 255)]
    band = np.exp(-(s / (width / 2)) ** 2 * 1.5)
    # a smooth, continuous band (tissue), not a speckled line
    lay = band * ends * along * rng.uniform(0.35, 0.95) * np.clip(1 + 0.1 * _smooth2d(rng, h, w, 3.0), 0.7, 1.3)
    out = img
    if rng.random() < 0.7:  # the broad shadow of a strong reflector, all the way down
        # straight down the beam from the reflector, as wide as the reflector reaches across the picture
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        line_y = a[1] + (xs - a[0]) * d[1] / d[0]
        xlo, xhi = sorted([a[0], b[0]])
        below = ((ys > line_y + width / 2 + 1) & (xs >= xlo) & (xs <= xhi)).astype(np.float32)
        below = cv2.GaussianBlur(below, (0, 0), rng.uniform(3, 8))
        out = out * (1 - rng.uniform(0.45, 0.9) * below)
    win = np.zeros((h, w), np.float32)
    win[y0:y1, x0:x1] = 1
    return np.clip(_screen(out, lay * win), 0, 1).astype(np.float32)


def harmonise_speckle(rng, img):
    """The picture blurred by one point spread and speckled afresh, needle and tissue alike: a drawn needle otherwise
    keeps a texture and an edge of its own (smooth, screened on top), which a network can learn in place of the
    needle; a real needle's echo is speckled and blurred like the tissue around it (issue 13: the clip's needle moved
    onto other tissue was not found again in its own scene)."""
    h, w = img.shape
    x = cv2.GaussianBlur(img, (0, 0), sigmaX=rng.uniform(0.8, 1.6), sigmaY=rng.uniform(0.6, 1.1))
    n = _smooth2d(rng, h, w, rng.uniform(0.8, 1.5))
    return np.clip(x * np.clip(1 + rng.uniform(0.15, 0.35) * n, 0.1, 3), 0, 1).astype(np.float32)


# ----------------------------------------------------------------------------------------------------------
# scanner graphics and picture geometry

def _graphics(rng, img, rect):
    """Depth dots and scale marks at the picture's edge, a depth label, a focus marker, text."""
    h, w = img.shape
    x0, y0, x1, y1 = rect
    ph = y1 - y0
    val = float(rng.uniform(0.6, 1.0))
    if rng.random() < 0.6:  # depth dots: a column at one side, every cm, bigger every 5
        side = rng.random() < 0.6
        x = x1 - int(rng.uniform(2, 14)) if side else x0 + int(rng.uniform(2, 14))
        n = int(rng.integers(4, 16))
        for k in range(n + 1):
            y = int(y0 + k * ph / n)
            r = int(rng.uniform(1, 3)) if k % 5 else int(rng.uniform(2, 5))
            cv2.circle(img, (x, min(y, h - 1)), r, val, -1, cv2.LINE_AA)
            if rng.random() < 0.3:
                cv2.circle(img, (x, int(y + ph / n / 2)), 1, val, -1)
    if rng.random() < 0.5:  # a depth label in a dark box, inside the picture
        txt = "%d cm" % int(rng.integers(2, 9)) if rng.random() < 0.7 else "%.1f" % rng.uniform(1, 9)
        sc = rng.uniform(0.35, 0.9) * max(h, 200) / 450
        (tw, th), _ = cv2.getTextSize(txt, cv2.FONT_HERSHEY_SIMPLEX, sc, 1)
        px = int(rng.uniform(x0, max(x0 + 1, x1 - tw - 4)))
        py = int(rng.choice([y1 - 4, y0 + th + 4]))
        if rng.random() < 0.6:
            cv2.rectangle(img, (px - 3, py - th - 4), (px + tw + 3, py + 4), float(rng.uniform(0, 0.1)), -1)
        cv2.putText(img, txt, (px, py), cv2.FONT_HERSHEY_SIMPLEX, sc, val, 1, cv2.LINE_AA)
    if rng.random() < 0.3:  # focus marker: a small triangle at the side
        y = int(y0 + rng.uniform(0.2, 0.8) * ph)
        x = x0 + 2 if rng.random() < 0.5 else x1 - 8
        pts = np.array([[x, y - 4], [x + 6, y], [x, y + 4]], np.int32)
        cv2.fillConvexPoly(img, pts, val)
    return img


def _margins(rng, img, rect):
    """The picture inside a bigger black frame with text in the margins; returns (frame, offset)."""
    big, (ox, oy) = letterbox(rng, img, [16 / 9, 4 / 3, 16 / 10, 720 / 440, 5 / 4], grow=1.3, fill=0.035, marks=7,
                              charset="ABCDEFGHKLMNPRSTUVZ0123456789.:% ", max_chars=10, text_min=0.4, keep_out=5)
    H, W = big.shape
    if rng.random() < 0.3:  # a grey-scale bar
        bx = int(rng.uniform(0, max(1, ox - 10))) if ox > 12 else W - 8
        grad = np.linspace(1, 0, min(H // 3, 120), dtype=np.float32)[:, None]
        y = int(rng.uniform(0, H - len(grad)))
        big[y:y + len(grad), bx:bx + 6] = grad
    return big, (ox, oy)


def _intensity(rng, x):
    h, w = x.shape
    if rng.random() < 0.3:  # other speckle size: blur away the old, multiply in new
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.8, 2.0))
        n = _smooth2d(rng, h, w, rng.uniform(0.5, 2.0))
        x = x * np.clip(1 + rng.uniform(0.2, 0.6) * n, 0.1, 3)
    if rng.random() < 0.7:  # TGC: depth gain that falls or rises, sometimes with a kink
        a = rng.uniform(-0.6, 1.1)
        g = np.exp(-a * np.linspace(0, 1, h, dtype=np.float32))
        if rng.random() < 0.3:
            g = g * (1 + 0.3 * _smooth1d(rng, h, h / 4)).astype(np.float32).clip(0.5, 1.5)
        x = x * g[:, None]
    x = x * rng.uniform(0.55, 1.5)
    x = np.clip(x, 0, 1) ** rng.uniform(0.6, 1.6)
    if rng.random() < 0.3:
        s = rng.uniform(0.4, 1.5)
        x = cv2.GaussianBlur(x, (0, 0), sigmaX=s * rng.uniform(1, 2.2), sigmaY=s)
    if rng.random() < 0.25:  # lower resolution, scaled back
        f = rng.uniform(0.35, 0.8)
        small = cv2.resize(x, (max(8, int(w * f)), max(8, int(h * f))), interpolation=cv2.INTER_AREA)
        x = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        x = x + rng.normal(0, rng.uniform(0.004, 0.035), x.shape).astype(np.float32)
    return np.clip(x, 0, 1).astype(np.float32)


def _crop_like_java(rng, u8):
    """The content crop of the Java side (sidecar input.crop, common.CROP): 512 grid, the picture's box, the box to
    256. Returns (256x256 uint8, map from frame pixels to the 256 grid)."""
    H, W = u8.shape
    g = CROP["grid"]
    mid = cv2.resize(u8, (g, g), interpolation=cv2.INTER_AREA)
    bx0, by0, bx1, by1 = content_box(mid, CROP["above"], CROP["columnShare"], CROP["graphicsAbove"])
    interp = cv2.INTER_AREA if rng.random() < 0.85 else cv2.INTER_LINEAR
    x = cv2.resize(mid[by0:by1, bx0:bx1], (SIZE, SIZE), interpolation=interp)

    def to256(px, py):
        gx = (px + 0.5) * g / W - 0.5
        gy = (py + 0.5) * g / H - 0.5
        return ((gx - bx0 + 0.5) * SIZE / (bx1 - bx0) - 0.5, (gy - by0 + 0.5) * SIZE / (by1 - by0) - 0.5)

    return x, to256


def _shaft_target(a, b, width256):
    """The needle mask at 256: a line from a to b (256 grid), at least 2 px wide so thin needles are learnable."""
    m = np.zeros((SIZE, SIZE), np.uint8)
    th = int(max(2, round(width256)))
    cv2.line(m, (int(round(a[0] * 8)), int(round(a[1] * 8))), (int(round(b[0] * 8)), int(round(b[1] * 8))), 1, th,
             cv2.LINE_8, shift=3)
    return m


# ----------------------------------------------------------------------------------------------------------
# one sample

def make_sample(rng, gray, needle=None, phantom=None, needle_p=0.55, negative_p=0.4, min_crop=0.45, real_layers=()):
    """One augmented sample -> (x uint8 [256,256], needle mask uint8 [256,256], tip weight, tip (x,y) at 256 or None).
    needle: a real needle's labels (dict tip, end, width) in gray's pixels; phantom: (labels, tip) of a phantom frame
    (label 3 = its needle); real_layers: real needles to draw instead of the renderer's (real_needle_layers), at
    TRANSPLANT_SHARE."""
    h, w = gray.shape
    A, W, H = _affine(rng, w, h, min_crop=min_crop)
    scale = math.hypot(A[0, 0], A[1, 0])
    img = cv2.warpAffine(gray, A, (W, H), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32) / 255.0
    rect = _picture_rect(img)
    # the picture's depth: 2-8 cm over its height
    mm_per_px = rng.uniform(20, 80) / max(rect[3] - rect[1], 32)
    seg = None   # (start, tip, width) in canvas pixels
    tip_w = 1.0
    ph_mask = None
    if needle is not None:
        seg = (np.array(_apply(A, needle["end"])), np.array(_apply(A, needle["tip"])), needle["width"] * scale)
        if not (0 <= seg[1][0] < W and 0 <= seg[1][1] < H):
            tip_w = 0.0  # the crop cut the tip off: the shaft is still a needle, the tip is not supervised
    elif phantom is not None:
        lab, ptip = phantom
        ph_mask = cv2.warpAffine((lab == 3).astype(np.uint8), A, (W, H), flags=cv2.INTER_NEAREST)
        if ptip is not None:
            seg = (None, np.array(_apply(A, ptip)), None)
            if not (0 <= seg[1][0] < W and 0 <= seg[1][1] < H):
                tip_w = 0.0
        if not ph_mask.any():
            ph_mask, seg = None, None
    # hard negatives first (under a needle, as in tissue)
    if rng.random() < negative_p:
        img = render_interface(rng, img, rect, straight_across=rng.random() < 0.4)
        if rng.random() < 0.25:
            img = render_interface(rng, img, rect, straight_across=rng.random() < 0.4)
    if SEGMENT_SHARE > 0 and rng.random() < SEGMENT_SHARE:
        img = render_reflector_segment(rng, img, rect)
    if seg is None and ph_mask is None and rng.random() < needle_p:
        if rng.random() < V1_SHARE:
            # the first renderer's needles (bright, wide, reverberating: what the synthetic validation set and a
            # shallow needle in gel look like), so that those are not forgotten
            img, m_old, tip_old, entry_old = render_needle_v1(img, rng, rect=rect)
            if m_old.any():
                seg = (np.array(entry_old), np.array(tip_old), max(2.0, float(m_old.sum()) / max(
                    1.0, math.hypot(tip_old[0] - entry_old[0], tip_old[1] - entry_old[1]))))
        else:
            p = _needle_on_picture(rng, img, rect, mm_per_px)
            pasted = None
            if p is not None and real_layers and rng.random() < TRANSPLANT_SHARE:
                pasted = paste_real_needle(rng, img, rect, p, real_layers)
            if pasted is not None:
                img = pasted[0]
                seg = (p["start"], p["tip"], pasted[1])
            elif p is not None:
                img = render_needle(img, rng, p, rect)
                seg = (p["start"], p["tip"], p["width"])
    if HARMONISE_SHARE > 0 and rng.random() < HARMONISE_SHARE:
        img = harmonise_speckle(rng, img)
    if rng.random() < 0.5:
        img = _graphics(rng, img, rect)
    off = (0, 0)
    if rng.random() < 0.35:
        img, off = _margins(rng, img, rect)
        H, W = img.shape
    img = _intensity(rng, img)
    u8 = (img * 255 + 0.5).astype(np.uint8)
    if rng.random() < 0.85:
        x, to256 = _crop_like_java(rng, u8)
    else:  # a model without the crop, or a frame whose box is everything
        x = cv2.resize(u8, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
        to256 = lambda px, py: (to_model(px, W), to_model(py, H))  # noqa: E731
    mask = np.zeros((SIZE, SIZE), np.uint8)
    tip256 = None
    if ph_mask is not None:
        if off != (0, 0):
            big = np.zeros((H, W), np.uint8)
            big[off[1]:off[1] + ph_mask.shape[0], off[0]:off[0] + ph_mask.shape[1]] = ph_mask
            ph_mask = big
        ys, xs = np.nonzero(ph_mask)
        gx, gy = to256(xs.astype(np.float64), ys.astype(np.float64))
        ok = (gx >= 0) & (gx < SIZE) & (gy >= 0) & (gy < SIZE)
        mask[np.round(gy[ok]).astype(int).clip(0, SIZE - 1), np.round(gx[ok]).astype(int).clip(0, SIZE - 1)] = 1
        mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
    if seg is not None:
        tip = to256(seg[1][0] + off[0], seg[1][1] + off[1])
        if seg[0] is not None:
            start = to256(seg[0][0] + off[0], seg[0][1] + off[1])
            sx = SIZE / max(1.0, W)
            mask = np.maximum(mask, _shaft_target(start, tip, seg[2] * sx))
        if tip_w > 0 and 0 <= tip[0] < SIZE and 0 <= tip[1] < SIZE and mask.any():
            tip256 = tip
        elif tip_w > 0:
            tip_w = 0.0
    return x, mask, tip_w, tip256


class NeedleSource:
    """Endless random samples from the backgrounds, mixed by share."""

    def __init__(self, clip_share=0.15, phantom_share=0.12, plus_share=0.15, clip_dir=CLIP_DIR, min_crop=0.45,
                 clip_views_only=False, clip_every=1):
        self.real = load_real(read_split("ultrasound-train.txt"))
        self.plus = load_plus() + load_dicom()
        self.phantom = []
        if os.path.isdir(PHANTOM_US_DIR):
            for _, stem, g, lab, meta, s in read_phantom_dump(PHANTOM_US_DIR, 640):
                tip = (meta["tipX"] * s, meta["tipY"] * s) if meta.get("instrumentVisible") else None
                self.phantom.append((stem, g, lab, tip))
        # one folder of labelled frames (the clip's, or a site's), or several (a site's recordings, each marked)
        clip_dirs = [clip_dir] if isinstance(clip_dir, str) else list(clip_dir)
        labelled, where = [], {}
        if clip_share > 0 or TRANSPLANT_SHARE > 0:
            for d in clip_dirs:
                frames = load_clip(d)
                labelled += frames
                where.update({f: d for f, _, _ in frames})
        if clip_every > 1:  # fewer labelled frames of the scene (issue 13's learning curve): every K-th and its view
            numbers = sorted({_frame_number(f) for f, _, _ in labelled})
            kept = set(numbers[::clip_every])
            labelled = [c for c in labelled if _frame_number(c[0]) in kept]
        self.clip = labelled if clip_share > 0 else []
        if clip_views_only:  # the clip's scene without its needle (leave-needle-out, issue 13)
            self.clip = [c for c in self.clip if c[2] is None]
        # the real needles taken off the tuning frames (never the held-out ones), to move onto other backgrounds
        self.real_layers = real_needle_layers(labelled) if TRANSPLANT_SHARE > 0 else []
        if TRANSPLANT_SHARE > 0:
            if not self.real_layers:
                raise SystemExit("a transplant share without the labelled clip under %s (make_needle_fixture.py)"
                                 % ", ".join(clip_dirs))
        self.sim, self.sim_files = [], []
        if SIM_SHARE > 0:
            for d in SIM_DIRS:
                frames = load_clip(d)
                if not frames:
                    raise SystemExit("--sim-dir %s: no labelled frames there (simulate_bmode.py --for-training)" % d)
                self.sim += frames
                self.sim_files += [os.path.join(d, "labels.json")] + [os.path.join(d, "frames", f) for f, _, _ in frames]
        self.shares = np.array([clip_share if self.clip else 0, phantom_share if self.phantom else 0,
                                plus_share if self.plus else 0, GEL_SHARE, SIM_SHARE if self.sim else 0], np.float64)
        self.min_crop = MIN_CROP or min_crop
        # what the pool was made from (its files list): each folder's labels and the frames kept
        self.clip_files = ([os.path.join(d, "labels.json") for d in clip_dirs]
                           + [os.path.join(where[f], "frames", f) for f, _, _ in self.clip]) if self.clip else []

    def files(self):
        out = []
        for n, _, _ in self.real:
            out += [os.path.join(DATA_DIR, "images", n)]
        out += sorted(glob.glob(os.path.join(PLUS_DIR, "*")))
        out += sorted(glob.glob(os.path.join(DICOM_DIR, "*.dcm")))
        if self.phantom:
            out += phantom_files(PHANTOM_US_DIR)
        out += self.clip_files + self.sim_files
        return out

    def sample(self, rng, with_tip=False):
        """(x uint8 [256,256], target float32 [2,256,256]: needle mask and tip heat map, tip weight[, tip])."""
        x, m, w, tip = self._draw(rng)
        t = np.zeros((2, SIZE, SIZE), np.float32)
        t[0] = m
        if tip is not None:
            t[1] = gaussian_heatmap(SIZE, SIZE, *tip)
        return (x, t, w, tip) if with_tip else (x, t, w)

    def _draw(self, rng):
        u = rng.random()
        c = np.cumsum(self.shares)
        if u < c[0]:
            _, g, nd = self.clip[int(rng.integers(len(self.clip)))]
            return make_sample(rng, g, needle=nd, needle_p=0.0 if nd else 0.3, min_crop=MIN_CROP or 0.5,
                               real_layers=self.real_layers)
        if u < c[1]:
            _, g, lab, tip = self.phantom[int(rng.integers(len(self.phantom)))]
            return make_sample(rng, g, phantom=(lab, tip), min_crop=self.min_crop, real_layers=self.real_layers)
        if u < c[2]:
            _, g = self.plus[int(rng.integers(len(self.plus)))]
            return make_sample(rng, g, min_crop=self.min_crop, real_layers=self.real_layers)
        if u < c[3]:
            return make_sample(rng, gel_background(rng), needle_p=0.7, min_crop=self.min_crop,
                               real_layers=self.real_layers)
        if u < c[4]:  # a simulated frame: its own needle, or none (then maybe a drawn one, as on the clip's views)
            _, g, nd = self.sim[int(rng.integers(len(self.sim)))]
            return make_sample(rng, g, needle=nd, needle_p=0.0 if nd else 0.3, min_crop=MIN_CROP or 0.5,
                               real_layers=self.real_layers)
        _, g, _ = self.real[int(rng.integers(len(self.real)))]
        return make_sample(rng, g, min_crop=self.min_crop, real_layers=self.real_layers)
