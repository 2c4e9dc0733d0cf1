"""A candidate ultrasound file whose needle and tip maps are the mean of several needle networks' (train.py --task
needle checkpoints), for `intravis evaluate --models-dir OUT`; measured, not shipped (README here):

    /usr/bin/python3 results/zoom/ensemble_needle.py OUT CKPT [CKPT ...]     (from gpu-inference/training)

The shipped file's vessel/nerve graph and its sidecar (thresholds, input contract) are kept; the sidecar gets the
new file's hash and version 1.2.5-ensN.
"""
import hashlib
import json
import os
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import onnx  # noqa: E402
import torch  # noqa: E402

import export_needle as E  # noqa: E402
from common import SIZE, build_model  # noqa: E402


class Mean(torch.nn.Module):
    """The mean of the networks' probabilities."""

    def __init__(self, nets):
        super().__init__()
        self.nets = torch.nn.ModuleList(nets)

    def forward(self, image):
        return sum(torch.sigmoid(n(image)) for n in self.nets) / len(self.nets)


def main():
    out, checkpoints = sys.argv[1], sys.argv[2:]
    nets = []
    for p in checkpoints:
        ck = torch.load(p, map_location="cpu", weights_only=False)
        net = build_model(len(ck["channels"]), ck["arch"])
        net.load_state_dict(ck["state_dict"])
        nets.append(net.eval())
    path = tempfile.mktemp(suffix=".onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Mean(nets).eval(), torch.zeros(1, 1, SIZE, SIZE), path, input_names=["image"],
                          output_names=["probs"], opset_version=E.OPSET, do_constant_folding=True,
                          dynamic_axes={"image": {0: "N"}, "probs": {0: "N"}})
    base = E.model_file("ultrasound", "onnx")
    written = E.save_composed(base, onnx.load(path), out)
    with open(base[:-len(".onnx")] + ".json") as f:
        side = json.load(f)
    side["version"] = "1.2.5-ens%d" % len(checkpoints)
    with open(written, "rb") as f:
        side["fileSha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(written[:-len(".onnx")] + ".json", "w") as f:
        json.dump(side, f, indent=2)
    print("wrote", written)


if __name__ == "__main__":
    main()
