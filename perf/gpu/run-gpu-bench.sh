#!/usr/bin/env bash
# The GPU benchmark of intravis: the latency harness with CUDA at 1, 4, 8 and 16 streams of 1080p at 30 and 60 fps,
# a CPU run and the naive baseline on the same machine, and the models per batch size, in one command.
#
# Here (the build machine), from the repository root:
#   perf/gpu/run-gpu-bench.sh stage [CHUNK_MB]   build; collect every runtime jar with the CUDA build of ONNX Runtime
#                                                 (org.bytedeco:onnxruntime:...:linux-x86_64-gpu, about 200 MB, from
#                                                 Maven Central) and FFmpeg's GPL build (-Pgpl: libx264 beside
#                                                 libopenh264, for step 1's libx264 run; nothing is passed on);
#                                                 cut it into .gpu/c1..cN with ../shared/gpu/stage.sh;
#                                                 print the commands to run on the GPU machine
#   perf/gpu/run-gpu-bench.sh stage-cpu          the same with the CPU natives (to check the staging here)
#   perf/gpu/run-gpu-bench.sh check              the device command on a tiny configuration, here, on the CPU
#                                                 (CUDA falls back to the CPU with a note): checks this script
# On the GPU machine (the last staged command runs it through .gpu/cN/run-on-device.sh):
#   perf/gpu/run-gpu-bench.sh device             everything, results into $OUT (at most 8 files come back: one
#                                                 archive with every report, and the summaries); TINY=true runs the
#                                                 tiny configuration of 'check' instead (to rehearse the staged run)
#
# Time on the GPU machine: about 7 minutes for the measurement (SECONDS_PER_RUN=10, WARMUP=4; MEASURE_LIMIT_S, default
# 420, caps it and what was measured still comes back), plus the start and the copies: the tree (27 MB) travels with
# every command and a command carries at most 64 MiB, hence chunks of 36 MB (nine commands took about 40 s in all).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mode=${1:-}

