"""An int8 copy of an ultrasound graph for the CPU (issue 17: the AI's share of two cores), in ONNX's QDQ form, which
ONNX Runtime runs with integer convolutions (QLinearConv; VNNI where the CPU has it).

    /usr/bin/python3 quantize_int8.py --model ../src/main/resources/models/ultrasound/ultrasound-single.onnx \\
        --out /tmp/int8/ultrasound/ultrasound.onnx [--frames 60]

Static quantisation, by hand (there is no onnxruntime for Python here, so not its quantisation tool):
* each convolution's weights per output channel, symmetric int8; its bias int32 at the input's scale times the
  weight's, as ONNX Runtime's own tool writes them;
* activations uint8, their ranges the minimum and maximum seen on calibration frames run through the float graph
  (`onnx_np.OnnxNumpy`): **training frames only** (the nerve/vessel training split and the clip's tuning frames,
  through the content crop as the application crops them), never a frame any figure is measured on;
* a convolution followed by a ReLU: the ReLU is dropped and the output quantised with zero point 0 over [0, max],
  which clips at 0 as the ReLU did (the same folding as ONNX Runtime's tool);
* the 1x1 output heads stay float (logits, whose small differences move a tip or a threshold; they cost little), and so
  do the Resize and Concat between the quantised tensors.
The calibration frames need ../shared (the nerve/vessel images) and cache/needle-clip (make_needle_fixture.py).
Written beside the model's step-down graph, it is declared in the sidecar as `fallback.cpu` (file, hash); measure it
(the model card's "On the CPU the step-down graph is its int8 copy") before shipping it.
"""
import argparse
import hashlib
import json
import os
import random

import numpy as np
import onnx
from onnx import helper, numpy_helper

import common
from onnx_np import OnnxNumpy

HERE = os.path.dirname(os.path.abspath(__file__))


def calibration_inputs(sidecar, count, seed=7):
    """Up to `count` preprocessed training frames: half nerve/vessel training images, half the clip's tuning frames."""
    mean, std = sidecar["input"]["mean"], sidecar["input"]["std"]
    names = common.read_split("ultrasound-train.txt")
    us = [os.path.join(common.DATA_DIR, "images", n) for n in names]
    clip_dir = os.path.join(HERE, "cache", "needle-clip")
    labels = json.load(open(os.path.join(clip_dir, "labels.json")))
    clip = [os.path.join(clip_dir, "frames", f["file"]) for f in labels["frames"] if f["split"] == "tune"]
    rng = random.Random(seed)
    picked = rng.sample(us, min(len(us), count // 2)) + rng.sample(clip, min(len(clip), count - count // 2))
    return [common.preprocess_cropped(common.load_gray(p), mean, std)[0][None] for p in picked]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--frames", type=int, default=60)
    a = ap.parse_args()
    sidecar = json.load(open(os.path.join(os.path.dirname(a.model), "ultrasound.json")))
    model = onnx.load(a.model)
    g = model.graph
    init = {t.name: t for t in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    convs = [n for n in g.node if n.op_type == "Conv"]
    heads = {n.name for n in convs if numpy_helper.to_array(init[_source(g, n.input[1])]).shape[2:] == (1, 1)}
    # a conv whose only consumer is a ReLU: the ReLU folds into the output's quantisation
    relu_of = {}
    for n in convs:
        c = consumers.get(n.output[0], [])
        if n.name not in heads and len(c) == 1 and c[0].op_type == "Relu":
            relu_of[n.name] = c[0]
    # the ranges: each quantised conv's input, and each folded ReLU's output
    watch = sorted({n.input[0] for n in convs if n.name not in heads} | {r.output[0] for r in relu_of.values()})
    runner = OnnxNumpy(a.model)
    lo = {t: np.inf for t in watch}
    hi = {t: -np.inf for t in watch}
    xs = calibration_inputs(sidecar, a.frames)
    for x in xs:
        vals = runner.run(x, also=watch)[1:]
        for t, v in zip(watch, vals):
            lo[t] = min(lo[t], float(v.min()))
            hi[t] = max(hi[t], float(v.max()))
    print("calibrated on %d training frames, %d tensors" % (len(xs), len(watch)))

    new_nodes, new_init = [], []
    qparams = {}  # tensor -> (scale, zero point) of its uint8 quantisation

    def qdq(tensor, scale, zp, name):
        """Q then DQ of `tensor`; returns the dequantised tensor's name."""
        s, z = name + "/scale", name + "/zero"
        new_init.extend([numpy_helper.from_array(np.array(scale, np.float32), s),
                         numpy_helper.from_array(np.array(zp, np.uint8), z)])
        new_nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [name + "/q"], name=name + "/Q"))
        new_nodes.append(helper.make_node("DequantizeLinear", [name + "/q", s, z], [name + "/dq"], name=name + "/DQ"))
        return name + "/dq"

    def act_params(t):
        a_lo, a_hi = min(lo[t], 0.0), max(hi[t], 1e-6)
        scale = (a_hi - a_lo) / 255.0
        return scale, int(round(-a_lo / scale))

    dq_of = {}    # float tensor -> its dequantised copy (made once, shared by its consumers)
    renamed = {}  # a folded ReLU's output -> the dequantised conv output that replaces it
    dropped = set()
    for n in g.node:
        if n.op_type == "Relu" and any(r is n for r in relu_of.values()):
            dropped.add(n.name)
            continue
        if n.op_type != "Conv" or n.name in heads:
            new_nodes.append(n)
            continue
        x = renamed.get(n.input[0], n.input[0])
        if x in qparams:  # already a dequantised output: its own scale
            x_scale, x_zp = qparams[x]
            x_dq = x
        else:
            x_scale, x_zp = act_params(n.input[0])
            if x not in dq_of:
                dq_of[x] = qdq(x, x_scale, x_zp, n.name + "/in")
            x_dq = dq_of[x]
        w = numpy_helper.to_array(init[_source(g, n.input[1])]).astype(np.float32)
        b = numpy_helper.to_array(init[_source(g, n.input[2])]).astype(np.float32)
        w_scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-8) / 127.0
        w_q = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
        b_scale = (x_scale * w_scale).astype(np.float32)
        b_q = np.round(b / b_scale).astype(np.int32)
        p = n.name + "/w"
        new_init.extend([numpy_helper.from_array(w_q, p + "/q"),
                         numpy_helper.from_array(w_scale.astype(np.float32), p + "/scale"),
                         numpy_helper.from_array(np.zeros(w.shape[0], np.int8), p + "/zero"),
                         numpy_helper.from_array(b_q, n.name + "/b/q"),
                         numpy_helper.from_array(b_scale, n.name + "/b/scale"),
                         numpy_helper.from_array(np.zeros(w.shape[0], np.int32), n.name + "/b/zero")])
        new_nodes.append(helper.make_node("DequantizeLinear", [p + "/q", p + "/scale", p + "/zero"], [p + "/dq"],
                                          name=p + "/DQ", axis=0))
        new_nodes.append(helper.make_node("DequantizeLinear",
                                          [n.name + "/b/q", n.name + "/b/scale", n.name + "/b/zero"],
                                          [n.name + "/b/dq"], name=n.name + "/b/DQ", axis=0))
        conv = helper.make_node("Conv", [x_dq, p + "/dq", n.name + "/b/dq"], [n.output[0]], name=n.name)
        conv.attribute.extend(n.attribute)
        new_nodes.append(conv)
        relu = relu_of.get(n.name)
        if relu is not None:  # the ReLU becomes the output's quantisation, zero point 0 over [0, max]
            scale = max(hi[relu.output[0]], 1e-6) / 255.0
            out = qdq(n.output[0], scale, 0, n.name + "/out")
            qparams[out] = (scale, 0)
            renamed[relu.output[0]] = out
    # consumers of folded ReLUs read the dequantised outputs
    for n in new_nodes:
        for i, name in enumerate(n.input):
            if name in renamed and not n.name.endswith("/out/Q"):
                n.input[i] = renamed[name]
    used = {i for n in new_nodes for i in n.input}
    # the Identity nodes that only passed the float weights on are left without a consumer: drop them
    new_nodes = [n for n in new_nodes if n.op_type != "Identity" or any(o in used for o in n.output)]
    used = {i for n in new_nodes for i in n.input}
    keep_init = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(keep_init + new_init)
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    onnx.save(model, a.out)
    print("wrote %s: %d convolutions int8 (%d ReLUs folded), %d float heads" % (
        a.out, len(convs) - len(heads), len(dropped), len(heads)))
    write_sidecar(a, len(xs))


