"""Renders a fixed pool of augmented training samples once, so that training spends the CPU on the network.

    /usr/bin/python3 build_cache.py --task ultrasound  --n 7000 --seed 11
    /usr/bin/python3 build_cache.py --task fluoroscopy --n 5000 --seed 12

Writes cache/<task>-pool.npz: x uint8 [N,256,256], masks packed bits [N,C-1,256,32], tip float32 [N,2]
(-1 where there is no tip), tipw float32 [N] (0 where the tip is not supervised), plus the list of source files
(for the sidecar's training data hash), and per sample the real image it came from (source, an index into names;
-1 for phantom or drawn samples). Train-time augmentation on top of the pool: flips, gain/gamma, noise.
"""
import argparse
import json
import os
import time
from multiprocessing import Pool

import numpy as np

from common import CACHE_DIR, SIZE, read_split


def _source(task, phantom_share=None, min_crop=0.5, exclude=None, needle_mix=None, images="train", clip_share=None,
            clip_views_only=False, clip_every=1, clip_dir=None):
    if task == "needle":
        import needle_data
        from needle_data import NeedleSource
        # the needle data's module-wide mix (V1_SHARE, TRANSPLANT_SHARE, GEL_SHARE, SEGMENT_SHARE,
        # HARMONISE_SHARE, SOFT_SHARE, SHALLOW_SHARE), set in each worker
        for k, v in (needle_mix or {}).items():
            if v is not None:
                setattr(needle_data, k, v)
        return NeedleSource(phantom_share=0.12 if phantom_share is None else phantom_share,
                            clip_share=0.15 if clip_share is None else clip_share, clip_views_only=clip_views_only,
                            clip_every=clip_every, clip_dir=clip_dir or needle_data.CLIP_DIR)
    if task == "ultrasound":
        from us_data import UltrasoundSource
        return UltrasoundSource(0.3 if phantom_share is None else phantom_share, min_crop=min_crop,
                                exclude=read_split(exclude) if exclude else (), images=images)
    from fluoro_data import FluoroSource
    return FluoroSource(0.4 if phantom_share is None else phantom_share)


