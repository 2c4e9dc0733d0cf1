#!/usr/bin/env bash
# The model card's "At a glance" figures: intravis evaluate over the held-out real frames (one by one, as 15 and 60 fps
# video), their needle-free views, the robustness variants, the synthetic needles, the vessel/nerve split, and the same
# real frames through the network that never saw the clip (the stand-in for a scene the shipped network does not know).
# Run from gpu-inference/training after (README): make_needle_fixture.py, make_needle_val.py --out cache/needle-val,
# make_needle_variants.py --out VARIANTS; the jar built (mvn -q -B package -DskipTests). Reports into OUT; a table last.
#   results/glance/run.sh [OUT] [VARIANTS] [SHARED]
set -euo pipefail
out=${1:-/tmp/glance}; variants=${2:-/tmp/needle-variants}; shared=${3:-../../../shared}
jar=${JAR:-../../surgical-ui/target/intravis.jar}
fixture=../src/test/resources/real-needle
mkdir -p "$out"
run() { # NAME MODELS_DIR(or -) evaluate-args...
    local name=$1 md=$2; shift 2
    local extra=(); [ "$md" != - ] && extra=(--models-dir "$md")
    java -jar "$jar" evaluate --model ultrasound "${extra[@]}" --report "$out/$name.json" "$@" > /dev/null 2>&1
}
battery() { # PREFIX MODELS_DIR
    local p=$1 md=$2
    run "$p-held" "$md" --images $fixture/images --needle-masks $fixture/needle-masks
    run "$p-held15" "$md" --images $fixture/images --needle-masks $fixture/needle-masks --sequence --fps 15
    run "$p-held60" "$md" --images cache/needle-clip-seq/test/images --needle-masks cache/needle-clip-seq/test/needle-masks \
        --sequence --fps 60
    run "$p-free" "$md" --images $fixture/needle-free/images --needle-masks $fixture/needle-free/needle-masks
    run "$p-synthetic" "$md" --images cache/needle-val/images --needle-masks cache/needle-val/masks
    for v in "$variants"/*/; do
        v=$(basename "$v")
        run "$p-v-$v" "$md" --images "$variants/$v/all/images" --needle-masks "$variants/$v/all/needle-masks"
    done
}
battery shipped -
# the stand-in: the network trained without the clip under the shipped sidecar (as UnseenSceneFasciaTest runs it)
nc=$(mktemp -d); mkdir -p "$nc/ultrasound"
cp ../src/test/resources/unseen-scene/needle-abl-noclip.onnx "$nc/ultrasound/ultrasound.onnx"
/usr/bin/python3 - "$nc/ultrasound" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
s = json.load(open('../src/main/resources/models/ultrasound/ultrasound.json'))
s['version'] = '0.0.0-stand-in-without-the-clip'
s['fileSha256'] = hashlib.sha256(open(d + '/ultrasound.onnx', 'rb').read()).hexdigest()
json.dump(s, open(d + '/ultrasound.json', 'w'), indent=1)
PY
battery noclip "$nc"
# vessels and nerves on the 41 held-out real frames
seg=$(mktemp -d); mkdir -p "$seg/images" "$seg/masks"
while read -r f; do
    cp "$shared/data/ultrasound-nerve-vessel/images/$f" "$seg/images/"; cp "$shared/data/ultrasound-nerve-vessel/masks/$f" "$seg/masks/"
done < splits/ultrasound-val.txt
run segmentation - --images "$seg/images" --labels "$seg/masks" --classes nerve=1,vessel=2
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
f = lambda x: '-' if x is None else f'{x:.2f}'
for p in sorted(glob.glob(sys.argv[1] + '/*.json')):
    r = json.load(open(p)); n = r.get('needle')
    name = os.path.basename(p)[:-5]
    if n is None:
        print(f"{name:22s} vessel Dice {f(r['vessel']['dice'])}  nerve Dice {f(r['nerve']['dice'])}"); continue
    t, w = n['tip_error_px'], n['within']
    print(f"{name:22s} detection {f(n['detection_rate'])}  confident {f(n['confident_detection_rate'])}  "
          f"within {w['px']:.0f} px {f(w['detection_rate'])} / confident {f(w['confident_detection_rate'])}  "
          f"tip {f(t['median'])} / {f(t['p90'])} px  false pos. {f(n['false_positive_rate'])} / confident "
          f"{f(n['confident_false_positive_rate'])}")
PY
