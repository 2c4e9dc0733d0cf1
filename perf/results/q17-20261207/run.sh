#!/usr/bin/env bash
# q17: CPU criteria of issue 17 on today's head: three glass-to-glass runs, then bench --quick
cd /work/main
for r in 1 2 3; do
  sleep 30; uptime >> OUT/load.txt
  mvn -B -o -q -pl surgical-ui test -Dtest=GlassToGlassMeasurement -Dsurefire.failIfNoSpecifiedTests=false -Dmeasure.width=1280 -Dmeasure.height=720 -Dmeasure.fps=30 -Dmeasure.seconds=20 -Dmeasure.app=model -Dmeasure.warmup=15 > OUT/g2g-$r.log 2>&1
  cp surgical-ui/target/glass-to-glass.md OUT/g2g-$r.md
  echo "run $r $(date -u +%H:%M:%S)"; grep -E '^\| (h264|jpeg)' OUT/g2g-$r.md | cut -d'|' -f2-7
done
sleep 30; uptime >> OUT/load.txt
java -jar surgical-ui/target/intravis.jar bench --quick --report OUT/quick.json > OUT/quick.log 2>&1
echo "quick done $(date -u +%H:%M:%S)"; tail -30 OUT/quick.log
