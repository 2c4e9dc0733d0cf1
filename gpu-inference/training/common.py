"""Shared pieces of the intravis training pipeline: paths, the model, preprocessing exactly as the Java side
does it, the synthetic needle renderer, targets, augmentation and metrics.

The I/O contract the Java inference code relies on:
  input  `image` float32 [N,1,256,256]: the whole frame to grey, stretched (no letterbox) to 256x256,
         x/255, then (x - mean) / std with the scalars of the model's sidecar JSON.
  output `probs` float32 [N,C,256,256], sigmoid applied in the graph.
"""
import glob
import hashlib
import json
import math
import os

try:
    import cv2
except ImportError:  # the GPU machine's Python has PyTorch and NumPy but no OpenCV: training from a pool needs none
    cv2 = None
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA_DIR = "/work/shared/data/ultrasound-nerve-vessel"
SPLIT_DIR = os.path.join(HERE, "splits")
CACHE_DIR = os.path.join(HERE, "cache")
RUNS_DIR = os.path.join(HERE, "runs")
MODELS_DIR = os.path.join(REPO, "gpu-inference", "src", "main", "resources", "models")


def model_file(task, ext):
    """Where the Java side looks for a bundled model: models/<name>/<name>.<ext> on the classpath."""
    return os.path.join(MODELS_DIR, task, task + "." + ext)

# the network's input grid; INTRAVIS_GRID overrides it for resolution experiments only (the shipped graph and the
# Java side are 256: a model trained at another grid is not exportable as is)
SIZE = int(os.environ.get("INTRAVIS_GRID", "256"))
TIP_SIGMA = 3.0
US_CHANNELS = ["needle", "vessel", "nerve", "tip"]
FL_CHANNELS = ["wire", "tip"]
# the needle network inside the ultrasound model from 1.2.0 (export_needle.py): its two channels replace the
# segmentation network's needle and tip channels
NEEDLE_CHANNELS = ["needle", "tip"]


# ----------------------------------------------------------------------------------------------------------
# data loading

def read_split(name):
    with open(os.path.join(SPLIT_DIR, name)) as f:
        return [l.strip() for l in f if l.strip()]


def load_gray(path):
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        raise IOError("cannot read " + path)
    if im.ndim == 3:
        im = cv2.cvtColor(im[..., :3], cv2.COLOR_BGR2GRAY)
    return im


def load_us_labels(path):
    """Mask PNG (palette: index 1 = (128,0,0) nerve, index 2 = (0,128,0) vessel) -> uint8 0 bg / 1 nerve / 2 vessel."""
    m = cv2.imread(path, cv2.IMREAD_COLOR)
    if m is None:
        raise IOError("cannot read " + path)
    lab = np.zeros(m.shape[:2], np.uint8)
    lab[(m[..., 2] > 64) & (m[..., 1] < 64)] = 1
    lab[(m[..., 1] > 64) & (m[..., 2] < 64)] = 2
    return lab


def load_real(names, data_dir=DATA_DIR):
    out = []
    for n in names:
        out.append((n, load_gray(os.path.join(data_dir, "images", n)), load_us_labels(os.path.join(data_dir, "masks", n))))
    return out


def phantom_files(dump_dir):
    """Every dumped frame under dump_dir (one sub-folder per PhantomDump run)."""
    return sorted(glob.glob(os.path.join(dump_dir, "**", "frame-*.png"), recursive=True))


