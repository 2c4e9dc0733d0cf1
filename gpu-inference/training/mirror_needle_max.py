"""Tried, not shipped (model card, 1.2.2): the shipped ultrasound graph with its needle network also run on the
left-right mirror of the input, the needle and tip probabilities of the two passes fused by their maximum (a needle
from the left is a mirrored needle from the right), vessel and nerve untouched. Graph surgery on the shipped file
(the needle network's own checkpoint is not kept): its nodes are copied with new names and the same weights.

    /usr/bin/python3 mirror_needle_max.py --models-dir /tmp/mm
    intravis evaluate --model ultrasound --models-dir /tmp/mm --images ... --needle-masks ... --report r.json
"""
import argparse
import copy
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

from common import MODELS_DIR


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", required=True, help="where ultrasound/ultrasound.onnx and its sidecar go")
    a = ap.parse_args()
    src = os.path.join(MODELS_DIR, "ultrasound")
    m = onnx.load(os.path.join(src, "ultrasound.onnx"))
    g = m.graph
    weights = {t.name for t in g.initializer}
    # the needle network: every node writing a needle/... tensor, except the two slices that select its channels
    needle = [n for n in g.node if any(o.startswith("needle/") for o in n.output) and n.name not in ("sel/needle", "sel/tip")]

    def mirrored(name):
        if name in weights:
            return name
        if name == "image":
            return "flip/image"
        return "needleM" + name[len("needle"):] if name.startswith("needle/") else name

    for name, values in (("flip/starts", [-1]), ("flip/ends", [-(2 ** 62)]), ("flip/axes", [3]), ("flip/steps", [-1])):
        g.initializer.append(numpy_helper.from_array(np.array(values, np.int64), name))
    flip = ["flip/starts", "flip/ends", "flip/axes", "flip/steps"]
    added = [helper.make_node("Slice", ["image"] + flip, ["flip/image"], name="flip/in")]
    for n in needle:
        c = copy.deepcopy(n)
        c.name = "needleM/" + c.name
        c.input[:] = [mirrored(i) for i in c.input]
        c.output[:] = [mirrored(o) for o in c.output]
        added.append(c)
    added.append(helper.make_node("Slice", ["needleM/probs"] + flip, ["needleM/probs_back"], name="flip/out"))
    added.append(helper.make_node("Max", ["needle/probs", "needleM/probs_back"], ["needle/fused"], name="needle/fuse"))
    nodes = list(g.node)
    at = next(i for i, n in enumerate(nodes) if n.name == "sel/needle")
    for n in nodes:
        if n.name in ("sel/needle", "sel/tip"):
            n.input[0] = "needle/fused"
    del g.node[:]
    g.node.extend(nodes[:at] + added + nodes[at:])
    onnx.checker.check_model(m)
    out = os.path.join(a.models_dir, "ultrasound")
    os.makedirs(out, exist_ok=True)
    onnx.save(m, os.path.join(out, "ultrasound.onnx"))
    side = json.load(open(os.path.join(src, "ultrasound.json")))
    side["fileSha256"] = hashlib.sha256(open(os.path.join(out, "ultrasound.onnx"), "rb").read()).hexdigest()
    side["version"] += "-mirror-max"
    json.dump(side, open(os.path.join(out, "ultrasound.json"), "w"), indent=2)
    print("wrote %s (%d needle nodes mirrored)" % (out, len(needle)))


if __name__ == "__main__":
    main()
