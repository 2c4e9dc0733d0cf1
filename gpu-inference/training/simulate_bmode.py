"""Needle frames from a small B-mode simulation, not from the training's renderer (2026-12-06; measurement only).

Every synthetic needle the network trained on was painted into a picture (`common.render_needle`,
`needle_data.py`). These frames come another way, the way a scanner makes a picture: random scatterers (their
echogenicity a gel phantom's, or a layered tissue's with bright fascia-like interfaces) and the needle's own echoes
(a specular top surface whose echo falls off with the insertion angle, the far wall, comet-tail reverberations, a
brighter bevel, a shadow under the shaft) are placed as reflectors on a radio-frequency grid, convolved with a
pulse-echo point spread function (7.5 MHz, two cycles, lateral width growing away from the focus), enveloped
(Hilbert transform along the depth), log-compressed to 50-60 dB and scaled to pixels; then letterboxed into a
720x440 capture with black margins, a label and depth dots, as the real frames the project is judged on. The
needle masks are the shaft from where it enters the picture to its tip, 6 px wide, ending square.

It is a simplification (no wave propagation, no beam steering, no aperture, straight rays), written here, so it is
not a real scanner either: it only asks whether the network's needle holds on pictures whose needles and speckle
were not made by its own renderer.

    /usr/bin/python3 simulate_bmode.py --out cache/sim-gel --scene gel
    /usr/bin/python3 simulate_bmode.py --out cache/sim-tissue --scene tissue
    /usr/bin/python3 simulate_bmode.py --out cache/sim-train-gel --scene gel --n 600 --angles 5 65 --seed 5000 --for-training

--hard-negative membrane|bone writes frames without a needle, each with a straight reflector that is not one (a thin
membrane or interface, a bone surface over its shadow; `hard_negative`), all-zero masks and reflectors.json (where each
lies): issue 13's hard negatives, `results/hard-negatives/`.

--for-training writes frames/ and labels.json in the labelled clip's form (tip; end: where the shaft enters the
picture) instead of images/ and masks/, for `build_cache.py --sim-dir`.
"""
import argparse
import json
import math
import os

import cv2
import numpy as np

MM_PER_PX = 0.1          # the picture: 38 mm wide, 40 mm deep at 0.1 mm a pixel
WIDTH_PX, DEPTH_PX = 380, 400
OVERSAMPLE = 4           # RF samples per pixel in depth
F0_MHZ = 7.5
C_MM_PER_US = 1.54


def psf_axial(dz_mm):
    """Pulse-echo pulse along the depth: two cycles of the round-trip wavelength under a Gaussian."""
    half_wave = C_MM_PER_US / F0_MHZ / 2.0          # round trip: the echo oscillates every lambda/2 in depth
    sigma = 0.9 * half_wave
    z = np.arange(-4 * sigma, 4 * sigma + dz_mm, dz_mm)
    return (np.exp(-z ** 2 / (2 * sigma ** 2)) * np.cos(2 * np.pi * z / half_wave)).astype(np.float32)