def read_phantom_dump(dump_dir, max_side):
    """PhantomDump output under dump_dir (one sub-folder per run: frame-*.png, labels-*.png, frame-*.json) ->
    list of (path, stem, gray, labels, meta, s): frames shrunk by s <= 1 to at most max_side, labels with them
    (nearest); coordinates in meta are the dump's, to be multiplied by s."""
    out = []
    for fp in phantom_files(dump_dir):
        d = os.path.dirname(fp)
        stem = os.path.basename(fp)[len("frame-"):-4]
        g = cv2.imread(fp, cv2.IMREAD_GRAYSCALE)
        lab = cv2.imread(os.path.join(d, "labels-" + stem + ".png"), cv2.IMREAD_GRAYSCALE)
        with open(os.path.join(d, "frame-" + stem + ".json")) as f:
            meta = json.load(f)
        s = min(1.0, max_side / max(g.shape))
        if s < 1:
            g = cv2.resize(g, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            lab = cv2.resize(lab, (g.shape[1], g.shape[0]), interpolation=cv2.INTER_NEAREST)
        out.append((fp, stem, g, lab, meta, s))
    return out


def files_sha256(paths):
    """sha256 over the sorted file list and each file's bytes (the sidecar's training data hash)."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(os.path.basename(p).encode())
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------------------
# preprocessing, identical to the Java side

def preprocess(gray, mean, std, interp=None):
    """Grey uint8 frame of any size -> float32 [1,256,256] network input."""
    interp = cv2.INTER_AREA if interp is None else interp
    x = cv2.resize(gray, (SIZE, SIZE), interpolation=interp).astype(np.float32) / 255.0
    return ((x - mean) / std)[None]


# Content crop (sidecar input.crop, Java: Preprocessor and ContentBox): the frame is stretched to a grid x grid
# image, the box of its picture (pixels brighter than `above`: the B-mode picture inside black capture margins) is
# cut out and stretched to the model's input, and the outputs are put back into the full frame's 256 x 256 grid, so
# that everything after (thresholds, polygons, tips) is unchanged. Columns: with columnShare 0 every column holding
# such a pixel; from ultrasound 1.2.1 (columnShare 0.05) the longest run of columns holding at least that share of
# the fullest column's count, gaps up to grid // 160 bridged, so that sparse scanner graphics in the margins (labels,
# depth dots, ticks) stay out. Rows: every row with such a pixel inside those columns; from 1.2.2 (graphicsAbove 96)
# less a scanner's title bar or toolbar above or below the picture (peel_graphics_rows). A box narrower or lower
# than a quarter of the grid is not a picture: the whole frame is used.
CROP = {"to": "content", "above": 12, "grid": 512, "columnShare": 0.05, "graphicsAbove": 96}


def content_box(mid, above, column_share=0.0, graphics_above=None):
    """(x0, y0, x1, y1), exclusive ends, in the grid image `mid` (as Java's ContentBox.find). A box its picture
    pixels fill under a tenth of (a near-anechoic picture: only its needle over `above`) is looked for again over a
    quarter of the level, and the whole grid is used when that one is no better."""
    box, sparse = _content_box_at(mid, above, column_share, graphics_above)
    if sparse:
        box, _ = _content_box_at(mid, above // 4, column_share, graphics_above)  # the whole grid when no better
    return box


def _content_box_at(mid, above, column_share, graphics_above):
    """content_box at one level: (box, sparse), the whole grid when there is no picture or the box is sparse."""
    g = mid.shape[0]
    whole = (0, 0, g, g)
    m = mid > above
    counts = m.sum(0)
    fullest = int(counts.max())
    if fullest == 0:
        return whole, False
    # with no share asked, one run bridging every gap: first to last column holding a picture pixel
    need = max(1, int(np.ceil(column_share * fullest)))
    bridged = g if column_share <= 0 else max(1, g // 160)
    x0 = x1 = 0
    run = last = -1
    for x in np.flatnonzero(counts >= need):
        if run < 0 or x - last - 1 > bridged:
            run = x
        last = x
        if last + 1 - run > x1 - x0:
            x0, x1 = int(run), int(last) + 1
    rows = np.flatnonzero(m[:, x0:x1].any(1))
    if len(rows) == 0:
        return whole, False
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    if graphics_above is not None:
        y0, y1 = peel_graphics_rows(mid[:, x0:x1], m[:, x0:x1], y0, y1, graphics_above)
    if x1 - x0 < g // 4 or y1 - y0 < g // 4:
        return whole, False
    if 10 * int(m[y0:y1, x0:x1].sum()) < (x1 - x0) * (y1 - y0):
        return whole, True  # the box of a near-anechoic picture's bright parts is not the picture (Java's filled)
    return (x0, y0, x1, y1), False


def peel_graphics_rows(mid, m, y0, y1, graphics_above):
    """Rows y0..y1 of the box's columns without a scanner's title bar or toolbar (as Java's ContentBox): up to two runs
    of rows at the top and two at the bottom, each at most grid // 5 tall, apart from the rest by more than
    grid // 160 rows without a picture pixel, less than half covered by picture pixels, and whose picture pixels
    average brighter than `graphics_above`. Text and keys are drawn bright and thin; a picture's dim lower rows
    (speckle just above the black level, apart from the rest by black rows) average far darker."""
    g = mid.shape[0]
    counts = m.sum(1)
    sums = np.where(m, mid, 0).sum(1, dtype=np.int64)
    gap = max(1, g // 160)

    def edge_run(start, step, stop):
        # from `start` towards `stop` (exclusive): the first run's far end and the first row after its gap
        y = start
        end = start
        while y != stop and (counts[y] > 0 or abs(y - end) <= gap):
            if counts[y] > 0:
                end = y
            y += step
        return end, y

    def graphics(a, b):  # rows a..b-1
        n = counts[a:b].sum()
        return b - a <= g // 5 and 2 * n < (b - a) * m.shape[1] and sums[a:b].sum() > graphics_above * n

    for _ in range(2):  # a bar and a second block of graphics at most
        end, nxt = edge_run(y0, 1, y1)
        if nxt == y1 or not graphics(y0, end + 1):
            break
        y0 = int(nxt)
        while counts[y0] == 0:
            y0 += 1
    for _ in range(2):
        end, nxt = edge_run(y1 - 1, -1, y0 - 1)
        if nxt == y0 - 1 or not graphics(end, y1):
            break
        y1 = int(nxt) + 1
        while counts[y1 - 1] == 0:
            y1 -= 1
    return y0, y1


def preprocess_cropped(gray, mean, std, crop=CROP):
    """As preprocess, through the content crop; returns (input [1,256,256], box in grid pixels)."""
    g = crop["grid"]
    mid = cv2.resize(gray, (g, g), interpolation=cv2.INTER_AREA)
    x0, y0, x1, y1 = box = content_box(mid, crop["above"], crop.get("columnShare", 0.0), crop.get("graphicsAbove"))
    x = cv2.resize(mid[y0:y1, x0:x1], (SIZE, SIZE), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return ((x - mean) / std)[None], box


def _uncrop_axis(lo, hi, grid, n=SIZE):
    """Per output pixel along one axis: the two source indices, the weight of the second, and whether inside."""
    f = (np.arange(n) + 0.5) * grid / n                  # output pixel centre in grid pixels
    inside = (f >= lo) & (f < hi)
    c = (f - lo) * n / (hi - lo) - 0.5                   # in the crop's output pixels
    c = np.clip(c, 0, n - 1)
    i0 = np.floor(c).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    return i0, i1, (c - i0), inside


def uncrop(p, box, grid=CROP["grid"]):
    """Outputs [C,256,256] of the cropped input -> the full frame's 256 grid (bilinear; 0 outside the box)."""
    x0, y0, x1, y1 = box
    if box == (0, 0, grid, grid):
        return p
    xi0, xi1, fx, xin = _uncrop_axis(x0, x1, grid)
    yi0, yi1, fy, yin = _uncrop_axis(y0, y1, grid)
    top = p[:, yi0][:, :, xi0] * (1 - fx) + p[:, yi0][:, :, xi1] * fx
    bot = p[:, yi1][:, :, xi0] * (1 - fx) + p[:, yi1][:, :, xi1] * fx
    out = top * (1 - fy)[:, None] + bot * fy[:, None]
    return (out * (yin[:, None] & xin[None, :])).astype(np.float32)


# ----------------------------------------------------------------------------------------------------------
# model: a compact U-Net. Stride-2 stem, five scales (128..8 px at 256 input), one conv per decoder level,
# head at 128x128 and a bilinear x2 upsample so the output matches the input size. ~0.5 GMAC per frame.

def _cbr(i, o, s=1):
    return nn.Sequential(nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))


class CompactUNet(nn.Module):
    def __init__(self, n_out, c=(16, 32, 64, 96, 128), d=(64, 48, 32, 16)):
        super().__init__()
        self.e1 = nn.Sequential(_cbr(1, c[0], 2), _cbr(c[0], c[0]))
        self.e2 = nn.Sequential(_cbr(c[0], c[1], 2), _cbr(c[1], c[1]))
        self.e3 = nn.Sequential(_cbr(c[1], c[2], 2), _cbr(c[2], c[2]))
        self.e4 = nn.Sequential(_cbr(c[2], c[3], 2), _cbr(c[3], c[3]))
        self.e5 = nn.Sequential(_cbr(c[3], c[4], 2), _cbr(c[4], c[4]), _cbr(c[4], c[4]))
        self.d4 = _cbr(c[4] + c[3], d[0])
        self.d3 = _cbr(d[0] + c[2], d[1])
        self.d2 = _cbr(d[1] + c[1], d[2])
        self.d1 = _cbr(d[2] + c[0], d[3])
        self.head = nn.Conv2d(d[3], n_out, 1)

    @staticmethod
    def _up(a, b):
        return torch.cat([F.interpolate(a, scale_factor=2.0, mode="bilinear", align_corners=False), b], 1)

    def forward(self, x):
        """Logits [N,C,256,256]."""
        e1 = self.e1(x)
        e2 = self.e2(e1)
        e3 = self.e3(e2)
        e4 = self.e4(e3)
        e5 = self.e5(e4)
        y = self.d4(self._up(e5, e4))
        y = self.d3(self._up(y, e3))
        y = self.d2(self._up(y, e2))
        y = self.d1(self._up(y, e1))
        return F.interpolate(self.head(y), scale_factor=2.0, mode="bilinear", align_corners=False)


ARCH = {
    # ultrasound: four outputs and real anatomy to learn; fluoroscopy: a thin dark line and its end
    "ultrasound": {"c": (16, 32, 64, 96, 128), "d": (64, 48, 32, 16)},
    "fluoroscopy": {"c": (12, 24, 48, 64, 96), "d": (48, 32, 24, 12)},
    # not shipped: 1.5x the ultrasound widths (about 2.2x its FLOPs), for training on the GPU machine (train.py --arch)
    "ultrasound-wide": {"c": (24, 48, 96, 144, 192), "d": (96, 72, 48, 24)},
    # the needle network (ultrasound 1.2.0): a thin line and its end, on any B-mode picture; 0.36 GMACs
    "needle": {"c": (16, 32, 48, 64, 96), "d": (48, 32, 24, 16)},
}


def build_model(n_out, arch=None):
    arch = arch or ARCH["ultrasound"]
    return CompactUNet(n_out, tuple(arch["c"]), tuple(arch["d"]))


class WithSigmoid(nn.Module):
    """What is exported: probabilities, so that the Java side thresholds directly."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        return torch.sigmoid(self.net(image))


class MirrorAveraged(nn.Module):
    """What is exported with `export.py --mirror-average`: the mean of the probabilities for the frame and for its
    left-right mirror (flipped back). Training already flips, so both passes are in-distribution; averaging them
    cancels part of each pass's errors, for twice the compute per frame (measured in the model card)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        mirrored = torch.sigmoid(self.net(torch.flip(image, [3])))
        return (torch.sigmoid(self.net(image)) + torch.flip(mirrored, [3])) * 0.5


def count_macs(model, size=SIZE):
    """Multiply-accumulates of one frame (convolutions and the 1x1 head; interpolation is negligible)."""
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
            macs[0] += out.numel() // out.shape[0] * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model.eval()
        model(torch.zeros(1, 1, size, size))
    for h in hs:
        h.remove()
    return macs[0]


# ----------------------------------------------------------------------------------------------------------
# targets

def to_model(v, n):
    """A frame coordinate (pixel centres) on an axis of n pixels -> the 256-pixel model grid (as cv2.resize maps)."""
    return (v + 0.5) * SIZE / n - 0.5


def from_model(v, n):
    """Inverse of to_model: a model-grid coordinate back to a frame of n pixels on that axis."""
    return (v + 0.5) * n / SIZE - 0.5


def gaussian_heatmap(h, w, cx, cy, sigma=TIP_SIGMA):
    """Gaussian blob with its peak (exactly 1.0) at the pixel nearest (cx, cy)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ix, iy = int(round(cx)), int(round(cy))
    return np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * sigma * sigma)).astype(np.float32)


def tip_from_mask(mask):
    """The rule the evaluation (Python and Java) uses to get a needle's entry and tip from a binary shaft mask:
    principal axis of the mask pixels; the two extremes along it (mean of the pixels within 1.5 px of each
    extreme); the extreme nearer to an image border is the entry, the other one the tip. None for an empty mask."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 3:
        return None
    h, w = mask.shape
    pts = np.stack([xs, ys], 1).astype(np.float64)
    c = pts.mean(0)
    cov = np.cov((pts - c).T)
    evals, evecs = np.linalg.eigh(cov)
    v = evecs[:, np.argmax(evals)]
    s = (pts - c) @ v
    a = pts[s <= s.min() + 1.5].mean(0)
    b = pts[s >= s.max() - 1.5].mean(0)

    def border(p):
        return min(p[0], p[1], w - 1 - p[0], h - 1 - p[1])

    entry, tip = (a, b) if border(a) <= border(b) else (b, a)
    return (float(tip[0]), float(tip[1])), (float(entry[0]), float(entry[1]))


# ----------------------------------------------------------------------------------------------------------
# synthetic needle on a B-mode frame

def _smooth_noise(rng, h, w, sigma):
    n = rng.standard_normal((h, w)).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), sigma)
    return n / (n.std() + 1e-6)


