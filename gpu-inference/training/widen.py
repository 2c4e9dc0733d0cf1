"""Widens a trained CompactUNet into a wider one that computes exactly the same function (Net2Net-style), so that
fine-tuning the wider network starts from the trained one instead of from scratch.

    /usr/bin/python3 widen.py --checkpoint runs/ultrasound-stage3/model.pt --arch ultrasound-wide --out runs/widened/model.pt

Every convolution keeps its trained filters in its first channels; the new output channels start from PyTorch's
default initialisation and the weights from new input channels into old outputs start at zero, so the new
channels add features without changing the old ones until training moves them. Concatenated skip inputs are
mapped piece by piece. Batch norm keeps its statistics for the old channels.
"""
import argparse
import os

import torch
import torch.nn as nn

from common import ARCH, build_model

# the input of each decoder level is cat(upsampled previous level, encoder skip): (previous, skip) module names
CONCAT_INPUTS = {"d4": ("e5", "e4"), "d3": ("d4", "e3"), "d2": ("d3", "e2"), "d1": ("d2", "e1")}


def out_channels(model, name):
    block = getattr(model, name)
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    return convs[-1].out_channels


def input_map(small, wide, block, conv_index, conv):
    """Indices in the wide conv's input of the small conv's input channels."""
    if conv_index == 0 and block in CONCAT_INPUTS:
        prev, skip = CONCAT_INPUTS[block]
        a_old, a_new = out_channels(small, prev), out_channels(wide, prev)
        b_old = out_channels(small, skip)
        return list(range(a_old)) + [a_new + i for i in range(b_old)]
    return list(range(conv.in_channels))


def widen(small, wide):
    with torch.no_grad():
        for block in ("e1", "e2", "e3", "e4", "e5", "d4", "d3", "d2", "d1", "head"):
            s_mods = [m for m in getattr(small, block).modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
            w_mods = [m for m in getattr(wide, block).modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
            conv_index = 0
            for s, w in zip(s_mods, w_mods):
                if isinstance(s, nn.Conv2d):
                    cols = input_map(small, wide, block, conv_index, s)
                    conv_index += 1
                    o = s.out_channels
                    w.weight[:o].zero_()
                    w.weight[:o][:, cols] = s.weight
                    if s.bias is not None:
                        w.bias[:o] = s.bias
                else:
                    o = s.num_features
                    w.weight[:o] = s.weight
                    w.bias[:o] = s.bias
                    w.running_mean[:o] = s.running_mean
                    w.running_var[:o] = s.running_var
                    w.num_batches_tracked.copy_(s.num_batches_tracked)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--arch", required=True, choices=sorted(ARCH))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ck = torch.load(a.checkpoint, map_location="cpu", weights_only=False)
    n_out = len(ck["channels"])
    small = build_model(n_out, ck["arch"])
    small.load_state_dict(ck["state_dict"])
    wide = build_model(n_out, ARCH[a.arch])
    widen(small, wide)
    small.eval()
    wide.eval()
    x = torch.randn(2, 1, 256, 256)
    with torch.no_grad():
        diff = (small(x) - wide(x)).abs().max().item()
    print("max |small - wide| on random input: %.2e" % diff)
    if diff > 1e-3:
        raise SystemExit("widening changed the function")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    out = dict(ck)
    out["state_dict"] = wide.state_dict()
    out["arch"] = ARCH[a.arch]
    out["command"] = ck.get("command", "") + " && /usr/bin/python3 widen.py --checkpoint %s --arch %s" % (
        a.checkpoint, a.arch)
    torch.save(out, a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
