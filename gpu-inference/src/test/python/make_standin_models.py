#!/usr/bin/python3
"""Stand-in models with the real models' I/O contract, for development and tests (NOT clinical models).

Each is a few hand-set convolutions (no training): a grey-level rule exported to ONNX so that the Java side
runs a real ONNX Runtime session with the exact tensors the real models use:

  input  'image' float32 [N,1,256,256]  grey frame stretched to 256x256, x/255 then (x-mean)/std
  output 'probs' float32 [N,K,256,256]  sigmoid probabilities per channel

  standin-ultrasound:  channels needle (bright), vessel (dark, anechoic), nerve (mid-grey band), tip (line end)
  standin-fluoroscopy: channels wire (dark thin line), tip (line end)

It also writes golden values (PyTorch's outputs for fixed inputs) that the Java backend must reproduce.
Run: /usr/bin/python3 gpu-inference/src/test/python/make_standin_models.py   (from the repository root)
"""
import hashlib
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'resources', 'models')
SIZE = 256


def gaussian(k, sigma):
    r = torch.arange(k, dtype=torch.float32) - (k - 1) / 2
    g = torch.exp(-(r ** 2) / (2 * sigma ** 2))
    g2 = g[:, None] * g[None, :]
    return (g2 / g2.sum())[None, None]


class StandIn(nn.Module):
    def __init__(self, kind, mean, std):
        super().__init__()
        self.kind = kind
        self.mean = mean
        self.std = std
        self.small = nn.Conv2d(1, 1, 5, padding=2, bias=False)
        self.large = nn.Conv2d(1, 1, 9, padding=4, bias=False)
        self.box = nn.Conv2d(1, 1, 9, padding=4, bias=False)
        with torch.no_grad():
            self.small.weight.copy_(gaussian(5, 1.0))
            self.large.weight.copy_(gaussian(9, 2.5))
            self.box.weight.fill_(1.0 / 81.0)

    def forward(self, image):
        i = image * self.std + self.mean  # back to 0..1 grey
        s = self.small(i)
        l = self.large(i)
        if self.kind == 'ultrasound':
            needle = torch.sigmoid(30.0 * (s - 0.72))
            vessel = torch.sigmoid(30.0 * (0.12 - l))
            nerve = torch.sigmoid(30.0 * (l - 0.42)) * torch.sigmoid(30.0 * (0.55 - l))
            line = needle
        else:
            line = torch.sigmoid(30.0 * (0.30 - s))
        # a line's end: on the line, with about half the line density of its middle around it
        density = self.box(line)
        tip = line * torch.sigmoid(40.0 * (0.42 - density)) * torch.sigmoid(40.0 * (density - 0.15))
        if self.kind == 'ultrasound':
            return torch.cat([needle, vessel, nerve, tip], dim=1)
        return torch.cat([line, tip], dim=1)


class FailingStandIn(nn.Module):
    """The ultrasound stand-in, except that it fails at run time (an out-of-range Gather in ONNX Runtime) on a frame
    whose top-left pixel is near white: for testing that run-time errors are counted and survived."""

    def __init__(self):
        super().__init__()
        self.inner = StandIn('ultrasound', 0.18, 0.21)

    def forward(self, image):
        probs = self.inner(image)
        trigger = (image[:, 0, 0, 0] > 3.5).long() * 1000000000
        picked = probs.reshape(-1)[trigger]
        return probs + 0.0 * picked.sum()


class Echo(nn.Module):
    """Grey levels read back as classes, pixel by pixel (no blur): 255 needle, 100 vessel, 160 nerve, else nothing.
    With it the evaluator's predictions are known exactly, so its metrics can be checked by hand."""

    def forward(self, image):
        x = image  # mean 0, std 1: x is the pixel / 255
        needle = torch.sigmoid(200.0 * (x - 0.9))
        vessel = torch.sigmoid(200.0 * (x - 0.3)) * torch.sigmoid(200.0 * (0.5 - x))
        nerve = torch.sigmoid(200.0 * (x - 0.55)) * torch.sigmoid(200.0 * (0.75 - x))
        tip = x * 0.0
        return torch.cat([needle, vessel, nerve, tip], dim=1)