def letterbox(rng, img, aspects, grow, fill, marks, charset, max_chars, text_min, keep_out=0):
    """The picture inside a bigger dark frame like a capture card's: an aspect from `aspects`, a height up to `grow`
    times the picture's, a background grey up to `fill`, and fewer than `marks` bright text marks (2 to `max_chars`-1
    characters of `charset`, grey `text_min` to 1) outside the picture and `keep_out` px beyond its left and bottom
    edges. Returns (frame, (x0, y0)), the picture's offset. The draws from rng come in one fixed order."""
    h, w = img.shape
    aspect = rng.choice(aspects)
    H = int(h * rng.uniform(1.0, grow))
    W = max(int(H * aspect), w + 4)
    x0 = int(rng.uniform(0, W - w))
    y0 = int(rng.uniform(0, H - h))
    big = np.full((H, W), rng.uniform(0, fill), np.float32)
    big[y0:y0 + h, x0:x0 + w] = img
    for _ in range(int(rng.integers(0, marks))):
        txt = "".join(rng.choice(list(charset), size=int(rng.integers(2, max_chars))))
        pos = (int(rng.uniform(0, W * 0.9)), int(rng.uniform(10, H)))
        if x0 - keep_out <= pos[0] <= x0 + w and y0 <= pos[1] <= y0 + h + keep_out:
            continue
        cv2.putText(big, txt, pos, cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.3, 0.8) * H / 400,
                    float(rng.uniform(text_min, 1.0)), 1, cv2.LINE_AA)
    return big, (x0, y0)


