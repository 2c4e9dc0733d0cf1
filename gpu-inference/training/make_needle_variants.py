"""Writes the held-out real-needle fixture as other scanners would show it, for a robustness table (no tuning on it):

    /usr/bin/python3 make_needle_variants.py --out DIR [--fixture ../src/test/resources/real-needle]

Each variant transforms every frame and its needle mask the same way (masks with nearest-neighbour, so they stay
binary), for the needle frames (337-445) and the needle-free views:
    mirrored     left-right: the needle enters from the other side
    letterbox    fitted into 720x440 with black margins (the aspect kept) plus burned-in scanner graphics: depth dots
                 and scale ticks beside the picture, a probe/preset label and a depth label in the margins
    dim          lower gain and a steeper gamma: 0.7 * 255 * (grey / 255) ** 1.4
    half         downscaled to half size (540x430)
    screen       a scanner's whole screen as a capture card sends it (1280x720): the picture fitted between a title bar
                 (patient, date, preset, indices) and a toolbar of labelled keys, a depth scale right beside it
    side         a portable scanner's screen (1024x768): the picture on the left, a column of settings text beside it
    fullhd       a 1920x1080 capture card frame: the picture in the middle at about its own size, wide black margins
    bordered     1280x720, the picture inside a thin grey frame drawn 4 px around it, a settings line above
    zoom15       the picture's upper right two thirds (where the needle runs) enlarged 1.5x back to 1080x860: the
                 needle bigger in the picture, as at a shallower depth or with a scanner's zoom
    zoom20       the same, the upper right half enlarged 2x
Layout, per variant V:
    DIR/V/frames/images/<name>.png, DIR/V/frames/needle-masks/<name>.png   the needle frames, a video in name order
                                                                         (every 4th frame of the 60 fps clip: 15 fps)
    DIR/V/all/images/<name>.png,    DIR/V/all/needle-masks/<name>.png      the needle frames and the needle-free views
Then, e.g.:
    intravis evaluate --model ultrasound --images DIR/V/all/images --needle-masks DIR/V/all/needle-masks --report V.json
    intravis evaluate --model ultrasound --images DIR/V/frames/images --needle-masks DIR/V/frames/needle-masks \
        --sequence --fps 15 --report V-seq.json
"""
import argparse
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "src", "test", "resources", "real-needle")


def mirrored(img, mask):
    return img[:, ::-1].copy(), mask[:, ::-1].copy()


