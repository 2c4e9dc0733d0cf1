#!/usr/bin/env bash
# Five-fold cross-validation of the ultrasound network's training schedule (issue 14), split by image
# (make_folds.py: splits/ultrasound-fold1..5.txt), plus the same schedule on all 204 images (the model to ship).
# Each run is the shipped three-stage schedule (README, "3. training"), on pools built from all 204 images
# (build_cache.py --images all) with the fold's images left out at training time (train.py --exclude-split).
#
# Here (the build machine), from the repository root:
#   gpu-inference/training/cross_validate.sh pools        build the two pools (about 3 min of this CPU)
#   gpu-inference/training/cross_validate.sh cpu K...     train folds K (1..5, or "all") here: about 70 min each
#   gpu-inference/training/cross_validate.sh stage        pack both pools into .gl/c1..cN for the GPU machine
#   gpu-inference/training/cross_validate.sh check        rehearse the device step here (OpenCV hidden, tiny epochs)
#   gpu-inference/training/cross_validate.sh evaluate     score each fold's model on its held-out images and summarise
#                                                        (the folds trained so far; fold 1 without its own run: the
#                                                        shipped graph, trained on the other four folds' images)
# ARM=ssl before any of these: the same schedule after self-supervised pre-training (build_unlabelled.py, pretrain.py;
# stage 1 starts from its weights: train.py --init-backbone), in runs/cv-ssl-K; "pools" then builds the unlabelled pool.
# ARM=dpi: the same schedule with a per-image soft Dice in stage 3 (train.py --dice-per-image: a small nerve weighs as
# much as a large vessel), in runs/cv-dpi-K
# STAGE=NAME before "evaluate": score and summarise another last stage kept beside stage3 (runs/cv-ARM-K/NAME)
# On the GPU machine, after the chunks (the commands "stage" prints):
#   bash gpu-inference/training/cross_validate.sh device [MINUTES]
#        joins the parts, trains the six runs side by side on CUDA (each stage capped at MINUTES / 3, default 8),
#        and puts every runs/cv-*/stage3/model.pt and the logs into $OUT. Then, here: the files back into
#        gpu-inference/training/runs/ (same paths) and "evaluate".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tr=gpu-inference/training
mode=${1:-}
shift || true
POOL_A=ultrasound-cv-pool
POOL_B=ultrasound-cv-pool-b
PY=${PY:-/usr/bin/python3}

# the arm: "base" (the shipped schedule), "ssl" (the same after self-supervised pre-training, pretrain.py, on the
# unlabelled pool without the fold's images: stage 1 starts from its weights) or "dpi" (per-image Dice in stage 3);
# runs/cv-K, runs/cv-ssl-K or runs/cv-dpi-K
ARM=${ARM:-base}
case "$ARM" in base | ssl | dpi) ;; *) echo "ARM must be base, ssl or dpi, not '$ARM'" >&2; exit 2 ;; esac
POOL_U=ultrasound-unlabelled
run_dir() { if [ "$ARM" = base ]; then echo "runs/cv-$1"; else echo "runs/cv-$ARM-$1"; fi; }

# the shipped schedule, for one run: $1 fold (1..5 or all), $2 device, $3 minutes per stage (or "")
schedule() {
    local k=$1 device=$2 limit=${3:-} out ex=() lim=() init1=()
    out=$(run_dir "$k")
    [ "$k" != all ] && ex=(--exclude-split "ultrasound-fold$k.txt")
    [ -n "$limit" ] && lim=(--time-limit-min "$limit")
    local common=(--task ultrasound --per-epoch 640 --watch none --device "$device" --threads 2 "${ex[@]}" "${lim[@]}")
    mkdir -p "$out"
    # a stage that finished (its DONE marker) is not run again: an interrupted run resumes at its next stage
    if [ "$ARM" = ssl ]; then
        stage_run "$out/stage0" pretrain.py --pool $POOL_U --epochs 30 --per-epoch 640 --device "$device" --threads 2 \
            "${ex[@]}" "${lim[@]}"
        init1=(--init-backbone "$out/stage0/model.pt")
    fi
    stage_run "$out/stage1" train.py "${common[@]}" --pool $POOL_A "${init1[@]}" --epochs 36 --seed 1
    stage_run "$out/stage2" train.py "${common[@]}" --pool $POOL_B --init "$out/stage1/model.pt" --epochs 40 \
        --stop-after 30 --lr 0.002 --needle-dice-weight 0.5 --seed 2
    local dpi=()
    [ "$ARM" = dpi ] && dpi=(--dice-per-image)
    stage_run "$out/stage3" train.py "${common[@]}" --pool $POOL_B --init "$out/stage2/model.pt" --epochs 30 \
        --lr 0.001 --needle-dice-weight 0.5 --fan-share 0.35 --seed 3 "${dpi[@]}"
}

