"""The ultrasound model's cheaper graph, its fallback variant: the same weights with the segmentation network run
once (no mirrored pass, no average) beside the needle network, which already runs once. The worker steps down to it
when it cannot keep up (ModelGovernor) and back when it can. Made from the shipped graph by removing the mirrored
branch, so it cannot drift from it: its needle and tip channels are the full graph's to the bit, its vessel and nerve
channels are the full graph's un-mirrored pass to the bit (both checked here on real frames, with onnx_np).

    /usr/bin/python3 export_single_pass.py

writes ultrasound-single.onnx beside ultrasound.onnx and the sidecar's "fallback" block (file, hash, cost); its
accuracy is measured with intravis evaluate (MODEL_CARD.md, "Step-down graph") and added to that block by hand.
"""
import argparse
import copy
import hashlib
import os

import numpy as np
import onnx

from common import DATA_DIR, SIZE, load_gray, model_file, preprocess, read_split, write_json
from onnx_np import OnnxNumpy
import json

SEG = "seg/probs"


def mirror_branch(g):
    """(the node averaging the passes, the add under it, the un-mirrored sigmoid output, the mirrored input)."""
    mul = next(n for n in g.node if SEG in n.output)
    producers = {o: n for n in g.node for o in n.output}
    add = producers[mul.input[0]] if mul.input[0] in producers and producers[mul.input[0]].op_type == "Add" \
        else producers[mul.input[1]]
    if mul.op_type != "Mul" or add.op_type != "Add":
        raise SystemExit("%s is not the mean of two passes here (%s of %s): nothing to remove"
                         % (SEG, mul.op_type, add.op_type))
    direct = [i for i in add.input if producers[i].op_type == "Sigmoid"]
    flipped = [i for i in add.input if producers[i].op_type == "Slice"]
    if len(direct) != 1 or len(flipped) != 1:
        raise SystemExit("cannot tell the mirrored pass from the direct one under %s" % add.name)
    return mul, add, direct[0]


def single_pass(full):
    m = copy.deepcopy(full)
    g = m.graph
    mul, add, direct = mirror_branch(g)
    g.node.remove(mul)
    g.node.remove(add)
    for n in g.node:
        n.output[:] = [SEG if o == direct else o for o in n.output]
        n.input[:] = [SEG if i == direct else i for i in n.input]
    # keep only what the output needs: the mirrored pass (its flip, network and flip back) goes
    needed = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            keep.append(n)
            needed.update(i for i in n.input if i)
    keep.reverse()
    del g.node[:]
    g.node.extend(keep)
    used = {i for n in keep for i in n.input}
    inits = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(inits)
    del g.value_info[:]
    return m, direct


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", default=model_file("ultrasound", "onnx"), help="the full graph (its sidecar beside it)")
    a = ap.parse_args()
    full = onnx.load(a.full)
    single, direct = single_pass(full)
    onnx.checker.check_model(single, full_check=True)
    out_path = os.path.join(os.path.dirname(a.full), "ultrasound-single.onnx")
    onnx.save(single, out_path)

    side_path = os.path.splitext(a.full)[0] + ".json"
    side = json.load(open(side_path))
    grays = [load_gray(os.path.join(DATA_DIR, "images", n)) for n in read_split("ultrasound-val.txt")[:2]]
    mean, std = side["input"]["mean"], side["input"]["std"]
    xs = np.stack([preprocess(g, mean, std) for g in grays]
                  + [np.random.default_rng(0).normal(0, 1, (1, SIZE, SIZE)).astype(np.float32)])
    got = OnnxNumpy(out_path).run(xs)
    env_full, env_direct = OnnxNumpy(a.full).run(xs, also=(direct,))  # the full graph and its un-mirrored pass
    needle_diff = float(np.abs(got[:, [0, 3]] - env_full[:, [0, 3]]).max())
    seg_diff = float(np.abs(got[:, 1:3] - env_direct[:, 1:3]).max())
    mirror_effect = float(np.abs(got[:, 1:3] - env_full[:, 1:3]).mean())
    if got.shape != (3, 4, SIZE, SIZE) or needle_diff != 0.0 or seg_diff != 0.0:
        raise SystemExit("single-pass graph disagrees: needle diff %g, vessel/nerve vs the direct pass %g"
                         % (needle_diff, seg_diff))

    seg_macs = side["macsPerFrame"] - side["needleNetwork"]["macsPerFrame"]  # the mirrored pass: twice the network
    macs = seg_macs // 2 + side["needleNetwork"]["macsPerFrame"]
    with open(out_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    fallback = dict(side.get("fallback", {}))
    fallback.pop("cpu", None)  # the CPU's int8 copy is of the graph written here: made again after it (quantize_int8.py)
    fallback.update({
        "file": os.path.basename(out_path),
        "fileSha256": sha,
        "variant": "single-pass",
        "description": "the segmentation network's single pass (no mirrored pass) and the needle network: "
                       "the same weights; needle and tip identical to the full graph",
        "macsPerFrame": int(macs),
        "gflopsPerFrame": round(2 * macs / 1e9, 3),
        "exportCommand": "/usr/bin/python3 export_single_pass.py",
        "onnxCheck": {"checker": "passed", "needleTipDiffVsFull": needle_diff,
                      "vesselNerveDiffVsFullsDirectPass": seg_diff,
                      "vesselNerveMeanAbsDiffVsFull": round(mirror_effect, 6), "batch": 3},
    })
    side["fallback"] = fallback
    write_json(side_path, side)
    print("wrote %s (%.2f MB, %.3f GFLOPs/frame against %.3f); needle/tip identical, vessel/nerve = the direct pass "
          "(mean |single - full| %.4f)" % (out_path, os.path.getsize(out_path) / 1e6, fallback["gflopsPerFrame"],
                                           side["gflopsPerFrame"], mirror_effect))


if __name__ == "__main__":
    main()