class EchoTip(nn.Module):
    """As Echo, with a tip map: grey levels 210-229 (draw 220) are the tip, read back into the tip channel, and the
    needle channel takes 205 and brighter, so a tip blob drawn at the end of a 255 shaft belongs to the shaft too.
    A needle drawn with its tip blob is then a confirmed, confident needle; one without is an unconfirmed one."""

    def forward(self, image):
        x = image
        needle = torch.sigmoid(200.0 * (x - 0.8))
        vessel = torch.sigmoid(200.0 * (x - 0.3)) * torch.sigmoid(200.0 * (0.5 - x))
        nerve = torch.sigmoid(200.0 * (x - 0.55)) * torch.sigmoid(200.0 * (0.75 - x))
        tip = torch.sigmoid(200.0 * (x - 0.82)) * torch.sigmoid(200.0 * (0.9 - x))
        return torch.cat([needle, vessel, nerve, tip], dim=1)


class EchoWire(nn.Module):
    """The fluoroscopy contract's echo: grey level 255 is wire, pixel by pixel; the tip map is empty."""

    def forward(self, image):
        x = image
        return torch.cat([torch.sigmoid(200.0 * (x - 0.9)), x * 0.0], dim=1)


def write_cropped_standin():
    """standin-ultrasound-cropped: the ultrasound stand-in's graph with the content crop in its sidecar, so that tests
    run the crop path (Preprocessor, ContentUncropper) without the trained model's cost."""
    import shutil
    src = os.path.join(OUT, 'standin-ultrasound')
    name = 'standin-ultrasound-cropped'
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    shutil.copy(os.path.join(src, 'standin-ultrasound.onnx'), os.path.join(folder, name + '.onnx'))
    with open(os.path.join(src, 'standin-ultrasound.json')) as f:
        sidecar = json.load(f)
    sidecar['name'] = name
    sidecar['description'] = 'The ultrasound stand-in with the content crop (input.crop), for tests only'
    sidecar['input']['crop'] = {'to': 'content', 'above': 12, 'grid': 512}
    with open(os.path.join(folder, name + '.json'), 'w') as f:
        json.dump(sidecar, f, indent=2)
    print(name)


def write_echo(name, model, base, description, thresholds):
    """An "echo" model (grey levels read back as classes): its graph, and the sidecar of the stand-in `base` with
    the input left unnormalised and the given thresholds."""
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    onnx_path = os.path.join(folder, name + '.onnx')
    torch.onnx.export(model.eval(), torch.zeros(1, 1, SIZE, SIZE), onnx_path, input_names=['image'],
                      output_names=['probs'], dynamic_axes={'image': {0: 'N'}, 'probs': {0: 'N'}}, opset_version=13)
    with open(os.path.join(OUT, base, base + '.json')) as f:
        sidecar = json.load(f)
    sidecar['name'] = name
    sidecar['description'] = description
    sidecar['input']['mean'] = 0.0
    sidecar['input']['std'] = 1.0
    sidecar['thresholds'] = thresholds
    with open(onnx_path, 'rb') as f:
        sidecar['onnx_sha256'] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(folder, name + '.json'), 'w') as f:
        json.dump(sidecar, f, indent=2)
    print(name, os.path.getsize(onnx_path), 'bytes')


def write_echoes():
    # echo-ultrasound: the evaluator's hand-checked metrics; echo-fluoroscopy: its wire tips (the wire rule)
    write_echo('echo-ultrasound', Echo(), 'standin-ultrasound',
               'Grey levels as classes (255 needle, 100 vessel, 160 nerve), for evaluator tests only',
               {'needle': 0.5, 'vessel': 0.5, 'nerve': 0.5, 'tip': 0.3})
    # echo-ultrasound-tip: tips confirmed by the tip map (confidence, sequence and tracker tests)
    write_echo('echo-ultrasound-tip', EchoTip(), 'standin-ultrasound',
               'Grey levels as classes (205+ needle, 210-229 tip, 100 vessel, 160 nerve), for evaluator tests only',
               {'needle': 0.5, 'vessel': 0.5, 'nerve': 0.5, 'tip': 0.3})
    write_echo('echo-fluoroscopy', EchoWire(), 'standin-fluoroscopy',
               'Grey level 255 as wire, empty tip map, for evaluator tests only', {'wire': 0.5, 'tip': 0.3})