def content_rect(gray, thr=12):
    """Bounding box (x0, y0, x1, y1), exclusive ends, of the B-mode picture inside a frame with black margins."""
    m = gray > (thr if gray.dtype == np.uint8 else thr / 255.0)
    rows = np.nonzero(m.mean(1) > 0.05)[0]
    cols = np.nonzero(m.mean(0) > 0.05)[0]
    h, w = gray.shape
    if len(rows) < h * 0.2 or len(cols) < w * 0.2:
        return 0, 0, w, h
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def sample_needle(rng, w, h):
    """Random in-plane needle geometry and look, in the picture's own pixels (origin at its top left)."""
    side = rng.choice(["left", "right", "top"], p=[0.43, 0.43, 0.14])
    if side == "top":
        ang = math.radians(rng.uniform(35, 75))
        sgn = 1 if rng.random() < 0.5 else -1
        x0 = rng.uniform(0.05, 0.45) * w if sgn > 0 else rng.uniform(0.55, 0.95) * w
        p0 = np.array([x0, -2.0])
        d = np.array([sgn * math.cos(ang), math.sin(ang)])
    else:
        ang = math.radians(rng.uniform(12, 68))
        y0 = rng.uniform(0.0, 0.45) * h
        if side == "left":
            p0 = np.array([-2.0, y0])
            d = np.array([math.cos(ang), math.sin(ang)])
        else:
            p0 = np.array([w + 1.0, y0])
            d = np.array([-math.cos(ang), math.sin(ang)])
    # distance along d until the needle would leave the frame (with a margin for the tip)
    m = 0.04 * min(w, h)
    ts = []
    if d[0] > 1e-6:
        ts.append((w - 1 - m - p0[0]) / d[0])
    if d[0] < -1e-6:
        ts.append((m - p0[0]) / d[0])
    ts.append((h - 1 - m - p0[1]) / d[1])
    tmax = max(min(ts), 0.1 * min(w, h))
    length = rng.uniform(0.15, 1.0) * tmax
    scale = h / 512.0
    return dict(
        p0=p0, tip=p0 + d * length, width=rng.uniform(2.5, 8.0) * scale,
        amp=rng.uniform(0.35, 1.0), fade=rng.uniform(0.0, 0.7),
        dropouts=int(rng.integers(0, 3)), reverb=int(rng.integers(0, 7)),
        reverb_gap=rng.uniform(1.4, 3.0), reverb_amp=rng.uniform(0.15, 0.6),
        shadow=rng.uniform(0.0, 0.6), tip_boost=rng.uniform(0.0, 0.6),
        blur_lat=rng.uniform(0.6, 2.5) * scale, blur_ax=rng.uniform(0.3, 1.2) * scale,
        speckle=rng.uniform(0.1, 0.5),
    )


