#!/usr/bin/env bash
# Training on the GPU machine (its PyTorch with CUDA; no OpenCV there, none needed when training from a pool).
# The pool of pre-rendered samples goes over in chunks (each command there carries at most 64 MiB, tree included),
# like perf/gpu/run-gpu-bench.sh does with the jars.
#
# Here (the build machine), from the repository root:
#   gpu-inference/training/gpu_train.sh stage POOL [INIT.pt] [CHUNK_MB]
#        POOL: a pool in gpu-inference/training/cache/ (e.g. ultrasound-pool-b), recompressed (about 195 MB for 5,000
#        ultrasound samples); INIT.pt: a checkpoint to start from (or "-"); writes .gl/c1..cN and prints the commands
#   gpu-inference/training/gpu_train.sh check POOL
#        rehearses the device step here: the parts joined, OpenCV hidden, two tiny epochs on the CPU
# On the GPU machine (the last printed command):
#   gpu-inference/training/gpu_train.sh device TRAIN_ARGS...
#        joins the parts, runs train.py --device cuda TRAIN_ARGS (add --time-limit-min to stay inside the device time),
#        and puts model.pt, train.log and the GPU's description into $OUT. Then, here: export.py, evaluate.py (README).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tr=gpu-inference/training
mode=${1:-}
shift || true

stage() { # $1 pool, $2 init or -, $3 chunk MB
    local pool=$1 init=${2:--} chunk=${3:-54}
    [ -f "$tr/cache/$pool.npz" ] || { echo "no pool $tr/cache/$pool.npz (build_cache.py makes it)" >&2; exit 2; }
    rm -rf .gl && mkdir -p .gl/stage/cache .gl/stage/runs/init
    /usr/bin/python3 - "$tr/cache/$pool.npz" ".gl/stage/cache/$pool.npz" <<'EOF'
import sys
import numpy as np
d = np.load(sys.argv[1])
np.savez_compressed(sys.argv[2], **{k: d[k] for k in d.files})
EOF
    if [ "$init" != "-" ]; then cp "$init" .gl/stage/runs/init/model.pt; fi
    (cd .gl/stage && tar -cf ../payload.tar cache runs)
    rm -rf .gl/stage
    split -b "${chunk}000000" -d -a 2 .gl/payload.tar .gl/part.
    rm .gl/payload.tar
    local n=0
    for part in .gl/part.*; do n=$((n + 1)); mkdir -p ".gl/c$n"; mv "$part" ".gl/c$n/"; done
    echo "staged $n chunk(s) under .gl/ ($(du -sh .gl | cut -f1)); run these on the GPU machine back to back, each carrying its folder:"
    for i in $(seq 1 "$n"); do
        if [ "$i" -lt "$n" ]; then
            echo "  carry .gl/c$i, run: mkdir -p /tmp/gt && cp .gl/c$i/part.* /tmp/gt/"
        else
            echo "  carry .gl/c$i, run: bash $tr/gpu_train.sh device --task ultrasound --pool $pool" \
                "$([ "$init" != "-" ] && echo "--init runs/init/model.pt ")--epochs E --time-limit-min M ..."
        fi
    done
}

join_parts() { # joins /tmp/gt/part.* and the parts this command carried into $tr/{cache,runs}
    mkdir -p /tmp/gt
    cp .gl/c*/part.* /tmp/gt/ 2>/dev/null || true
    mkdir -p "$tr"
    cat /tmp/gt/part.* | tar -x -C "$tr"
}

case "$mode" in
    stage) stage "$@" ;;
    device)
        out=${OUT:-$root/$tr/runs/gpu-out}
        mkdir -p "$out"
        { nvidia-smi || true; python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"; } \
            > "$out/machine.txt" 2>&1
        cat "$out/machine.txt"
        join_parts
        cd "$tr"
        status=0
        python3 train.py --device cuda --threads 8 --watch none --out runs/gpu "$@" || status=$?
        cp runs/gpu/model.pt runs/gpu/train.log "$out/" 2>/dev/null || true
        echo "train.py exit $status; results: $out ($(ls "$out" | tr '\n' ' '))"
        exit "$status"
        ;;
    check)
        pool=${1:?usage: gpu_train.sh check POOL}
        stage "$pool" - 54 > /dev/null
        rm -rf /tmp/gt && mkdir -p /tmp/gt && cp .gl/c*/part.* /tmp/gt/
        work=$(mktemp -d)
        mkdir -p "$work/$tr" && cp "$tr"/*.py "$work/$tr/"
        (cd "$work" && mkdir -p .gl && join_parts)
        cd "$work/$tr"
        /usr/bin/python3 - --task ultrasound --pool "$pool" --device cpu --watch none --epochs 2 --per-epoch 32 \
            --batch 8 --out runs/check <<'EOF'
import runpy, sys
sys.modules["cv2"] = None  # as on the GPU machine: no OpenCV
sys.argv = ["train.py"] + sys.argv[1:]
runpy.run_path("train.py", run_name="__main__")
EOF
        ls -la runs/check
        ;;
    *)
        sed -n '2,16p' "$0"
        exit 2
        ;;
esac