def golden_inputs():
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    a = (128 + 110 * np.sin(x / 9.0) * np.cos(y / 13.0)).astype(np.uint8)
    b = ((x * 7 + y * 13 + (x * y) % 31) % 256).astype(np.uint8)
    return [a, b]


def main():
    specs = {
        'standin-ultrasound': ('ultrasound', 0.18, 0.21, ['needle', 'vessel', 'nerve', 'tip'],
                               {'needle': 0.5, 'vessel': 0.5, 'nerve': 0.5, 'tip': 0.3}),
        'standin-fluoroscopy': ('fluoroscopy', 0.62, 0.2, ['wire', 'tip'], {'wire': 0.5, 'tip': 0.3}),
    }
    for name, (kind, mean, std, channels, thresholds) in specs.items():
        model = StandIn(kind, mean, std).eval()
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        onnx_path = os.path.join(folder, name + '.onnx')
        dummy = torch.zeros(1, 1, SIZE, SIZE)
        torch.onnx.export(model, dummy, onnx_path, input_names=['image'], output_names=['probs'],
                          dynamic_axes={'image': {0: 'N'}, 'probs': {0: 'N'}}, opset_version=13)
        with open(onnx_path, 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        sidecar = {
            'name': name,
            'version': '0.0.1-standin',
            'description': 'Hand-set stand-in with the ' + kind + ' model contract, for development and tests only',
            'input': {'name': 'image', 'width': SIZE, 'height': SIZE, 'channels': 1, 'colour': 'grey',
                      'resize': 'stretch', 'scale': 255.0, 'mean': mean, 'std': std},
            'outputs': [{'name': 'probs', 'channels': channels, 'activation': 'sigmoid'}],
            'thresholds': thresholds,
            'training_data_hash': 'none (hand-set weights)',
            'onnx_sha256': digest,
            'metrics': {},
        }
        with open(os.path.join(folder, name + '.json'), 'w') as f:
            json.dump(sidecar, f, indent=2)

        # golden values: PyTorch's own preprocessing and forward pass on two fixed 8-bit images
        imgs = golden_inputs()
        batch = np.stack([((im.astype(np.float32) / 255.0) - mean) / std for im in imgs])[:, None]
        with torch.no_grad():
            out = model(torch.from_numpy(batch.astype(np.float32))).numpy()
        rng = np.random.default_rng(7)
        samples = []
        for r in range(out.shape[0]):
            for c in range(out.shape[1]):
                for _ in range(24):
                    yy, xx = int(rng.integers(0, SIZE)), int(rng.integers(0, SIZE))
                    samples.append([r, c, yy, xx, float(out[r, c, yy, xx])])
        golden = {
            'inputs': ['128 + 110*sin(x/9)*cos(y/13), as uint8', '(7x + 13y + (x*y mod 31)) mod 256'],
            'sums': [[float(out[r, c].astype(np.float64).sum()) for c in range(out.shape[1])] for r in range(out.shape[0])],
            'samples': samples,
        }
        with open(os.path.join(folder, name + '.golden.json'), 'w') as f:
            json.dump(golden, f)
        print(name, os.path.getsize(onnx_path), 'bytes', digest[:12])

    write_echoes()
    write_cropped_standin()

    # a model that loads and warms up but fails on some frames
    name = 'failing-ultrasound'
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    onnx_path = os.path.join(folder, name + '.onnx')
    torch.onnx.export(FailingStandIn().eval(), torch.zeros(1, 1, SIZE, SIZE), onnx_path, input_names=['image'],
                      output_names=['probs'], dynamic_axes={'image': {0: 'N'}, 'probs': {0: 'N'}}, opset_version=13)
    with open(os.path.join(OUT, 'standin-ultrasound', 'standin-ultrasound.json')) as f:
        sidecar = json.load(f)
    sidecar['name'] = name
    sidecar['description'] = 'The ultrasound stand-in, failing at run time when the top-left pixel is near white (tests only)'
    with open(onnx_path, 'rb') as f:
        sidecar['onnx_sha256'] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(folder, name + '.json'), 'w') as f:
        json.dump(sidecar, f, indent=2)
    print(name, os.path.getsize(onnx_path), 'bytes')


if __name__ == '__main__':
    main()