def shaft_mask(h, w, p0, tip, width):
    """Label of the shaft: a flat-ended band from p0 to tip (at least 2 px wide)."""
    d = tip - p0
    d = d / (np.linalg.norm(d) + 1e-9)
    n = np.array([-d[1], d[0]]) * max(width, 2.0) / 2
    poly = np.array([p0 + n, tip + n, tip - n, p0 - n])
    m = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(m, np.round(poly * 16).astype(np.int32), 1, lineType=cv2.LINE_8, shift=4)
    return m


def render_needle(img, rng, p=None, rect=None):
    """Draws a needle onto a float32 grey frame in [0,1] (returns the new frame), entering from a border of
    the picture `rect` (x0, y0, x1, y1; default: the content rectangle). Returns (frame, shaft mask uint8,
    tip (x,y), entry (x,y)). The needle and its artefacts stay inside the rectangle."""
    h, w = img.shape
    x0r, y0r, x1r, y1r = rect or content_rect(img)
    if p is None:
        p = sample_needle(rng, x1r - x0r, y1r - y0r)
        p["p0"] = p["p0"] + [x0r, y0r]
        p["tip"] = p["tip"] + [x0r, y0r]
    p0, tip = p["p0"], p["tip"]
    L = np.linalg.norm(tip - p0)
    d = (tip - p0) / L
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    t = ((xs - p0[0]) * d[0] + (ys - p0[1]) * d[1]) / L          # 0 at entry .. 1 at tip
    dist = np.abs((xs - p0[0]) * (-d[1]) + (ys - p0[1]) * d[0])  # distance from the shaft's axis
    core = np.clip(p["width"] / 2 + 0.5 - dist, 0, 1) * ((t >= 0) & (t <= 1))
    prof = p["amp"] * (1 - p["fade"] * np.clip(t, 0, 1))
    for _ in range(p["dropouts"]):
        a = rng.uniform(0.1, 0.9)
        b = a + rng.uniform(0.05, 0.25)
        prof = np.where((t > a) & (t < b), prof * rng.uniform(0.25, 0.7), prof)
    spk = 1 + p["speckle"] * _smooth_noise(rng, h, w, 1.2)
    layer = core * prof * np.clip(spk, 0.2, 2.0)
    # bright tip (bevel)
    if p["tip_boost"] > 0:
        layer += p["tip_boost"] * p["amp"] * np.exp(-((xs - tip[0]) ** 2 + (ys - tip[1]) ** 2) / (2 * (0.8 * p["width"]) ** 2))
    # reverberation: fading copies straight below the shaft (along the beam), at a fixed spacing
    rev = np.zeros_like(layer)
    gap = max(2, int(round(p["reverb_gap"] * p["width"])))
    for k in range(1, p["reverb"] + 1):
        s = k * gap
        if s >= h:
            break
        rev[s:] += layer[:-s] * (p["reverb_amp"] * (0.6 ** (k - 1)))
    # acoustic shadow under the shaft
    below = ys - (p0[1] + (xs - p0[0]) * d[1] / d[0]) if abs(d[0]) > 1e-3 else None
    win = np.zeros((h, w), np.float32)
    win[y0r:y1r, x0r:x1r] = 1
    out = img
    if p["shadow"] > 0 and below is not None:
        xlo, xhi = sorted([p0[0], tip[0]])
        sh = ((below > p["width"]) & (xs >= xlo) & (xs <= xhi)).astype(np.float32)
        sh = cv2.GaussianBlur(sh, (0, 0), 2.0 + p["width"] * 0.3)
        out = out * (1 - p["shadow"] * sh * win)
    lay = cv2.GaussianBlur(layer + rev, (0, 0), sigmaX=p["blur_lat"], sigmaY=p["blur_ax"]) * win
    out = np.clip(out + lay * (1.05 - out * 0.3), 0, 1).astype(np.float32)
    m = shaft_mask(h, w, p0, tip, p["width"]) * win.astype(np.uint8)
    entry = np.clip(p0, [x0r, y0r], [x1r - 1, y1r - 1])
    return out, m, (float(tip[0]), float(tip[1])), (float(entry[0]), float(entry[1]))


# ----------------------------------------------------------------------------------------------------------
# metrics

def dice(pred, gt):
    """Dice of two boolean masks; None when the class is in neither (such frames are left out of the mean)."""
    ps, gs = pred.sum(), gt.sum()
    if ps == 0 and gs == 0:
        return None
    return 2.0 * np.logical_and(pred, gt).sum() / (ps + gs)


def peak(hm):
    """(value, x, y) of a heat map's maximum, x/y with a 3x3 centroid refinement."""
    iy, ix = np.unravel_index(np.argmax(hm), hm.shape)
    v = float(hm[iy, ix])
    y0, y1, x0, x1 = max(iy - 1, 0), min(iy + 2, hm.shape[0]), max(ix - 1, 0), min(ix + 2, hm.shape[1])
    win = hm[y0:y1, x0:x1]
    yy, xx = np.mgrid[y0:y1, x0:x1]
    s = win.sum()
    return v, float((xx * win).sum() / s), float((yy * win).sum() / s)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
