"""The ultrasound model from 1.2.0: the segmentation graph of an earlier version (its vessel and nerve channels,
unchanged to the bit) and a separate needle network (train.py --task needle) in one ONNX file, so that the Java
side keeps one model, one input tensor and one output `probs` [N,4,256,256] with the channels needle, vessel,
nerve, tip. Why two networks: the needle had to learn real needles and their hard negatives from new data, and
retraining the anatomy network with it would have moved the vessel/nerve figures that the 41 held-out real frames
measure; the needle network is also small (0.36 GMACs) next to the mirrored segmentation pass (1.03).

    git show e299db1:gpu-inference/src/main/resources/models/ultrasound/ultrasound.onnx > cache/ultrasound-1.1.0.onnx
    git show e299db1:gpu-inference/src/main/resources/models/ultrasound/ultrasound.json > cache/ultrasound-1.1.0.json
    /usr/bin/python3 export_needle.py --needle runs/needle/model.pt --base cache/ultrasound-1.1.0.onnx --version 1.2.0

Checks: onnx.checker (full); the composed FILE run by onnx_np against the base file (vessel and nerve: identical)
and against PyTorch (needle and tip: max abs difference below 1e-4), on real frames and a batch of 3. The sidecar
keeps the base's input contract (crop, background) and its thresholds; evaluate the needle (intravis evaluate) and
set the needle thresholds afterwards (model card).

A new segmentation network under the same needle network (1.3.0: the vessel/nerve network trained on all 204 images):

    /usr/bin/python3 export_needle.py --needle-onnx cache/ultrasound-1.2.2.onnx --base cache/seg-1.3.0/ultrasound/ultrasound.onnx \
        --segmentation-thresholds runs/cv-dpi-all/thresholds.json --cross-validation runs/cv-dpi-summary.json --version 1.3.0

takes the needle network out of an earlier composed file (its graph and weights unchanged: needle and tip identical to
that file's, checked) and keeps that file's sidecar (input contract, needle thresholds, real-needle figures); the
vessel/nerve thresholds are the new network's (evaluate.py --fold all) and its figures the cross-validated ones of its
schedule (cross_validate.sh evaluate), since it trained on every labelled image.
"""
import copy
import argparse
import datetime
import hashlib
import json
import os
import tempfile
import warnings

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from common import (DATA_DIR, HERE, SIZE, MirrorAveraged, WithSigmoid, build_model, count_macs, files_sha256, load_gray, model_file,
                    preprocess, read_split, write_json)
from onnx_np import OnnxNumpy

OPSET = 13
PREFIX = "needle/"


def export_needle_net(ck, mirror=False):
    net = build_model(len(ck["channels"]), ck["arch"])
    net.load_state_dict(ck["state_dict"])
    model = (MirrorAveraged(net) if mirror else WithSigmoid(net)).eval()
    path = tempfile.mktemp(suffix=".onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 1, SIZE, SIZE), path, input_names=["image"], output_names=["probs"],
                          opset_version=OPSET, do_constant_folding=True,
                          dynamic_axes={"image": {0: "N"}, "probs": {0: "N"}})
    return net, model, onnx.load(path)


