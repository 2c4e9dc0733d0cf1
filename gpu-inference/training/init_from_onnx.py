"""A PyTorch checkpoint rebuilt from an exported ONNX file, to fine-tune from it: the training checkpoints of the
shipped models are not kept (runs/ is git-ignored), but their ONNX files hold every weight, with each batch norm
folded into its convolution. Each convolution gets the folded weight, and its batch norm becomes the identity plus
the folded bias (weight 1, running mean 0, running variance 1 - eps); train with --freeze-bn so the norms stay so.

    /usr/bin/python3 init_from_onnx.py --onnx cache/ultrasound-1.1.0.onnx --channels needle,tip --out runs/us-init/model.pt

--channels keeps those output channels of the head (in that order), e.g. the needle and tip of the ultrasound
model to start a needle network from it. Checked: the rebuilt network, mirror-averaged as the file was exported,
reproduces the file's outputs (max abs difference printed; must be below 1e-4).

--needle-network takes the separate needle network out of a composed file (1.2.0 on: export_needle.py) instead of the
segmentation graph, e.g. to fine-tune the shipped needle network (its training checkpoint is not kept):

    /usr/bin/python3 init_from_onnx.py --onnx cache/ultrasound-1.2.2.onnx --needle-network --channels needle,tip --out runs/needle-1.2.2/model.pt
"""
import argparse
import json
import os
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from common import ARCH, SIZE, MirrorAveraged, build_model
from onnx_np import OnnxNumpy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--arch", default="ultrasound", choices=sorted(ARCH))
    ap.add_argument("--channels", required=True, help="output channels to keep, by name, e.g. needle,tip")
    ap.add_argument("--needle-network", action="store_true",
                    help="rebuild the needle network of a composed file (export_needle.py), not its segmentation graph")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    side = json.load(open(os.path.splitext(a.onnx)[0] + ".json"))
    names = side["outputs"][0]["channels"]
    mirrored = "mirrorAveraged" in side["outputs"][0]
    m = onnx.load(a.onnx)
    source = a.onnx
    if a.needle_network:
        from export_needle import needle_graph_of
        m = needle_graph_of(m)  # one pass, channels needle and tip
        names, mirrored = ["needle", "tip"], False
        source = os.path.join(tempfile.mkdtemp(), "needle.onnx")
        onnx.save(m, source)
    keep = [names.index(c) for c in a.channels.split(",")]
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    net = build_model(len(names), ARCH[a.arch])
    layers = [mod for mod in net.modules() if isinstance(mod, nn.Conv2d)]
    # the first pass, in graph order (a mirrored file runs the network twice; the second pass reuses the head's
    # initialisers and takes its other weights through constants)
    convs = [n for n in m.graph.node if n.op_type == "Conv" and n.input[1] in inits][:len(layers)]
    if len(convs) != len(layers) or "head" not in convs[-1].name:
        raise SystemExit("%d convolutions with weights in the file, %d in the %s network" % (len(convs), len(layers), a.arch))
    bns = {id(seq[0]): seq[1] for seq in net.modules() if isinstance(seq, nn.Sequential) and len(seq) == 3
           and isinstance(seq[0], nn.Conv2d) and isinstance(seq[1], nn.BatchNorm2d)}
    with torch.no_grad():
        for node, conv in zip(convs, layers):
            w = torch.from_numpy(inits[node.input[1]].copy())
            b = torch.from_numpy(inits[node.input[2]].copy())
            if conv.weight.shape != w.shape:
                raise SystemExit("shape mismatch at %s: %s vs %s" % (node.name, tuple(w.shape), tuple(conv.weight.shape)))
            conv.weight.copy_(w)
            if conv.bias is not None:
                conv.bias.copy_(b)
            else:
                bn = bns[id(conv)]
                bn.weight.fill_(1.0)
                bn.bias.copy_(b)
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
    net.eval()
    x = np.random.default_rng(0).normal(0, 1, (2, 1, SIZE, SIZE)).astype(np.float32)
    want = OnnxNumpy(source).run(x)
    with torch.no_grad():
        got = (MirrorAveraged(net) if mirrored else nn.Sequential(net, nn.Sigmoid()))(torch.from_numpy(x)).numpy()
    diff = float(np.abs(got - want).max())
    print("rebuilt network vs %s: max abs difference %.2g" % (a.onnx, diff))
    if diff > 1e-4:
        raise SystemExit("the rebuilt network does not reproduce the file")
    # keep the chosen head rows
    old = net.head
    net.head = nn.Conv2d(old.in_channels, len(keep), 1)
    with torch.no_grad():
        net.head.weight.copy_(old.weight[keep])
        net.head.bias.copy_(old.bias[keep])
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save({"state_dict": {k: v.detach().cpu() for k, v in net.state_dict().items()},
                "channels": a.channels.split(","), "task": "needle",
                "norm": (side["input"]["mean"], side["input"]["std"]), "arch": ARCH[a.arch], "epoch": 0,
                "command": "/usr/bin/python3 init_from_onnx.py --onnx %s --arch %s --channels %s%s" % (
                    a.onnx, a.arch, a.channels, " --needle-network" if a.needle_network else ""),
                "train_files": []}, a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
