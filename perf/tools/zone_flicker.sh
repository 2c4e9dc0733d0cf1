#!/usr/bin/env bash
# Zone flicker before and after smoothing, in one command (issue 14): the same frames analysed with zone smoothing
# off (--zone-smoothing 1) and at each weight given, then perf/tools/zone_flicker.py on the runs; on the synthetic
# phantom also the ground truth (--model ground-truth), for Dice and lag.
# Usage: zone_flicker.sh INPUT OUTDIR [FRAMES (300)] [WEIGHTS ("0.5")] [FPS of the input, for the lag in ms (30)]
# INTRAVIS: how to run intravis (default: intravis on PATH; e.g. "java -jar surgical-ui/target/intravis.jar").
set -euo pipefail
input=$1 out=$2 frames=${3:-300} weights=${4:-0.5} fps=${5:-30}
run=${INTRAVIS:-intravis}
here=$(cd "$(dirname "$0")" && pwd)
runs=()
for w in 1 $weights; do
  $run analyze --input "$input" --output "$out/w$w" --zone-smoothing "$w" --max-frames "$frames" >/dev/null
  runs+=("$out/w$w/annotations.jsonl")
done
truth=()
if [[ $input == synthetic:* ]]; then
  $run analyze --input "$input" --output "$out/truth" --model ground-truth --max-frames "$frames" >/dev/null
  truth=(--truth "$out/truth/annotations.jsonl")
fi
python3 "$here/zone_flicker.py" "${runs[@]}" ${truth[@]+"${truth[@]}"} --fps "$fps"
