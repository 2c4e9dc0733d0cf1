"""Exports a trained checkpoint to ONNX with sigmoid in the graph, checks it, and writes the sidecar JSON.

    /usr/bin/python3 export.py --task ultrasound  [--checkpoint runs/ultrasound/model.pt] [--version 1.0.0]
                               [--mirror-average] [--crop-to-content]
    /usr/bin/python3 export.py --task fluoroscopy [--checkpoint runs/fluoroscopy/model.pt]
    (--models-dir DIR: write DIR/<task>/<task>.{onnx,json} instead of the bundled files)

Checks: onnx.checker; the exported FILE run by onnx_np (NumPy) against PyTorch on real/synthetic frames and a
batch of 3 (dynamic batch axis); max abs difference must stay below 1e-4. evaluate.py then adds the metrics
and thresholds to the sidecar.
"""
import argparse
import datetime
import hashlib
import json
import os
import warnings

import numpy as np
import onnx
import torch

from common import (model_file, CROP, DATA_DIR, FL_CHANNELS, HERE, MODELS_DIR, SIZE, US_CHANNELS, build_model, MirrorAveraged, WithSigmoid, count_macs,
                    files_sha256, load_gray, preprocess, read_split, write_json)
from onnx_np import OnnxNumpy

OPSET = 13
DESCRIPTION = {
    "ultrasound": "B-mode ultrasound: needle shaft, vessel and nerve masks and a needle-tip heat map",
    "fluoroscopy": "X-ray fluoroscopy: guidewire/catheter mask and a tip heat map",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["ultrasound", "fluoroscopy"], required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--crop-to-content", action="store_true",
                    help="the input is the frame's picture box (sidecar input.crop = common.CROP; ultrasound)")
    ap.add_argument("--mirror-average", action="store_true",
                    help="the graph runs the frame and its left-right mirror and averages them (common.MirrorAveraged)")
    ap.add_argument("--models-dir", default=None,
                    help="write DIR/<task>/<task>.{onnx,json} instead of the bundled model (a segmentation network to "
                         "compose with the needle network: export_needle.py --base)")
    a = ap.parse_args()
    ck_path = a.checkpoint or os.path.join(HERE, "runs", a.task, "model.pt")
    ck = torch.load(ck_path, map_location="cpu", weights_only=False)
    channels = ck["channels"]
    net = build_model(len(channels), ck.get("arch"))
    net.load_state_dict(ck["state_dict"])
    model = (MirrorAveraged(net) if a.mirror_average else WithSigmoid(net)).eval()
    def out_file(ext):
        return os.path.join(a.models_dir, a.task, a.task + "." + ext) if a.models_dir else model_file(a.task, ext)
    onnx_path = out_file("onnx")
    os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 1, SIZE, SIZE), onnx_path, input_names=["image"],
                          output_names=["probs"], opset_version=OPSET, do_constant_folding=True,
                          dynamic_axes={"image": {0: "N"}, "probs": {0: "N"}})
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)
    mean, std = ck["norm"]

    # the file itself against PyTorch
    if a.task == "ultrasound":
        grays = [load_gray(os.path.join(DATA_DIR, "images", n)) for n in read_split("ultrasound-val.txt")[:2]]
    else:
        from fluoro_data import procedural
        rng = np.random.default_rng(5)
        grays = [procedural(rng, 480, 320)[0] for _ in range(2)]
    xs = np.stack([preprocess(g, mean, std) for g in grays] + [np.random.default_rng(0).normal(0, 1, (1, SIZE, SIZE)).astype(np.float32)])
    got = OnnxNumpy(onnx_path).run(xs)
    with torch.no_grad():
        want = model(torch.from_numpy(xs)).numpy()
    diff = float(np.abs(got - want).max())
    if got.shape != (3, len(channels), SIZE, SIZE) or diff > 1e-4:
        raise SystemExit("exported graph disagrees with PyTorch: shape %s, max diff %g" % (got.shape, diff))

    params = sum(p.numel() for p in net.parameters())
    macs = count_macs(net) * (2 if a.mirror_average else 1)
    side_path = out_file("json")
    old = json.load(open(side_path)) if os.path.isfile(side_path) else {}
    with open(onnx_path, "rb") as f:
        file_sha = hashlib.sha256(f.read()).hexdigest()
    side = {
        "name": a.task,
        "version": a.version,
        "description": DESCRIPTION[a.task],
        "file": a.task + ".onnx",
        "fileSha256": file_sha,
        "input": {"name": "image", "shape": ["N", 1, SIZE, SIZE], "width": SIZE, "height": SIZE, "channels": 1,
                  "colour": "gray", "resize": "stretch", "interpolation": "area",
                  "scale": 1.0 / 255.0, "mean": mean, "std": std,
                  "formula": "x = (gray_resized * scale - mean) / std",
                  # ultrasound: outputs are cleared where the picture is not image (dark, connected to the border)
                  **({"backgroundBelow": 5} if a.task == "ultrasound" else {}),
                  # the picture's bounding box, not the whole frame, is stretched to the input (common.CROP)
                  **({"crop": CROP} if a.crop_to_content else {})},
        "outputs": [{"name": "probs", "shape": ["N", len(channels), SIZE, SIZE], "channels": channels,
                     "activation": "sigmoid",
                     **({"mirrorAveraged": "mean of the frame's and its left-right mirror's probabilities"}
                        if a.mirror_average else {})}],
        "tip": {"channel": "tip", "kind": "gaussian heat map, peak 1.0 at the tip, ~0 without an instrument",
                "sigmaPx": 3.0,
                "toFrame": "x_frame = (x_model + 0.5) * frameWidth / 256 - 0.5; y likewise with frameHeight"},
        "opset": OPSET,
        "parameters": int(params),
        "macsPerFrame": int(macs),
        "gflopsPerFrame": round(2 * macs / 1e9, 3),
        "trainingData": {"sha256": files_sha256(ck["train_files"]), "files": len(ck["train_files"]),
                         "hashOf": "sha256 over the sorted training file list: each file's name then its bytes"},
        "trainingCommand": ck["command"],
        "exportCommand": "/usr/bin/python3 export.py --task %s --checkpoint %s --version %s%s%s" % (
            a.task, os.path.relpath(ck_path, HERE), a.version, " --mirror-average" if a.mirror_average else "",
            " --crop-to-content" if a.crop_to_content else ""),
        "trainedEpochs": ck["epoch"],
        "date": datetime.date.today().isoformat(),
        "onnxCheck": {"checker": "passed", "maxAbsDiffVsPyTorch": diff, "batch": 3},
    }
    for k in ("validation", "thresholds"):
        if k in old:
            side[k] = old[k]
    write_json(side_path, side)
    print("wrote %s (%.2f MB, %d parameters, %.3f GFLOPs/frame), max |onnx - torch| = %.2g"
          % (onnx_path, os.path.getsize(onnx_path) / 1e6, params, 2 * macs / 1e9, diff))


if __name__ == "__main__":
    main()