def compose(base, needle):
    """One graph: base's `probs` renamed seg/probs, the needle graph's names prefixed, then
    probs = concat(needle[:, 0:1], seg[:, 1:3], needle[:, 1:2])."""
    g = base.graph
    for n in g.node:
        n.output[:] = ["seg/probs" if o == "probs" else o for o in n.output]
    rename = lambda s: s if s in ("", "image") else PREFIX + s  # noqa: E731
    ng = needle.graph
    for t in ng.initializer:
        t.name = rename(t.name)
        g.initializer.append(t)
    for n in ng.node:
        n.name = rename(n.name) if n.name else n.name
        n.input[:] = [rename(i) for i in n.input]
        n.output[:] = [rename(o) for o in n.output]
        g.node.append(n)

    def const(name, values):
        g.initializer.append(numpy_helper.from_array(np.array(values, np.int64), name))

    const("sel/axis1", [1])
    for name, lo, hi in (("sel/0", 0, 1), ("sel/1", 1, 2), ("sel/12", 1, 3)):
        const(name + "/starts", [lo])
        const(name + "/ends", [hi])
    g.node.append(helper.make_node("Slice", [PREFIX + "probs", "sel/0/starts", "sel/0/ends", "sel/axis1"],
                                   ["needle/mask"], name="sel/needle"))
    g.node.append(helper.make_node("Slice", ["seg/probs", "sel/12/starts", "sel/12/ends", "sel/axis1"],
                                   ["seg/anatomy"], name="sel/anatomy"))
    g.node.append(helper.make_node("Slice", [PREFIX + "probs", "sel/1/starts", "sel/1/ends", "sel/axis1"],
                                   ["needle/tip"], name="sel/tip"))
    g.node.append(helper.make_node("Concat", ["needle/mask", "seg/anatomy", "needle/tip"], ["probs"], axis=1,
                                   name="probs"))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 4, SIZE, SIZE]))
    del g.value_info[:]
    return base


def save_composed(base_path, needle, models_dir):
    """The base file's graph (its segmentation graph when it is itself a composed file) with the needle graph
    composed in, checked and written (the bundled file, or MODELS_DIR/ultrasound/ultrasound.onnx); returns the path
    written."""
    base = onnx.load(base_path)
    if has_needle_network(base):
        base = segmentation_graph_of(base)
    m = compose(base, needle)
    m.opset_import[0].version = OPSET
    onnx.checker.check_model(m, full_check=True)
    out_dir = os.path.join(models_dir, "ultrasound") if models_dir else os.path.dirname(model_file("ultrasound", "onnx"))
    os.makedirs(out_dir, exist_ok=True)
    out_path = os.path.join(out_dir, "ultrasound.onnx")
    onnx.save(m, out_path)
    return out_path


def probe_inputs(mean, std):
    """What the checks run: two real validation frames and one of noise, a batch of 3, as model input."""
    grays = [load_gray(os.path.join(DATA_DIR, "images", n)) for n in read_split("ultrasound-val.txt")[:2]]
    return np.stack([preprocess(g, mean, std) for g in grays]
                    + [np.random.default_rng(0).normal(0, 1, (1, SIZE, SIZE)).astype(np.float32)])


def has_needle_network(model):
    return any(n.name.startswith("sel/") for n in model.graph.node)


def segmentation_graph_of(composed):
    """The segmentation graph inside a composed file, as compose() takes a base: every node but the needle
    network's and the channel selection, seg/probs named probs again, the needle network's weights dropped."""
    g = composed.graph
    keep = [n for n in g.node if not n.name.startswith("sel/") and n.name != "probs"
            and not any(o.startswith(PREFIX) for o in n.output)]
    for n in keep:
        n.output[:] = ["probs" if o == "seg/probs" else o for o in n.output]
    used = {i for n in keep for i in n.input}
    del g.node[:]
    g.node.extend(keep)
    inits = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(inits)
    return composed


def needle_graph_of(composed):
    """The needle network inside a composed file, as the standalone graph compose() takes: the nodes and weights
    under PREFIX with the prefix taken off, output `probs` [N,2,256,256]."""
    g = composed.graph
    strip = lambda s: s[len(PREFIX):] if s.startswith(PREFIX) else s  # noqa: E731
    nodes = []
    for n in g.node:
        if n.name.startswith("sel/") or not n.output or not all(o.startswith(PREFIX) for o in n.output):
            continue
        c = copy.deepcopy(n)
        c.name = strip(c.name)
        c.input[:] = [strip(i) for i in c.input]
        c.output[:] = [strip(o) for o in c.output]
        nodes.append(c)
    inits = []
    for t in g.initializer:
        if t.name.startswith(PREFIX):
            c = copy.deepcopy(t)
            c.name = strip(c.name)
            inits.append(c)
    if not nodes or not any("probs" in n.output for n in nodes):
        raise SystemExit("no needle network (nodes under %r ending in %sprobs) in that file" % (PREFIX, PREFIX))
    image = next(i for i in g.input if i.name == "image")
    graph = helper.make_graph(nodes, "needle", [copy.deepcopy(image)],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 2, SIZE, SIZE])], inits)
    m = helper.make_model(graph, opset_imports=list(composed.opset_import))
    m.ir_version = composed.ir_version
    onnx.checker.check_model(m, full_check=True)
    return m