stage_run() { # $1 output folder, $2 the script (train.py, pretrain.py), then its arguments
    local dir=$1 script=$2
    shift 2
    [ -f "$dir/DONE" ] && { echo "$dir: done before, kept"; return 0; }
    rm -rf "$dir"
    OMP_WAIT_POLICY=PASSIVE $PY "$script" "$@" --out "$dir"
    touch "$dir/DONE"
}

pack() { # the two pools, recompressed, split into chunks the device tool can carry (64 MiB a call)
    rm -rf .gl && mkdir -p .gl/stage/cache
    local pools=($POOL_A $POOL_B)
    if [ "$ARM" = ssl ]; then pools+=($POOL_U); fi
    for p in "${pools[@]}"; do
        [ -f "$tr/cache/$p.npz" ] || { echo "no pool $tr/cache/$p.npz: run '$0 pools' first" >&2; exit 2; }
        $PY -c "import sys, numpy as np; d = np.load(sys.argv[1]); np.savez_compressed(sys.argv[2], **{k: d[k] for k in d.files})" \
            "$tr/cache/$p.npz" ".gl/stage/cache/$p.npz"
    done
    (cd .gl/stage && tar -cf ../payload.tar cache)
    rm -rf .gl/stage
    split -b 54000000 -d -a 2 .gl/payload.tar .gl/part.
    rm .gl/payload.tar
    local n=0
    for part in .gl/part.*; do n=$((n + 1)); mkdir -p ".gl/c$n"; mv "$part" ".gl/c$n/"; done
    echo "$n"
}

join_parts() { # /tmp/cv/part.* plus the parts this command carried -> $tr/cache
    mkdir -p /tmp/cv
    cp .gl/c*/part.* /tmp/cv/ 2>/dev/null || true
    cat /tmp/cv/part.* | tar -x -C "$tr"
}

