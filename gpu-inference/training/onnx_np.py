"""A tiny NumPy executor for the ONNX graphs these models export to (Conv, Relu, Resize, Concat, Sigmoid,
Identity, Constant; Slice, Add, Mul for the mirrored pass). There is no onnxruntime for Python here; this runs the exported FILE itself, so that
export.py and evaluate.py check and measure the graph the Java side will load, not just the PyTorch module."""
import numpy as np
import onnx
from onnx import numpy_helper


class OnnxNumpy:
    def __init__(self, path):
        self.model = onnx.load(path)
        g = self.model.graph
        self.init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.inputs = [i.name for i in g.input if i.name not in self.init]
        self.outputs = [o.name for o in g.output]
        self.nodes = list(g.node)
        ops = {n.op_type for n in self.nodes}
        unknown = ops - {"Conv", "Relu", "Resize", "Concat", "Sigmoid", "Identity", "Constant", "Slice", "Add", "Mul"}
        if unknown:
            raise ValueError("onnx_np cannot run ops %s" % sorted(unknown))

    def run(self, x, also=()):
        """The first output for input x; with `also` (names of values inside the graph), a list: it, then those."""
        env = dict(self.init)
        env[self.inputs[0]] = x.astype(np.float32)
        for n in self.nodes:
            a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
            ins = [env[i] if i else None for i in n.input]
            op = n.op_type
            if op == "Constant":
                out = numpy_helper.to_array(a["value"])
            elif op == "Identity":
                out = ins[0]
            elif op == "Relu":
                out = np.maximum(ins[0], 0)
            elif op == "Sigmoid":
                out = 1.0 / (1.0 + np.exp(-ins[0]))
            elif op == "Concat":
                out = np.concatenate(ins, axis=a["axis"])
            elif op == "Conv":
                out = _conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
            elif op == "Resize":
                out = _resize(ins[0], ins, a)
            elif op == "Slice":
                out = _slice(*ins)
            elif op == "Add":
                out = ins[0] + ins[1]
            elif op == "Mul":
                out = ins[0] * ins[1]
            # constants keep their type (Slice takes int64 starts/ends); tensors are float32 as in the Java runtime
            env[n.output[0]] = out if op == "Constant" else out.astype(np.float32)
        return [env[self.outputs[0]]] + [env[n] for n in also] if also else env[self.outputs[0]]


def _slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    idx = [slice(None)] * x.ndim
    for s, e, ax, st in zip(starts, ends, axes, steps):
        n = x.shape[ax]
        # ONNX clamps out-of-range ends (INT64_MIN/MAX mean "to the end"); Python slicing does too, except that a
        # negative end past the start must become None for a reversed slice
        e = None if st < 0 and e < -n else int(e)
        idx[ax] = slice(int(s), e, int(st))
    return x[tuple(idx)]


def _conv(x, w, b, a):
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise ValueError("only dense, undilated convolutions")
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), np.float32)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    cols = cols.reshape(n, c * kh * kw, oh * ow)
    out = np.einsum("ok,nkp->nop", w.reshape(o, -1), cols, optimize=True).reshape(n, o, oh, ow)
    if b is not None:
        out += b[None, :, None, None]
    return out


def _resize(x, ins, a):
    if a.get("mode", b"nearest") not in (b"linear", "linear"):
        raise ValueError("only linear Resize")
    mode = a.get("coordinate_transformation_mode", b"half_pixel")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode not in ("half_pixel", "pytorch_half_pixel"):
        raise ValueError("only half_pixel Resize")
    n, c, h, w = x.shape
    if len(ins) > 3 and ins[3] is not None and ins[3].size:
        oh, ow = int(ins[3][2]), int(ins[3][3])
    else:
        s = ins[2]
        oh, ow = int(np.floor(h * s[2])), int(np.floor(w * s[3]))

    def axis(insz, outsz):
        src = (np.arange(outsz) + 0.5) * insz / outsz - 0.5
        src = np.clip(src, 0, insz - 1)
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, insz - 1)
        return i0, i1, (src - i0).astype(np.float32)

    y0, y1, fy = axis(h, oh)
    x0, x1, fx = axis(w, ow)
    top = x[:, :, y0][:, :, :, x0] * (1 - fx) + x[:, :, y0][:, :, :, x1] * fx
    bot = x[:, :, y1][:, :, :, x0] * (1 - fx) + x[:, :, y1][:, :, :, x1] * fx
    return top * (1 - fy)[:, None] + bot * fy[:, None]
