"""Adapts the shipped needle network to a site in one command: steps 2-3 of README "Adapting the needle network to a
site" (the pool with the site's marked frames, the shipped needle network as the start, the fine-tune, the export
with its step-down graph), each run as its own script with the same settings as written there.

    /usr/bin/python3 site_adapt.py --marks DATA_DIR/needle-marks/SESSION [--marks ANOTHER_SESSION ...] \
        --models-dir /path/to/models [--name site-a]

--marks takes the folders the replay view's "mark needle" writes (or site_labels.py's); give several marked
recordings of the site rather than one. The exported sidecar keeps the shipped thresholds. Step 4 (measuring the
adapted network on the site's other recordings) is printed at the end, not run: it needs frames this did not train on.
About 4 min for the pool and 7-12 min of training on 2 CPU cores; --device cuda on the GPU machine.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from common import model_file

HERE = os.path.dirname(os.path.abspath(__file__))


def run(step, args):
    print("== %s: %s" % (step, " ".join(args)), flush=True)
    t0 = time.time()
    r = subprocess.run([sys.executable] + args, cwd=HERE)
    if r.returncode != 0:
        raise SystemExit("%s failed (exit %d): nothing exported; the command above says why" % (step, r.returncode))
    print("   %s done in %.1f min" % (step, (time.time() - t0) / 60), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--marks", action="append", required=True, help="a marked recording's folder (repeat for more)")
    ap.add_argument("--models-dir", required=True, help="where the adapted ultrasound model goes (intravis --models-dir)")
    ap.add_argument("--name", default="site", help="names the pool, the run and the version suffix")
    ap.add_argument("--base", default=model_file("ultrasound", "onnx"), help="the ultrasound model to adapt")
    ap.add_argument("--start", default=None,
                    help="the needle network to start from, if not --base's (e.g. a network that never saw the "
                         "scene, to measure the step on a stand-in; with its sidecar beside it)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--per-epoch", type=int, default=640)
    ap.add_argument("--n", type=int, default=8000, help="pool size (drawn needles and the site's frames)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    for m in a.marks:
        if not os.path.isfile(os.path.join(m, "labels.json")):
            raise SystemExit("%s has no labels.json: give the folder the replay view's marks are in "
                             "(<dataDir>/needle-marks/<session>) or site_labels.py's --out" % m)
    start_side = os.path.splitext(a.start or a.base)[0] + ".json"
    if not os.path.isfile(start_side):
        # found late before: the run failed after building the pool (4 min) with a bare FileNotFoundError
        raise SystemExit("%s needs its sidecar %s beside it (for a network exported with the ultrasound graph, a "
                         "copy of %s)" % (a.start or a.base, start_side, os.path.splitext(a.base)[0] + ".json"))
    side = json.load(open(os.path.splitext(a.base)[0] + ".json"))
    version = "%s-%s" % (side["version"], a.name)
    pool = "needle-pool-%s" % a.name
    init = os.path.join("runs", "%s-init" % a.name, "model.pt")
    out = os.path.join("runs", "needle-%s" % a.name)

    cache = ["build_cache.py", "--task", "needle", "--n", str(a.n), "--seed", "41", "--v1-share", "0.3",
             "--gel-share", "0.08", "--transplant-share", "0.4", "--name", pool]
    for m in a.marks:
        cache += ["--clip-dir", os.path.abspath(m)]
    run("pool", cache)
    run("start", ["init_from_onnx.py", "--onnx", os.path.abspath(a.start or a.base), "--needle-network", "--channels",
                  "needle,tip", "--out", init])
    run("fine-tune", ["train.py", "--task", "needle", "--arch", "ultrasound", "--freeze-bn", "--per-epoch",
                      str(a.per_epoch), "--fan-share", "0.2", "--watch", "none", "--init", init, "--pool", pool,
                      "--epochs", str(a.epochs), "--lr", "0.0003", "--seed", str(a.seed), "--threads",
                      str(a.threads), "--device", a.device, "--out", out])
    models = os.path.abspath(a.models_dir)
    run("export", ["export_needle.py", "--needle", os.path.join(out, "model.pt"), "--base", os.path.abspath(a.base),
                   "--version", version, "--models-dir", models])
    run("step-down graph", ["export_single_pass.py", "--full", os.path.join(models, "ultrasound", "ultrasound.onnx")])
    print("\nultrasound %s is in %s. Before using it, measure it on marked frames of the site's OTHER recordings:\n"
          "  /usr/bin/python3 labels_to_eval.py --labels DATA_DIR/needle-marks/OTHER_SESSION --out EVAL\n"
          "  intravis evaluate --model ultrasound --models-dir %s --images EVAL/images --needle-masks EVAL/needle-masks "
          "--report site.json\n" % (version, models, models))


if __name__ == "__main__":
    main()