def write_sidecar(a, frames):
    """The sidecar beside --model declares --out as the CPU's step-down graph (fallback.cpu), when both lie together;
    the block's validation is kept only while the file is the one it was measured on."""
    side_path = os.path.join(os.path.dirname(os.path.abspath(a.model)), "ultrasound.json")
    if os.path.dirname(os.path.abspath(a.out)) != os.path.dirname(side_path) or not os.path.exists(side_path):
        print("not beside %s: its sidecar is left as it is" % a.model)
        return
    side = json.load(open(side_path))
    if os.path.basename(side.get("fallback", {}).get("file", "")) != os.path.basename(a.model):
        print("%s is not the sidecar's fallback graph: its sidecar is left as it is" % a.model)
        return
    with open(a.out, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    cpu = dict(side["fallback"].get("cpu", {}))
    if cpu.get("fileSha256") != sha:
        cpu.pop("validation", None)
    cpu.update({
        "file": os.path.basename(a.out),
        "fileSha256": sha,
        "variant": side["fallback"].get("variant", "single-pass"),
        "description": "the single-pass graph quantised to int8 (QDQ: per-channel int8 weights, uint8 activations"
                       " calibrated on %d training frames, ReLUs folded into the quantisation, the 1x1 heads float):"
                       " the CPU's step-down graph, which it runs with integer convolutions; on a GPU the float single"
                       " pass stays the step-down. Its name in the status and on the pages is the same single-pass: the"
                       " step the user sees is the same" % frames,
        "exportCommand": "/usr/bin/python3 quantize_int8.py --model ../src/main/resources/models/ultrasound/"
                         "ultrasound-single.onnx --out ../src/main/resources/models/ultrasound/"
                         "ultrasound-single-int8.onnx --frames %d" % frames,
    })
    side["fallback"]["cpu"] = cpu
    common.write_json(side_path, side)
    print("declared in %s as fallback.cpu" % side_path)


def _source(g, name):
    """The initializer behind `name`, through the Identity nodes the export put in front of conv weights."""
    for n in g.node:
        if n.op_type == "Identity" and n.output[0] == name:
            return _source(g, n.input[0])
    return name


if __name__ == "__main__":
    main()