def envelope(rf):
    """|analytic signal| along axis 0 (the depth), by the FFT."""
    n = rf.shape[0]
    spec = np.fft.fft(rf, axis=0)
    h = np.zeros(n)
    h[0] = 1
    h[1:(n + 1) // 2] = 2
    if n % 2 == 0:
        h[n // 2] = 1
    return np.abs(np.fft.ifft(spec * h[:, None], axis=0)).astype(np.float32)


def lateral_blur(rf, dz_mm, focus_mm):
    """The beam's lateral width: 0.25 mm at the focus, wider away from it; applied in depth bands."""
    out = np.empty_like(rf)
    bands = 8
    edges = np.linspace(0, rf.shape[0], bands + 1).astype(int)
    for b in range(bands):
        z_mm = (edges[b] + edges[b + 1]) / 2 * dz_mm
        sigma_mm = 0.25 * math.sqrt(1 + ((z_mm - focus_mm) / 9.0) ** 2)
        sigma_px = sigma_mm / MM_PER_PX
        k = int(3 * sigma_px) * 2 + 1
        out[edges[b]:edges[b + 1]] = cv2.GaussianBlur(rf[edges[b]:edges[b + 1]], (k, 1), sigma_px,
                                                      borderType=cv2.BORDER_REFLECT)
    return out


def echogenicity(scene, rng, nz, nx, dz_mm):
    """Scatterer strength over the RF grid, and the specular interfaces (depth per column, amplitude) of the scene."""
    z = (np.arange(nz) * dz_mm)[:, None]
    x = (np.arange(nx) * MM_PER_PX)[None, :]
    interfaces = []
    if scene == "gel":
        e = np.full((nz, nx), rng.uniform(0.6, 1.4), np.float32)
        for _ in range(rng.integers(0, 3)):    # a few denser or clearer inclusions, as some phantoms have
            cz, cx, r = rng.uniform(12, 36), rng.uniform(4, 34), rng.uniform(2, 5)
            e[((z - cz) ** 2 + (x - cx) ** 2) < r * r] *= rng.choice([0.1, 2.5])
    else:
        e = np.full((nz, nx), 1.0, np.float32)
        depth = rng.uniform(1.5, 4)
        while depth < 38:
            # a layer of muscle or fat between two fascia-like interfaces
            thick = rng.uniform(4, 11)
            shape = depth + thick + rng.uniform(-1.5, 1.5) * np.sin(x[0] / rng.uniform(8, 25) + rng.uniform(0, 6))
            level = rng.choice([0.4, 0.8, 1.3])
            layer = (z >= depth) & (z < shape[None, :])
            e[layer] *= level
            interfaces.append((shape, rng.uniform(6, 20)))
            depth = float(shape.mean())
        striate = cv2.GaussianBlur(rng.standard_normal((nz, nx)).astype(np.float32), (31, 1), 8)
        e *= np.clip(1 + 0.6 * striate / max(float(striate.std()), 1e-6), 0.2, 2.5)   # muscle fibres along the width
        for _ in range(rng.integers(2, 6)):    # fat lobules: darker ellipses
            cz, cx = rng.uniform(3, 38), rng.uniform(0, 38)
            a, b = rng.uniform(1, 3), rng.uniform(2, 6)
            e[((z - cz) / a) ** 2 + ((x - cx) / b) ** 2 < 1] *= 0.3
    return e, interfaces


def needle_path(rng, angles=(10, 45), entry=None):
    """Entry, tip (mm) and angle: in plane, from the left or the right, entering through the top or the side
    (`entry`: "top", "side:Z" at Z mm deep, or None for either at random)."""
    angle = math.radians(rng.uniform(*angles))
    from_left = rng.random() < 0.5
    top = rng.random() < 0.6 if entry is None else entry == "top"
    if top:
        x_entry, z_entry = rng.uniform(0, 8), 0.0                   # through the skin line, near the probe's end
    else:
        depth = rng.uniform(1, 12) if entry is None else float(entry.split(":")[1])
        x_entry, z_entry = 0.0, depth                               # through the picture's side
    length = rng.uniform(12, 40)
    x_tip = x_entry + length * math.cos(angle)
    z_tip = z_entry + length * math.sin(angle)
    x_tip, z_tip = min(x_tip, 36.0), min(z_tip, 37.0)
    if not from_left:
        x_entry, x_tip = WIDTH_PX * MM_PER_PX - x_entry, WIDTH_PX * MM_PER_PX - x_tip
    return (x_entry, z_entry), (x_tip, z_tip), angle


def simulate(scene, with_needle, rng, angles=(10, 45), entry=None, needle_gain=1.0, negative=None):
    dz = MM_PER_PX / OVERSAMPLE
    nz, nx = DEPTH_PX * OVERSAMPLE, WIDTH_PX
    e, interfaces = echogenicity(scene, rng, nz, nx, dz)
    rf = rng.standard_normal((nz, nx)).astype(np.float32) * np.sqrt(e) * 0.05
    zs = np.arange(nz) * dz
    # the skin or gel surface under the probe
    rf[int(rng.uniform(0.2, 0.6) / dz), :] += rng.uniform(0.5, 1.5)
    for shape, amp in interfaces:
        rows = np.clip((shape / dz).astype(int), 0, nz - 1)
        patchy = np.interp(np.arange(nx), np.linspace(0, nx, 8), rng.uniform(0.15, 1.6, 8)).astype(np.float32)
        rf[rows, np.arange(nx)] += amp * 0.05 * patchy
        for col in range(nx):                                       # a weak shadow under a strong interface
            rf[rows[col] + 1:, col] *= 0.93
    mask_line = None
    if with_needle:
        (xe, ze), (xt, zt), angle = needle_path(rng, angles, entry)
        diameter = rng.uniform(0.45, 1.3)
        # the specular echo falls off with the angle; what the steel's roughness scatters back does not
        specular = 2.5 * math.exp(-(math.degrees(angle) / rng.uniform(18, 32)) ** 2) + 0.35
        specular *= rng.uniform(0.5, 1.2) * needle_gain
        tail = rng.uniform(0.3, 0.65)                                # reverberation decay
        shadow = rng.uniform(0.75, 0.97)
        c0, c1 = sorted((int(round(xe / MM_PER_PX)), int(round(xt / MM_PER_PX))))
        for col in range(max(c0, 0), min(c1, nx - 1) + 1):
            xm = col * MM_PER_PX
            f = (xm - xe) / (xt - xe) if abs(xt - xe) > 1e-6 else 1.0
            if not 0 <= f <= 1:
                continue
            ztop = ze + f * (zt - ze)
            r0 = int(ztop / dz)
            if r0 >= nz - 2:
                continue
            amp = specular * rng.uniform(0.7, 1.3) * (1.6 if f > 1 - 1.0 / max(math.hypot(xt - xe, zt - ze), 1) else 1.0)
            rf[r0:, col] *= shadow                                      # the steel shadows what is under it
            # A random sign per column: one spike per column with the same sign is a staircase whose steps add
            # in and out of phase under the beam as the angle changes (cancelling near 27 degrees, where a
            # step is half the pulse's period); the angle's fall-off is the specular term above.
            rf[r0, col] += amp * rng.choice([1, -1])
            wall = r0 + int(diameter / math.cos(angle) / dz)
            for k in range(1, 7):                                       # far wall, then the comet tail
                r = r0 + k * (wall - r0)
                if r >= nz:
                    break
                rf[r, col] += amp * (0.45 if k == 1 else 0.45 * tail ** (k - 1)) * rng.choice([1, -1])
        mask_line = ((xe, ze), (xt, zt))
    if negative is not None:
        mask_line = hard_negative(negative, rf, rng, dz)   # where the reflector lies (for reflectors.json, no mask)
    pulse = psf_axial(dz)
    rf = np.apply_along_axis(lambda c: np.convolve(c, pulse, mode="same"), 0, rf)
    rf = lateral_blur(rf, dz, rng.uniform(15, 25))
    env = envelope(rf)
    env *= np.exp(0.5 * 0.5 * F0_MHZ * zs / 10.0 * rng.uniform(-0.3, 0.3))[:, None].astype(np.float32)  # TGC not quite right
    env = cv2.resize(env, (WIDTH_PX, DEPTH_PX), interpolation=cv2.INTER_AREA)
    dyn = rng.uniform(50, 60)
    ref = np.percentile(env, 99.9) * rng.uniform(0.8, 1.6)
    db = 20 * np.log10(np.maximum(env, 1e-9) / ref)
    pic = np.clip((db + dyn) / dyn, 0, 1) * 255 * rng.uniform(0.85, 1.0)
    return pic.astype(np.uint8), mask_line


def hard_negative(kind, rf, rng, dz):
    """A bright straight reflector that is not a needle (issue 13's hard negatives), added to the RF grid in place:
    "membrane", a thin straight sheet (a gel or membrane interface, a straight fascia plane: two echoes 0.3-0.8 mm
    apart, a weak shadow), 5-45 degrees, ending inside the picture like a needle on half the frames and crossing it on
    the other half; "bone", a brighter straight surface at 0-30 degrees with a strong shadow under it. Both take the
    needle's specular fall-off with the angle and a random sign per column (see `simulate`)."""
    nz, nx = rf.shape
    width_mm = nx * MM_PER_PX
    if kind == "membrane":
        angle = math.radians(rng.uniform(5, 45))
        if rng.random() < 0.5:                      # ends inside, entering like a needle
            (xe, ze), (xt, zt), angle = needle_path(rng, (math.degrees(angle),) * 2)
        else:                                       # crosses the picture from side to side
            z0 = rng.uniform(2, 30)
            xe, ze = 0.0, z0
            xt, zt = width_mm, z0 + width_mm * math.tan(angle)
            if rng.random() < 0.5:
                xe, xt = xt, xe
        amp0 = (2.5 * math.exp(-(math.degrees(angle) / rng.uniform(18, 32)) ** 2) + 0.35) * rng.uniform(0.5, 1.2)
        gap_mm, second, shadow = rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.8), rng.uniform(0.85, 0.98)
    else:
        angle = math.radians(rng.uniform(0, 30)) * rng.choice([1, -1])
        length = rng.uniform(15, 38)
        xc, zc = rng.uniform(8, width_mm - 8), rng.uniform(10, 32)
        xe, ze = xc - length / 2 * math.cos(angle), zc - length / 2 * math.sin(angle)
        xt, zt = xc + length / 2 * math.cos(angle), zc + length / 2 * math.sin(angle)
        amp0 = (2.5 * math.exp(-(abs(math.degrees(angle)) / rng.uniform(18, 32)) ** 2) + 0.35) * rng.uniform(1.5, 3.0)
        gap_mm, second, shadow = 0.0, 0.0, rng.uniform(0.05, 0.25)
    c0, c1 = sorted((int(round(xe / MM_PER_PX)), int(round(xt / MM_PER_PX))))
    for col in range(max(c0, 0), min(c1, nx - 1) + 1):
        xm = col * MM_PER_PX
        f = (xm - xe) / (xt - xe) if abs(xt - xe) > 1e-6 else 1.0
        r0 = int((ze + f * (zt - ze)) / dz)
        if not 0 <= f <= 1 or not 0 <= r0 < nz - 2:
            continue
        amp = amp0 * rng.uniform(0.7, 1.3)
        rf[r0:, col] *= shadow
        rf[r0, col] += amp * rng.choice([1, -1])
        r1 = r0 + int(gap_mm / dz)
        if second > 0 and r1 < nz:
            rf[r1, col] += amp * second * rng.choice([1, -1])
    return (xe, ze), (xt, zt)


def shaft_mask(shape, line, scale, offset):
    """The needle from its entry to its tip, 6 px wide, square ends (as `make_needle_fixture.shaft_mask`)."""
    (xe, ze), (xt, zt) = line
    p0 = np.array([xe / MM_PER_PX * scale + offset[0], ze / MM_PER_PX * scale + offset[1]])
    p1 = np.array([xt / MM_PER_PX * scale + offset[0], zt / MM_PER_PX * scale + offset[1]])
    d = p1 - p0
    n = np.array([-d[1], d[0]]) / max(np.linalg.norm(d), 1e-6) * 3.0
    poly = np.array([p0 + n, p1 + n, p1 - n, p0 - n]).round().astype(np.int32)
    m = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(m, poly, 255)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--scene", choices=("gel", "tissue"), required=True)
    ap.add_argument("--n", type=int, default=40, help="frames with a needle; a quarter as many without")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--angles", type=float, nargs=2, default=(10, 45), metavar=("LO", "HI"),
                    help="insertion angles from the horizontal, degrees")
    ap.add_argument("--entry", default=None, help='"top" (through the skin line) or "side:Z" (Z mm deep); default '
                                                  "either")
    ap.add_argument("--prefix", default=None, help="file names' prefix (default: the scene)")
    ap.add_argument("--needle-gain", type=float, default=1.0,
                    help="the needle's echo times this (a brighter needle: an echogenic one, or more gain; default 1)")
    ap.add_argument("--hard-negative", choices=("membrane", "bone"), default=None,
                    help="no needle in any frame; each holds a straight reflector of this kind instead (issue 13's "
                         "hard negatives, see hard_negative)")
    ap.add_argument("--for-training", action="store_true",
                    help="frames/ and labels.json (the labelled clip's form) instead of images/ and masks/")
    a = ap.parse_args()
    for d in (("frames",) if a.for_training else ("images", "masks")):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    labels = []
    reflectors = []
    rng = np.random.default_rng(a.seed)
    total = a.n if a.hard_negative else a.n + a.n // 4
    for i in range(total):
        with_needle = i % 5 != 4 and a.hard_negative is None
        pic, line = simulate(a.scene, with_needle, rng, tuple(a.angles), a.entry, a.needle_gain, a.hard_negative)
        frame = np.zeros((440, 720), np.uint8)
        ph, pw = 400, WIDTH_PX
        x0, y0 = (720 - pw) // 2, 20
        frame[y0:y0 + ph, x0:x0 + pw] = pic
        cv2.putText(frame, "L12-5  4.0cm  G55", (8, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 220, 1)
        for y in range(y0, y0 + ph + 1, 50):
            cv2.circle(frame, (x0 + pw + 6, y), 2, 230, -1)
        name = "%s_%03d.png" % (a.prefix or a.scene, i)
        if a.hard_negative:
            (xe, ze), (xt, zt) = line
            reflectors.append({"image": name, "kind": a.hard_negative,
                               "ends": [[round(xe / MM_PER_PX + x0, 1), round(ze / MM_PER_PX + y0, 1)],
                                        [round(xt / MM_PER_PX + x0, 1), round(zt / MM_PER_PX + y0, 1)]]})
            line = None
        if a.for_training:
            cv2.imwrite(os.path.join(a.out, "frames", name), frame)
            entry = tip = None
            if line is not None:
                (xe, ze), (xt, zt) = line
                entry = [round(xe / MM_PER_PX + x0, 1), round(ze / MM_PER_PX + y0, 1)]
                tip = [round(xt / MM_PER_PX + x0, 1), round(zt / MM_PER_PX + y0, 1)]
            labels.append({"frame": i + 1, "file": name, "split": "tune", "needle": line is not None,
                           **({"tip": tip, "end": entry} if line is not None else {})})
            continue
        mask = np.zeros(frame.shape, np.uint8) if line is None else shaft_mask(frame.shape, line, 1.0, (x0, y0))
        cv2.imwrite(os.path.join(a.out, "images", name), frame)
        cv2.imwrite(os.path.join(a.out, "masks", name), mask)
    if reflectors:
        with open(os.path.join(a.out, "reflectors.json"), "w") as f:   # each frame's reflector, picture pixels
            json.dump(reflectors, f, indent=1)
    if a.for_training:
        with open(os.path.join(a.out, "labels.json"), "w") as f:
            json.dump({"shaftWidthPx": 6, "source": "simulate_bmode.py", "frames": labels}, f, indent=1)


if __name__ == "__main__":
    main()
