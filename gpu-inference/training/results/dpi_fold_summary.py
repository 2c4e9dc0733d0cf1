# One fold, the whole schedule with per-image Dice in stage 3 (ARM=dpi) and, from its own stage-2 weights, the plain
# stage 3 (the fold folder's README): per arm Dice, and per-image minus plain frame by frame with a 95 % bootstrap
# interval. Usage: /usr/bin/python3 dpi_fold_summary.py fold5-dpi   (or fold1-dpi)
import json
import os
import sys

import numpy as np

from paired import differences, interval

R = os.path.join(os.path.dirname(os.path.abspath(__file__)), sys.argv[1])
ev = {k: json.load(open(os.path.join(R, f))) for k, f in (("plain", "plain.eval.json"), ("per-image Dice", "dpi.eval.json"))
      if os.path.exists(os.path.join(R, f))}
for k, e in ev.items():
    s = e["segmentation"]
    low = {c: sum(v < 0.3 for v in e["per_frame_dice"][c].values()) for c in ("vessel", "nerve")}
    print("| %s | %.3f (%d) | %.3f (%d) | %.2f / %.2f | %d / %d |" % (
        k, s["vessel"]["dice"], s["vessel"]["frames"], s["nerve"]["dice"], s["nerve"]["frames"],
        e["thresholds"]["vessel"], e["thresholds"]["nerve"], low["vessel"], low["nerve"]))
rng = np.random.default_rng(0)
if len(ev) == 2:
    for c in ("vessel", "nerve"):
        d = differences([(os.path.join(R, "plain.eval.json"), os.path.join(R, "dpi.eval.json"))], c)
        lo, hi = interval(d, rng)
        print("%s: per-image minus plain %+.3f over %d frames, 95%% bootstrap [%+.3f, %+.3f]" % (
            c, d.mean(), len(d), lo, hi))