def sidecar_with_new_segmentation(src_side, base_side, seg_thr, cv, sha, version, diffs, command):
    """The needle source's sidecar (input contract, needle thresholds and figures) with the new vessel/nerve network's
    identity, thresholds and cross-validated figures."""
    side = copy.deepcopy(src_side)
    nn_ = side["needleNetwork"]
    macs = base_side["macsPerFrame"] + nn_["macsPerFrame"]
    seg_name = "the segmentation network of %s %s" % (base_side["name"], base_side["version"])
    side.update({
        "version": version, "fileSha256": sha, "date": datetime.date.today().isoformat(), "exportCommand": command,
        "parameters": base_side["parameters"] + nn_["parameters"], "macsPerFrame": macs,
        "gflopsPerFrame": round(2 * macs / 1e9, 3),
        "onnxCheck": dict(diffs, checker="passed", batch=3),
        "segmentationNetwork": {"from": seg_name + " (export.py --models-dir)", "trainingCommand": base_side["trainingCommand"],
                                "exportCommand": base_side["exportCommand"], "trainingData": base_side["trainingData"],
                                "trainedEpochs": base_side["trainedEpochs"]},
    })
    side["outputs"][0]["channelSources"] = {"needle": "needle network (unchanged)",
                                            "vessel": seg_name, "nerve": seg_name, "tip": "needle network (unchanged)"}
    side["thresholds"]["mask"].update({"vessel": seg_thr["thresholds"]["vessel"], "nerve": seg_thr["thresholds"]["nerve"]})
    side["thresholds"]["chosenOn"] = ("vessel and nerve: the %d labelled images the segmentation network trained on "
                                      "(evaluate.py --fold all, as each cross-validation fold's are chosen)"
                                      % seg_thr["trained_on"])
    val = side.setdefault("validation", {})
    for k in ("segmentation", "segmentation_at_0.5", "segmentationJava", "model", "date"):
        val.pop(k, None)  # the earlier network's: this one trained on those frames
    val["segmentation"] = {
        c: {"dice": cv["classes"][c]["folds_mean"], "sd": cv["classes"][c]["folds_sd"],
            "pooledFrames": cv["classes"][c]["pooled_frames"], "pooledDice": cv["classes"][c]["pooled_mean"],
            "pooledBootstrap95": cv["classes"][c]["pooled_bootstrap95"]} for c in ("vessel", "nerve")}
    val.setdefault("data", {})["segmentation"] = ("cross-validated: the network's training schedule run once per fold without the "
                                  "fold's images, each fold scored on its held-out images (folds %s); the shipped "
                                  "network trained on all %d images, so no held-out frame of this data is left"
                                  % (", ".join(str(f["fold"]) for f in cv["folds"]), seg_thr["trained_on"]))
    val["note"] = ("segmentation: cross-validated figures of the training schedule of %s (MODEL_CARD.md); needle (Python, tip-map "
                   "peak protocol) is 1.1.0's needle channel, no longer shipped; the needle network's figures are "
                   "realNeedle, realNeedleScannerGraphics and syntheticNeedleJava" % seg_name)
    return side