def _chunk(args):
    (task, seed, start, n, share, min_crop, exclude, needle_mix, images, clip_share, clip_views_only, clip_every,
     clip_dir) = args
    src = _source(task, share, min_crop, exclude, needle_mix, images, clip_share, clip_views_only, clip_every, clip_dir)
    rng = np.random.default_rng([seed, start])
    xs, ms, tips, ws, sources = [], [], [], [], []
    for _ in range(n):
        x, t, w, tip = src.sample(rng, with_tip=True)
        xs.append(x)
        ms.append(np.packbits(t[:-1] > 0.5, axis=-1))
        tips.append(tip if tip is not None else (-1.0, -1.0))
        ws.append(w)
        sources.append(getattr(src, "last_source", -1))
    return (np.stack(xs), np.stack(ms), np.array(tips, np.float32), np.array(ws, np.float32),
            np.array(sources, np.int16))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["ultrasound", "fluoroscopy", "needle"], required=True)
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--phantom-share", type=float, default=None, help="default 0.3 ultrasound, 0.4 fluoroscopy")
    ap.add_argument("--min-crop", type=float, default=0.5, help="smallest crop height, fraction of the frame")
    ap.add_argument("--name", default=None, help="pool name (default <task>-pool)")
    ap.add_argument("--v1-share", type=float, default=None,
                    help="needle: share of drawn needles from the first renderer (default needle_data.V1_SHARE)")
    ap.add_argument("--transplant-share", type=float, default=None,
                    help="needle: share of drawn needles that are the real clip's needles moved onto another "
                         "background (default needle_data.TRANSPLANT_SHARE, 0)")
    ap.add_argument("--gel-share", type=float, default=None,
                    help="needle: share of samples on a drawn gel phantom (default needle_data.GEL_SHARE, 0)")
    ap.add_argument("--segment-share", type=float, default=None,
                    help="needle: share of samples with a straight bright reflector ending inside the picture over a "
                         "broad shadow (default needle_data.SEGMENT_SHARE, 0)")
    ap.add_argument("--harmonise-share", type=float, default=None,
                    help="needle: share of samples speckled afresh after the needle is drawn (default "
                         "needle_data.HARMONISE_SHARE, 0)")
    ap.add_argument("--soft-share", type=float, default=None,
                    help="needle: share of drawn needles with a peaked cross-section instead of a flat top "
                         "(default needle_data.SOFT_SHARE, 0)")
    ap.add_argument("--shallow-share", type=float, default=None,
                    help="needle: share of drawn and transplanted needles at 3-15 degrees from the horizontal "
                         "(default needle_data.SHALLOW_SHARE, 0)")
    ap.add_argument("--clip-share", type=float, default=None,
                    help="needle: share of samples that are the labelled clip's tuning frames (default NeedleSource's, "
                         "0.15; 0 with --transplant-share 0: a pool that never shows the clip's needle)")
    ap.add_argument("--clip-views-only", action="store_true",
                    help="needle: of the clip, only its needle-free views (its tissue and fascia without its needle: "
                         "what a site could record without labelling anything)")
    ap.add_argument("--clip-every", type=int, default=1,
                    help="needle: only every K-th labelled tuning frame of the clip (and its needle-free view), for "
                         "its needle, its scene and the needles moved from it: how much labelling a scene needs")
    ap.add_argument("--clip-dir", action="append", default=None,
                    help="needle: another recording's labelled frames in the clip's place (site_labels.py or the "
                         "replay view's needle marks write them): adapting the needle network to a site (training "
                         "README); repeat it for several recordings")
    ap.add_argument("--sim-share", type=float, default=None,
                    help="needle: share of samples that are B-mode simulation frames from --sim-dir (default 0)")
    ap.add_argument("--sim-dir", action="append", default=None,
                    help="needle: a folder of simulate_bmode.py --for-training frames; repeat it for several")
    ap.add_argument("--needle-min-crop", type=float, default=None,
                    help="needle: smallest crop for every sample, a share of the frame's height (default: 0.45, the "
                         "clip's frames 0.5)")
    ap.add_argument("--exclude-split", default=None,
                    help="ultrasound: leave out the training images listed in splits/NAME (an internal dev split)")
    ap.add_argument("--images", choices=["train", "all"], default="train",
                    help="ultrasound: real images from the training split, or all 204 labelled ones (a pool for "
                         "cross-validation: train.py --exclude-split leaves a fold out by each sample's source)")
    a = ap.parse_args()
    if (a.sim_share or 0) > 0 and not a.sim_dir:
        raise SystemExit("--sim-share needs --sim-dir (simulate_bmode.py --for-training writes one)")
    for d in a.clip_dir or []:
        if not os.path.isfile(os.path.join(d, "labels.json")):
            raise SystemExit("--clip-dir %s: no labels.json there (site_labels.py or the replay view's needle marks "
                             "write it)" % d)
    t0 = time.time()
    step = 250
    mix = {"V1_SHARE": a.v1_share, "TRANSPLANT_SHARE": a.transplant_share, "GEL_SHARE": a.gel_share,
           "SEGMENT_SHARE": a.segment_share, "HARMONISE_SHARE": a.harmonise_share,
           "SOFT_SHARE": a.soft_share, "SHALLOW_SHARE": a.shallow_share, "SIM_SHARE": a.sim_share,
           "SIM_DIRS": tuple(a.sim_dir) if a.sim_dir else None, "MIN_CROP": a.needle_min_crop}
    jobs = [(a.task, a.seed, s, min(step, a.n - s), a.phantom_share, a.min_crop, a.exclude_split, mix,
             a.images, a.clip_share, a.clip_views_only, a.clip_every, a.clip_dir) for s in range(0, a.n, step)]
    with Pool(a.procs) as p:
        parts = p.map(_chunk, jobs)
    x = np.concatenate([q[0] for q in parts])
    m = np.concatenate([q[1] for q in parts])
    tip = np.concatenate([q[2] for q in parts])
    w = np.concatenate([q[3] for q in parts])
    source = np.concatenate([q[4] for q in parts])
    src = _source(a.task, a.phantom_share, a.min_crop, a.exclude_split, mix, a.images, a.clip_share,
                  a.clip_views_only, a.clip_every, a.clip_dir)
    files = np.array(src.files())
    names = np.array(src.names() if hasattr(src, "names") else [], dtype=str)
    os.makedirs(CACHE_DIR, exist_ok=True)
    out = os.path.join(CACHE_DIR, (a.name or a.task + "-pool") + ".npz")
    # source: per sample, the index into names of the real image it came from (-1: phantom or drawn)
    np.savez(out, x=x, masks=m, tip=tip, tipw=w, files=files, source=source, names=names,
             args=np.array(json.dumps(vars(a))))  # args: to rebuild it
    print("wrote", out, x.shape, "needle/wire share %.2f" % float((tip[:, 0] >= 0).mean()),
          "%.1f min" % ((time.time() - t0) / 60))


if __name__ == "__main__":
    main()
