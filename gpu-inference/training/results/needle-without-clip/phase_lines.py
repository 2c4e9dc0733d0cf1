"""Does an intensity-invariant line picture make the faint real needle a candidate? (issue 13, pixels only)

Kovesi's phase symmetry (log-Gabor filters over scales and orientations; bright symmetric features scored by their
phase, not their contrast: `phase_symmetry`) at the line finder's scale (a shorter side of 430 px), then the site
tool's thin-line finder (`auto_marks.lines`, 5 lines) on it, against the plain frame through the same finder.
Scored on the labelled needle frames of one part of the clip as `new_lines.py` scores (the needle among the 5
lines; the strongest one's deeper end within 20 px of the labelled tip). The rule was written before any figure
(results README, "Cues from the scene without a mark").

    /usr/bin/python3 results/needle-without-clip/phase_lines.py tune A
"""
import json
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from maps_on_clip import FIXTURE, frame_path  # noqa: E402
from auto_marks import lines  # noqa: E402
from new_lines import score_lines, summary  # noqa: E402

# settings tried on the tuning part (at most three, the rule's): minimum wavelength px at the 430-px scale, scales, k
SETTINGS = {"A": (4.0, 4, 2.0), "B": (6.0, 4, 2.0), "C": (4.0, 5, 3.0)}


def phase_symmetry(img, min_wavelength=4.0, nscale=4, k=2.0, mult=2.0, sigma_onf=0.55, norient=6, theta_sigma=1.2):
    """Kovesi's phase symmetry for bright features (polarity +1), 0..1."""
    rows, cols = img.shape
    F = np.fft.fft2(img.astype(np.float64))
    fy = np.fft.fftfreq(rows)[:, None]
    fx = np.fft.fftfreq(cols)[None, :]
    radius = np.hypot(fx, fy)
    radius[0, 0] = 1.0
    theta = np.arctan2(-fy, fx)
    lowpass = 1.0 / (1.0 + (radius / 0.45) ** 30)
    gabors = []
    for s in range(nscale):
        fo = 1.0 / (min_wavelength * mult ** s)
        g = np.exp(-(np.log(radius / fo)) ** 2 / (2 * np.log(sigma_onf) ** 2)) * lowpass
        g[0, 0] = 0
        gabors.append(g)
    energy_all = np.zeros(img.shape)
    amp_all = np.zeros(img.shape)
    dtheta = np.pi / norient / theta_sigma
    for o in range(norient):
        angle = o * np.pi / norient
        ds = np.sin(theta) * np.cos(angle) - np.cos(theta) * np.sin(angle)
        dc = np.cos(theta) * np.cos(angle) + np.sin(theta) * np.sin(angle)
        spread = np.exp(-np.arctan2(ds, dc) ** 2 / (2 * dtheta ** 2))
        energy = np.zeros(img.shape)
        amp_sum = np.zeros(img.shape)
        tau = None
        for s, g in enumerate(gabors):
            # even-symmetric part from the filter on both sides of the spectrum, odd from one side (analytic signal)
            eo = np.fft.ifft2(F * g * spread)
            even, odd = eo.real, eo.imag
            amp = np.abs(eo)
            amp_sum += amp
            energy += even - np.abs(odd)
            if s == 0:
                tau = np.median(amp) / np.sqrt(np.log(4))
        # noise threshold (Kovesi): the expected noise energy over the scales, from the smallest scale's amplitude
        total_tau = tau * (1 - (1 / mult) ** nscale) / (1 - 1 / mult)
        en_mean = total_tau * np.sqrt(np.pi / 2)
        en_sigma = total_tau * np.sqrt((4 - np.pi) / 2)
        T = en_mean + k * en_sigma
        energy_all += np.maximum(energy - T, 0)
        amp_all += amp_sum
    return energy_all / (amp_all + 1e-4)


def ps_picture(gray, setting, short=430.0):
    h, w = gray.shape
    s = short / min(h, w)
    small = cv2.resize(gray, (int(round(w * s)), int(round(h * s))), interpolation=cv2.INTER_AREA)
    wl, ns, k = SETTINGS[setting]
    ps = phase_symmetry(small, wl, ns, k)
    return cv2.resize((255 * np.clip(ps, 0, 1)).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def main(part, setting):
    labels = [f for f in json.load(open(os.path.join(FIXTURE, "labels.json")))["frames"]
              if f["needle"] and f["split"] == part]
    rows = {"plain": [], "phase": []}
    for f in labels:
        g = cv2.imread(frame_path(f), cv2.IMREAD_GRAYSCALE)
        for key, img in (("plain", g.astype(np.float32)), ("phase", ps_picture(g, setting))):
            rows[key].append(score_lines(lines(img, keep=5), f))
    report = {"part": part, "setting": setting, "params": SETTINGS[setting], "frames": len(labels)}
    for key, r in rows.items():
        report[key] = summary(r)
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    part, setting = sys.argv[1], sys.argv[2]
    json.dump(main(part, setting), open(os.path.join(HERE, "phase-lines-%s-%s.json" % (part, setting)), "w"), indent=1)