def main():
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--needle", help="needle network checkpoint (train.py --task needle)")
    src.add_argument("--needle-onnx", help="an earlier composed ultrasound file: its needle network, unchanged, and its "
                                           "sidecar (.json beside it) for the input contract and the needle settings")
    ap.add_argument("--segmentation-thresholds",
                    help="with --needle-onnx: evaluate.py --fold all's JSON, the base network's vessel/nerve thresholds")
    ap.add_argument("--cross-validation",
                    help="with --needle-onnx: cross_validate.sh evaluate's summary JSON of the base network's schedule")
    ap.add_argument("--base", required=True,
                    help="an ultrasound ONNX file whose vessel/nerve channels are kept (its sidecar .json beside it)")
    ap.add_argument("--version", required=True)
    ap.add_argument("--mirror-needle", action="store_true",
                    help="the needle network too runs on the frame and its left-right mirror, probabilities averaged")
    ap.add_argument("--models-dir", default=None,
                    help="write DIR/ultrasound/ultrasound.{onnx,json} instead of the bundled model (for trying a candidate "
                         "with intravis evaluate --models-dir DIR)")
    a = ap.parse_args()
    if a.needle_onnx:
        return swap_segmentation(a)
    ck = torch.load(a.needle, map_location="cpu", weights_only=False)
    if ck["channels"] != ["needle", "tip"]:
        raise SystemExit("%s is not a needle network (channels %s)" % (a.needle, ck["channels"]))
    base_side = json.load(open(os.path.splitext(a.base)[0] + ".json"))  # the base's own sidecar, beside it
    if tuple(ck["norm"]) != (base_side["input"]["mean"], base_side["input"]["std"]):
        raise SystemExit("the needle network's input normalisation differs from the base model's")
    net, torch_model, needle_onnx = export_needle_net(ck, a.mirror_needle)
    out_path = save_composed(a.base, needle_onnx, a.models_dir)
    out_dir = os.path.dirname(out_path)
    xs = probe_inputs(*ck["norm"])
    got = OnnxNumpy(out_path).run(xs)
    want_seg = OnnxNumpy(a.base).run(xs)
    with torch.no_grad():
        want_needle = torch_model(torch.from_numpy(xs)).numpy()
    seg_diff = float(np.abs(got[:, 1:3] - want_seg[:, 1:3]).max())
    needle_diff = float(np.abs(got[:, [0, 3]] - want_needle).max())
    if got.shape != (3, 4, SIZE, SIZE) or seg_diff != 0.0 or needle_diff > 1e-4:
        raise SystemExit("composed graph disagrees: shape %s, vessel/nerve diff %g, needle diff %g"
                         % (got.shape, seg_diff, needle_diff))

    needle_macs = count_macs(net)
    with open(out_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    side = dict(base_side)
    old_needle = base_side.get("needleNetwork")
    if old_needle:  # a composed base (a new needle network in its place): its totals without the old one
        base_side = dict(base_side, parameters=base_side["parameters"] - old_needle["parameters"],
                         macsPerFrame=base_side["macsPerFrame"] - old_needle["macsPerFrame"])
        side.pop("fallback", None)  # the step-down graph is made again from this file (export_single_pass.py)
    side.update({
        "version": a.version,
        "description": "B-mode ultrasound: needle shaft, vessel and nerve masks and a needle-tip heat map "
                       "(a segmentation network for vessels and nerves, a needle network for the needle and its tip)",
        "fileSha256": sha,
        "parameters": base_side["parameters"] + int(sum(p.numel() for p in net.parameters())),
        "macsPerFrame": base_side["macsPerFrame"] + int(needle_macs),
        "gflopsPerFrame": round(2 * (base_side["macsPerFrame"] + needle_macs) / 1e9, 3),
        "date": datetime.date.today().isoformat(),
        "onnxCheck": {"checker": "passed", "maxAbsDiffVsPyTorch": needle_diff, "vesselNerveDiffVsBase": seg_diff,
                      "batch": 3},
        "exportCommand": "/usr/bin/python3 export_needle.py --needle %s --base %s --version %s" % (
            os.path.relpath(a.needle, HERE), os.path.relpath(a.base, HERE), a.version),
    })
    side["outputs"] = [dict(base_side["outputs"][0], channelSources={
        "needle": "needle network", "vessel": "segmentation network (%s, unchanged)" % (
            base_side.get("segmentationNetwork", {}).get("from")
            or "%s %s" % (base_side["name"], base_side["version"])), "nerve": "segmentation network (unchanged)",
        "tip": "needle network"}, mirrorAveraged="vessel and nerve: mean of the frame's and its left-right "
                                                 "mirror's probabilities; needle and tip: one pass")]
    side["needleNetwork"] = {
        "arch": ck["arch"], "parameters": int(sum(p.numel() for p in net.parameters())), "macsPerFrame": int(needle_macs),
        "trainingCommand": ck["command"], "trainedEpochs": ck["epoch"],
        "trainingData": {"sha256": files_sha256(ck["train_files"]), "files": len(ck["train_files"]),
                         "hashOf": "sha256 over the sorted training file list: each file's name then its bytes"},
    }
    side.setdefault("segmentationNetwork", {
        "from": "%s %s" % (base_side["name"], base_side["version"]),
        "trainingCommand": base_side.get("trainingCommand"), "exportCommand": base_side.get("exportCommand"),
        "trainingData": base_side.get("trainingData"), "trainedEpochs": base_side.get("trainedEpochs")})
    for k in ("trainingCommand", "trainedEpochs"):
        side.pop(k, None)
    # the model's own training-data hash (what the Java side reports) is the new network's
    side["trainingData"] = dict(side["needleNetwork"]["trainingData"], of="the needle network; the vessel/nerve "
                                "network's: segmentationNetwork.trainingData")
    write_json(os.path.join(out_dir, "ultrasound.json"), side)
    print("wrote %s (%.2f MB, %.3f GFLOPs/frame); vessel/nerve identical to the base, needle max |onnx - torch| = %.2g"
          % (out_path, os.path.getsize(out_path) / 1e6, side["gflopsPerFrame"], needle_diff))


def swap_segmentation(a):
    if not (a.segmentation_thresholds and a.cross_validation):
        raise SystemExit("--needle-onnx needs --segmentation-thresholds and --cross-validation")
    src_side = json.load(open(os.path.splitext(a.needle_onnx)[0] + ".json"))
    base_side = json.load(open(os.path.splitext(a.base)[0] + ".json"))
    if (src_side["input"]["mean"], src_side["input"]["std"]) != (base_side["input"]["mean"], base_side["input"]["std"]):
        raise SystemExit("the base network's input normalisation differs from the needle network's")
    seg_thr = json.load(open(a.segmentation_thresholds))
    cv = json.load(open(a.cross_validation))
    src = onnx.load(a.needle_onnx)
    out_path = save_composed(a.base, needle_graph_of(src), a.models_dir)
    out_dir = os.path.dirname(out_path)
    xs = probe_inputs(base_side["input"]["mean"], base_side["input"]["std"])
    got = OnnxNumpy(out_path).run(xs)
    want_seg = OnnxNumpy(a.base).run(xs)
    want_needle = OnnxNumpy(a.needle_onnx).run(xs)
    seg_diff = float(np.abs(got[:, 1:3] - want_seg[:, 1:3]).max())
    needle_diff = float(np.abs(got[:, [0, 3]] - want_needle[:, [0, 3]]).max())
    if got.shape != (3, 4, SIZE, SIZE) or seg_diff != 0.0 or needle_diff != 0.0:
        raise SystemExit("composed graph disagrees: shape %s, vessel/nerve diff %g, needle diff %g"
                         % (got.shape, seg_diff, needle_diff))
    with open(out_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    command = ("/usr/bin/python3 export_needle.py --needle-onnx %s --base %s --segmentation-thresholds %s "
               "--cross-validation %s --version %s" % tuple(
                   [os.path.relpath(p, HERE) for p in (a.needle_onnx, a.base, a.segmentation_thresholds, a.cross_validation)]
                   + [a.version]))
    side = sidecar_with_new_segmentation(src_side, base_side, seg_thr, cv, sha, a.version,
                                         {"vesselNerveDiffVsBase": seg_diff, "needleTipDiffVsSource": needle_diff}, command)
    side.pop("fallback", None)  # the step-down graph is made again from this file (export_single_pass.py)
    write_json(os.path.join(out_dir, "ultrasound.json"), side)
    print("wrote %s (%.2f MB); vessel/nerve identical to %s, needle and tip identical to %s"
          % (out_path, os.path.getsize(out_path) / 1e6, a.base, a.needle_onnx))


if __name__ == "__main__":
    main()