def letterbox(img, mask, out_w=720, out_h=440):
    h, w = img.shape
    s = min(out_w / w, out_h / h)
    nw, nh = int(round(w * s)), int(round(h * s))
    x0, y0 = (out_w - nw) // 2, (out_h - nh) // 2
    canvas = np.zeros((out_h, out_w), np.uint8)
    canvas[y0:y0 + nh, x0:x0 + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
    m = np.zeros((out_h, out_w), np.uint8)
    m[y0:y0 + nh, x0:x0 + nw] = cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_NEAREST)
    # scanner graphics: depth dots every centimetre-ish and ticks beside the picture, labels in the margins
    for k, y in enumerate(range(y0 + 20, y0 + nh - 5, 40)):
        cv2.circle(canvas, (x0 + nw + 12, y), 3 if k % 2 == 0 else 2, 230, -1)
        cv2.line(canvas, (x0 - 14, y), (x0 - 6, y), 200, 1)
    cv2.putText(canvas, "L15 HD 12MHz", (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 220, 1, cv2.LINE_AA)
    cv2.putText(canvas, "4.0cm", (x0 + nw + 4, out_h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 220, 1, cv2.LINE_AA)
    cv2.putText(canvas, "G 55  DR 60", (6, out_h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 200, 1, cv2.LINE_AA)
    return canvas, m


def dim(img, mask):
    g = 0.7 * 255.0 * (img.astype(np.float32) / 255.0) ** 1.4
    return np.clip(g + 0.5, 0, 255).astype(np.uint8), mask


def half(img, mask):
    h, w = img.shape
    return (cv2.resize(img, (w // 2, h // 2), interpolation=cv2.INTER_AREA),
            cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST))


def screen(img, mask, out_w=1280, out_h=720, bar=56, gap=8):
    h, w = img.shape
    s = (out_h - 2 * bar - 2 * gap) / h
    nw, nh = int(round(w * s)), int(round(h * s))
    x0, y0 = (out_w - nw) // 2, bar + gap
    canvas = np.zeros((out_h, out_w), np.uint8)
    canvas[y0:y0 + nh, x0:x0 + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
    m = np.zeros((out_h, out_w), np.uint8)
    m[y0:y0 + nh, x0:x0 + nw] = cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_NEAREST)
    cv2.putText(canvas, "ANON  ID 0000000   04/12/2026 18:52   L15 NERVE   MI 0.9  TIs 0.2   FR 30", (20, 36),
                cv2.FONT_HERSHEY_SIMPLEX, 0.75, 225, 2, cv2.LINE_AA)
    for k, label in enumerate(["FREEZE", "GAIN 55", "DEPTH 4.0", "FOCUS", "ZOOM", "COLOR", "SAVE", "MENU"]):
        x = 20 + k * 155
        cv2.rectangle(canvas, (x, out_h - 48), (x + 140, out_h - 10), 170, 2)
        cv2.putText(canvas, label, (x + 12, out_h - 21), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 215, 1, cv2.LINE_AA)
    for k, y in enumerate(range(y0 + 10, y0 + nh, 50)):
        cv2.line(canvas, (x0 + nw + 6, y), (x0 + nw + 18, y), 200, 2)
        cv2.putText(canvas, str(k), (x0 + nw + 24, y + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 200, 1, cv2.LINE_AA)
    return canvas, m


def place(img, mask, out_w, out_h, x0, y0, max_h, max_w):
    """The picture (aspect kept, at most max_w x max_h) at (x0, y0) of a black out_w x out_h frame; its width too."""
    h, w = img.shape
    s = min(max_h / h, max_w / w)
    nw, nh = int(round(w * s)), int(round(h * s))
    canvas = np.zeros((out_h, out_w), np.uint8)
    canvas[y0:y0 + nh, x0:x0 + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
    m = np.zeros((out_h, out_w), np.uint8)
    m[y0:y0 + nh, x0:x0 + nw] = cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_NEAREST)
    return canvas, m, nw


def side(img, mask):
    canvas, m, nw = place(img, mask, 1024, 768, 10, 40, 600, 760)
    for k, text in enumerate(["L38xi/13-6", "Nrv", "Gen", "MI 1.0", "TIS 0.1", "DR 50", "Gain 60%", "Depth 4.2",
                              "FPS 25"]):
        cv2.putText(canvas, text, (nw + 40, 80 + 40 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 230, 2, cv2.LINE_AA)
    cv2.putText(canvas, "Scanner  04 Dec 2026 19:20", (10, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 220, 1, cv2.LINE_AA)
    return canvas, m


def fullhd(img, mask):
    canvas, m, _ = place(img, mask, 1920, 1080, 560, 120, 840, 1350)
    cv2.putText(canvas, "12L-RS  NERVE", (40, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 220, 2, cv2.LINE_AA)
    cv2.putText(canvas, "4.0 cm", (1700, 1040), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 220, 2, cv2.LINE_AA)
    return canvas, m


def bordered(img, mask):
    canvas, m, nw = place(img, mask, 1280, 720, 260, 60, 600, 760)
    cv2.rectangle(canvas, (256, 56), (260 + nw + 3, 663), 160, 2)
    cv2.putText(canvas, "B  GAIN 52  DR 60  4.0cm", (20, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 220, 1, cv2.LINE_AA)
    return canvas, m


def zoomed(factor):
    """The picture's upper right 1/factor (where this needle enters and runs), enlarged back to the frame's size: the
    needle as a shallower depth or a scanner's zoom shows it, bigger and coarser in the picture."""
    def transform(img, mask):
        h, w = img.shape
        cw, ch = int(w / factor), int(h / factor)
        x0 = w - cw
        return (cv2.resize(img[:ch, x0:], (w, h), interpolation=cv2.INTER_LINEAR),
                cv2.resize(mask[:ch, x0:], (w, h), interpolation=cv2.INTER_NEAREST))
    return transform


VARIANTS = {"mirrored": mirrored, "letterbox": letterbox, "dim": dim, "half": half, "screen": screen, "side": side,
            "fullhd": fullhd, "bordered": bordered, "zoom15": zoomed(1.5), "zoom20": zoomed(2.0)}


def pairs(folder):
    for name in sorted(os.listdir(os.path.join(folder, "images"))):
        stem = os.path.splitext(name)[0]
        img = cv2.imread(os.path.join(folder, "images", name), cv2.IMREAD_GRAYSCALE)
        mask = cv2.imread(os.path.join(folder, "needle-masks", stem + ".png"), cv2.IMREAD_GRAYSCALE)
        if img is None or mask is None:
            raise SystemExit("cannot read %s or its mask" % name)
        yield stem, img, mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixture", default=FIXTURE)
    a = ap.parse_args()
    sources = [("frames", a.fixture), ("free", os.path.join(a.fixture, "needle-free"))]
    for v, transform in VARIANTS.items():
        written = 0
        for kind, folder in sources:
            for stem, img, mask in pairs(folder):
                ti, tm = transform(img, mask)
                targets = ["all"] + (["frames"] if kind == "frames" else [])
                for t in targets:
                    for sub, pic in (("images", ti), ("needle-masks", tm)):
                        d = os.path.join(a.out, v, t, sub)
                        os.makedirs(d, exist_ok=True)
                        cv2.imwrite(os.path.join(d, stem + ".png"), pic)
                written += 1
        print("%s: %d frames" % (v, written))


if __name__ == "__main__":
    main()