collect_jars() { # $1: maven profile args; jars into target/gpu-lib
    rm -rf target/gpu-lib
    mkdir -p target/gpu-lib
    # shellcheck disable=SC2086
    mvn -q -B $1 -pl perf -am package -DskipTests dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$root/target/gpu-lib"
    cp frame-pipeline/target/frame-pipeline-*.jar capture/target/capture-*.jar \
        gpu-inference/target/gpu-inference-*.jar overlay-streamer/target/overlay-streamer-*.jar \
        perf/target/perf-*.jar target/gpu-lib/
    # javacv pulls JavaFX for a converter intravis never loads: 5.6 MB less to carry
    rm -f target/gpu-lib/*-sources.jar target/gpu-lib/*-tests.jar target/gpu-lib/javafx-*.jar
}

stage() { # $1: maven profile args, $2: chunk MB
    collect_jars "$1"
    if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=true; else dirty=false; fi
    # ../shared/gpu/stage.sh, run from a copy that finds .git/info/exclude through git: in a worktree .git is a file
    local tools
    tools=$(mktemp -d)
    cp ../shared/gpu/stage.sh ../shared/gpu/run-on-device.sh "$tools/"
    sed -i 's#"$root/.git/info/exclude"#"$(git rev-parse --git-path info/exclude)"#g' "$tools/stage.sh"
    bash "$tools/stage.sh" target/gpu-lib "${2:-36}" | sed "s#java -cp '/tmp/g/lib/\*' your.Main args...#bash perf/gpu/run-gpu-bench.sh device#"
    last=$(ls -d .gpu/c* | sort -V | tail -1)
    echo "$(git rev-parse --short=12 HEAD) $dirty" > "$last/commit.txt"
    echo "(the last command runs: bash $last/run-on-device.sh bash perf/gpu/run-gpu-bench.sh device)"
}

measure() { # $1: class path, $2: results folder, $3: tiny (true/false)
    local cp=$1 work=$2 tiny=$3
    local res=1920x1080 streams=1,4,8,16 fps=30,60 fps_hi=60 four=4 many=16 warmup=${WARMUP:-4} seconds=${SECONDS_PER_RUN:-10}
    local batches=1,4,8,16 iterations=200
    if [ "$tiny" = true ]; then
        res=320x240 streams=1,2 fps=30 fps_hi=30 four=2 many=2 warmup=1 seconds=2 batches=1,4 iterations=10
    fi
    mkdir -p "$work"
    local java_opts="-Xms1g -XX:+UseG1GC"
    # Every step runs under what is left of MEASURE_LIMIT_S, so that the results measured so far are packed and come
    # back even when the device time runs short (a killed command returns nothing).
    local deadline=$((SECONDS + ${MEASURE_LIMIT_S:-420}))
    left() { local l=$((deadline - SECONDS)); if [ "$l" -lt 5 ]; then echo "(out of time: skipped)" >> "$work/log.txt"; return 1; fi; echo "$l"; }
    bench() {
        local l; l=$(left) || return 0
        # shellcheck disable=SC2086
        timeout "$l" java $java_opts -cp "$cp" org.intravis.perf.LatencyHarness "$@" 2>&1 \
            | grep -v -e OpenH264 -e '^\[libopenh264' -e '^\[libx264' | tee -a "$work/log.txt" || true
    }
    { nvidia-smi || echo "no nvidia-smi"; nproc; grep -m1 'model name' /proc/cpuinfo || true; java -version; } \
        > "$work/machine.txt" 2>&1
    # In order of what is worth most if the device time runs out (each step's report is kept as it is written).
    # 1. the targets first: 1 x 1080p60, and 16 x 1080p30 with the rows of a batch post-processed on one thread
    #    (as before 2026-12-04) and on the automatic count (a quarter of the cores, at most 4), at batches of 8 and 16
    #    rows (on CUDA every call runs at maxBatch rows); software H.264 (the H100/H200 have no NVENC: step 5)
    bench --streams 1 --fps "$fps_hi" --resolution "$res" --device cuda --no-baseline \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-1x60.json"
    bench --streams "$many" --fps 30 --resolution "$res" --device cuda --no-baseline --post-threads 1 \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-16x30-post1.json"
    bench --streams "$many" --fps 30 --resolution "$res" --device cuda --no-baseline \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-16x30-postauto.json"
    bench --streams "$many" --fps 30 --resolution "$res" --device cuda --no-baseline --max-batch "$many" \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-16x30-postauto-batch16.json"
    #    and the video with libx264 (the -Pgpl build's H.264: a 1080p frame in half libopenh264's time at the median
    #    and a quarter at the p99 on the build machine, BENCHMARKS.md "libx264"), the lever left for 16 x 1080p30 on a
    #    GPU without NVENC
    bench --streams "$many" --fps 30 --resolution "$res" --device cuda --no-baseline --h264-encoder libx264 \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-16x30-x264.json"
    # 2. the models alone on CUDA, per batch size (the CPU of that machine last, below)
    for model in ultrasound fluoroscopy; do
        echo "== $model on cuda" >> "$work/probes.txt"
        l=$(left) || continue
        timeout "$l" java -cp "$cp" org.intravis.inference.onnx.BackendProbe --model "$model" --device cuda \
            --batches "$batches" --iterations "$iterations" --warmup 10 --interleave >> "$work/probes.txt" 2>&1 \
            || echo "(probe of $model on cuda failed)" >> "$work/probes.txt"
    done
    # 3. the pipeline with CUDA and software H.264, as on 2026-11-28: 1, 4, 8, 16 streams of 1080p at 30 and 60 fps
    bench --streams "$streams" --fps "$fps" --resolution "$res" --device cuda --no-baseline \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda.json"
    # 4. on the same machine: the naive baseline (CUDA, batch 1), and ours on the CPU, 4 streams of 1080p30
    bench --streams "$four" --fps 30 --resolution "$res" --device cuda \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-vs-baseline-4streams.json"
    bench --streams "$four" --fps 30 --resolution "$res" --device cpu --no-baseline \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cpu-4streams.json"
    # 5. the video on NVENC, where the GPU has one (FFmpeg's h264_nvenc; libopenh264 takes over with a log line
    #    where it cannot open, as on the H200 on 2026-12-04)
    bench --streams "$many" --fps 30 --resolution "$res" --device cuda --no-baseline --h264-encoder h264_nvenc \
        --warmup "$warmup" --seconds "$seconds" --report "$work/cuda-nvenc-16x30.json"
    for model in ultrasound fluoroscopy; do
        echo "== $model on cpu" >> "$work/probes.txt"
        l=$(left) || continue
        timeout "$l" java -cp "$cp" org.intravis.inference.onnx.BackendProbe --model "$model" --device cpu \
            --batches "$batches" --iterations "$iterations" --warmup 10 >> "$work/probes.txt" 2>&1 \
            || echo "(probe of $model on cpu failed)" >> "$work/probes.txt"
    done
}

pack() { # $1: results folder, $2: OUT
    mkdir -p "$2"
    tar -czf "$2/gpu-bench.tar.gz" -C "$1" .
    cp "$1"/cuda-1x60.md "$1"/cuda-16x30-post1.md "$1"/cuda-16x30-postauto.md "$1"/cuda-16x30-x264.md \
        "$1"/cuda-summary.md "$1"/probes.txt "$1"/log.txt "$2"/ 2>/dev/null || true
    echo "results: $2 ($(ls "$2" | tr '\n' ' '))"
}

case "$mode" in
    stage) stage "-Pgpu -Pgpl" "${2:-36}" ;;
    stage-cpu) stage "-Pgpl" "${2:-36}" ;;
    device)
        commit=$(cat .gpu/c*/commit.txt 2>/dev/null | head -1 || true)
        export INTRAVIS_COMMIT=${commit%% *} INTRAVIS_DIRTY=${commit##* }
        work=$(mktemp -d)
        measure '/tmp/g/lib/*' "$work" "${TINY:-false}"
        pack "$work" "${OUT:-$root/perf/results/gpu-$(date +%Y%m%d-%H%M%S)}"
        ;;
    check)
        if [ ! -d target/gpu-lib ]; then collect_jars "-Pgpl"; fi
        work=$(mktemp -d)
        measure "$root/target/gpu-lib/*" "$work" true
        pack "$work" "${OUT:-$(mktemp -d)}"
        ;;
    *)
        sed -n '2,20p' "$0"
        exit 2
        ;;
esac