case "$mode" in
    pools)
        # the phantom frames every ultrasound pool mixes in (30 %, as the shipped schedule: the default demo's source
        # stays in distribution), dumped by the Java phantom as README step 1 does
        if [ ! -d "$tr/cache/phantom-ultrasound" ]; then
            jar=surgical-ui/target/intravis.jar
            [ -f "$jar" ] || { echo "the phantom frames need $jar: mvn -q -B package -DskipTests first" >&2; exit 2; }
            for seed_size in 1:1280x720 2:1280x720 3:1920x1080 4:1024x768; do
                java -cp "$jar" org.intravis.capture.synthetic.PhantomDump ultrasound 100 "${seed_size#*:}" \
                    "${seed_size%%:*}" 13 "$tr/cache/phantom-ultrasound/s${seed_size%%:*}"
            done
        fi
        cd "$tr"
        $PY make_folds.py
        $PY build_cache.py --task ultrasound --images all --n 7000 --seed 51 --name $POOL_A
        $PY build_cache.py --task ultrasound --images all --n 5000 --seed 53 --name $POOL_B
        if [ "$ARM" = ssl ]; then $PY build_unlabelled.py --n 6000 --seed 61 --name $POOL_U; fi
        ;;
    cpu)
        cd "$tr"
        ks=("$@")
        [ ${#ks[@]} -eq 0 ] && ks=(1 2 3 4 5 all)
        for k in "${ks[@]}"; do schedule "$k" cpu; done
        ;;
    stage)
        n=$(pack)
        echo "staged $n chunk(s) under .gl/ ($(du -sh .gl | cut -f1)); on the GPU machine, back to back, each carrying its folder:"
        for i in $(seq 1 "$n"); do
            if [ "$i" -lt "$n" ]; then
                echo "  carry .gl/c$i, run: mkdir -p /tmp/cv && cp .gl/c$i/part.* /tmp/cv/"
            else
                echo "  carry .gl/c$i, run: ARM=$ARM bash $tr/cross_validate.sh device 8"
            fi
        done
        ;;
    device)
        minutes=${1:-8}
        out=${OUT:-$root/$tr/runs/cv-out}
        mkdir -p "$out"
        { nvidia-smi || true; python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"; } \
            > "$out/machine.txt" 2>&1
        join_parts
        cd "$tr"
        PY=python3
        stages=3
        if [ "$ARM" = ssl ]; then stages=4; fi # the pre-training is a stage too
        per_stage=$(python3 -c "print(round($minutes / $stages, 2))")
        pids=()
        for k in 1 2 3 4 5 all; do
            (schedule "$k" cuda "$per_stage" > "$(run_dir "$k").log" 2>&1) &
            pids+=($!)
        done
        status=0
        for p in "${pids[@]}"; do wait "$p" || status=1; done
        for k in 1 2 3 4 5 all; do
            d=$(run_dir "$k")
            mkdir -p "$out/$d/stage3"
            cp "$d.log" "$out/runs/" 2>/dev/null || true
            for st in "$d"/stage*; do cp "$st/train.log" "$out/$d/$(basename "$st").log" 2>/dev/null || true; done
            cp "$d/stage3/model.pt" "$out/$d/stage3/" 2>/dev/null || status=1
        done
        echo "cross-validation runs exit $status; results under $out"
        exit "$status"
        ;;
    check)
        n=$(pack)
        rm -rf /tmp/cv && mkdir -p /tmp/cv && cp .gl/c*/part.* /tmp/cv/
        work=$(mktemp -d)
        mkdir -p "$work/$tr/splits" && cp "$tr"/*.py "$tr/cross_validate.sh" "$work/$tr/" && cp "$tr"/splits/*.txt "$work/$tr/splits/"
        (cd "$work" && mkdir -p .gl && join_parts)
        cd "$work/$tr"
        # as on the GPU machine: no OpenCV (a stand-in module that refuses to load), two folds, tiny epochs, CPU
        mkdir -p nocv && printf 'raise ImportError("no OpenCV on the GPU machine")\n' > nocv/cv2.py
        for k in 2 all; do
            out=$(run_dir "$k")
            ex=(); [ "$k" != all ] && ex=(--exclude-split "ultrasound-fold$k.txt")
            init1=()
            if [ "$ARM" = ssl ]; then
                PYTHONPATH=nocv $PY pretrain.py --pool $POOL_U --epochs 1 --per-epoch 16 --batch 8 "${ex[@]}" --out "$out/stage0"
                init1=(--init-backbone "$out/stage0/model.pt")
            fi
            PYTHONPATH=nocv $PY train.py --task ultrasound --pool $POOL_A --epochs 1 --per-epoch 16 --batch 8 --watch none \
                "${init1[@]}" "${ex[@]}" --out "$out/stage1"
            PYTHONPATH=nocv $PY train.py --task ultrasound --pool $POOL_B --init "$out/stage1/model.pt" --epochs 1 \
                --per-epoch 16 --batch 8 --fan-share 0.35 --watch none "${ex[@]}" --out "$out/stage3"
        done
        ls -la "$(run_dir 2)/stage3" "$(run_dir all)/stage3"
        echo "rehearsal passed ($n chunk(s)); work dir $work"
        ;;
    evaluate)
        cd "$tr"
        # each fold's own run; fold 1 (the validation split) without one: the shipped graph, which the card's schedule
        # trained on the other four folds' images (pools built from those images only, not the shared CV pools)
        # STAGE=NAME: another last stage kept beside stage3 in each run (runs/cv-ARM-K/NAME, scored into NAME.eval.json)
        stage=${STAGE:-stage3}
        ev=eval.json
        [ "$stage" != stage3 ] && ev=$stage.eval.json
        for k in 1 2 3 4 5; do
            d=$(run_dir "$k")
            if [ -f "$d/$stage/model.pt" ]; then
                [ "$d/$ev" -nt "$d/$stage/model.pt" ] || $PY evaluate.py --task ultrasound --fold "$k" \
                    --checkpoint "$d/$stage/model.pt" --mirror-average --crop-to-content \
                    --out "$d/$ev" > /dev/null
            elif [ "$k" = 1 ] && [ "$ARM" = base ]; then
                [ -f "runs/cv-1/eval.json" ] || $PY evaluate.py --task ultrasound --fold 1 \
                    --onnx ../src/main/resources/models/ultrasound/ultrasound.onnx \
                    --out runs/cv-1/eval.json > /dev/null
            else
                echo "fold $k: no $d/$stage/model.pt (train it: ARM=$ARM $0 cpu $k); left out of the summary" >&2
            fi
        done
        RUNS=$(run_dir "") EV=$ev STAGE=$stage $PY - <<'EOF'
import json
import os
import numpy as np
prefix, ev, stage = os.environ["RUNS"], os.environ["EV"], os.environ["STAGE"]
folds = [json.load(open("%s%d/%s" % (prefix, k, ev))) for k in range(1, 6) if os.path.exists("%s%d/%s" % (prefix, k, ev))]
print("arm %s, last stage %s" % (prefix, stage))
if not folds:
    raise SystemExit("no fold of %s has %s scored: nothing to summarise" % (prefix, stage))
print("folds scored: %s of 5" % ", ".join(str(f["fold"]) for f in folds))
rng = np.random.default_rng(0)
summary = {"arm": prefix, "stage": stage, "folds": [], "classes": {}}
print("| fold | held-out images | vessel Dice (frames) | nerve Dice (frames) | thresholds vessel / nerve |")
print("| --- | --- | --- | --- | --- |")
for f in folds:
    s = f["segmentation"]
    print("| %d | %d | %.3f (%d) | %.3f (%d) | %.2f / %.2f |" % (f["fold"], f["held_out"], s["vessel"]["dice"],
          s["vessel"]["frames"], s["nerve"]["dice"], s["nerve"]["frames"], f["thresholds"]["vessel"], f["thresholds"]["nerve"]))
    summary["folds"].append({"fold": f["fold"], "held_out": f["held_out"], "segmentation": s, "thresholds": f["thresholds"]})
for c in ("vessel", "nerve"):
    per_fold = np.array([f["segmentation"][c]["dice"] for f in folds])
    pooled = np.array([d for f in folds for d in f["per_frame_dice"][c].values()])
    boot = np.array([rng.choice(pooled, len(pooled)).mean() for _ in range(10000)])
    print("%s: folds mean %.3f, sd %.3f (min %.3f, max %.3f); pooled over %d frames %.3f, 95 %% bootstrap [%.3f, %.3f]"
          % (c, per_fold.mean(), per_fold.std(ddof=1), per_fold.min(), per_fold.max(), len(pooled), pooled.mean(),
             np.percentile(boot, 2.5), np.percentile(boot, 97.5)))
    summary["classes"][c] = {"folds_mean": round(float(per_fold.mean()), 4), "folds_sd": round(float(per_fold.std(ddof=1)), 4),
                             "pooled_frames": len(pooled), "pooled_mean": round(float(pooled.mean()), 4),
                             "pooled_bootstrap95": [round(float(np.percentile(boot, q)), 4) for q in (2.5, 97.5)]}
# the figures the shipped model's sidecar quotes (export_needle.py --cross-validation)
out = prefix + ("summary.json" if stage == "stage3" else stage + "-summary.json")
json.dump(summary, open(out, "w"), indent=2)
print("wrote %s" % out)
EOF
        ;;
    *)
        sed -n '2,19p' "$0"
        exit 2
        ;;
esac
