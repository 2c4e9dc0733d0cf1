"""Would a least confidence to draw a needle at all remove the unseen scene's false needles? (2026-12-07)

Reads `intravis evaluate --dump` folders (predictions.json with tip_confidence, needle_in_truth, tip_error_px) named
A-tune (the network without the clip on the clip's tuning part: every tip it shows is wrong) and B-* (the shipped
network on synthetic and simulated needles), from DIR (default mc), and counts, per cutoff, the right tips (within
20 px) and wrong ones it would take away. Commands in README.md, "A least confidence to draw a needle".
"""
import sys
import json
DIR = sys.argv[1] if len(sys.argv) > 1 else 'mc'
def load(d):
    return json.load(open(f'{DIR}/{d}/predictions.json'))['frames']
cuts=[0.02,0.05,0.10]
for d in ['A-tune','B-synth','B-sim-gel','B-sim-tissue','B-steep-all']:
    fr=load(d); nf=sum(1 for f in fr if f.get('needle_in_truth')); cf=len(fr)-nf
    shown=[f for f in fr if f['tip'] is not None]
    def right(f): return f.get('needle_in_truth') and f.get('tip_error_px') is not None and f['tip_error_px']<=20
    lows=sorted((f['tip_confidence'], 'R' if right(f) else ('FP' if not f.get('needle_in_truth') else 'W')) for f in shown if f['tip_confidence']<0.5)
    print(d, 'needle frames',nf,'clean',cf,'shown',len(shown),'right',sum(right(f) for f in shown),'wrong',sum(not right(f) for f in shown))
    print('   low needles (conf, kind):', ' '.join(f'{c:.3f}{k}' for c,k in lows))
    for c in cuts:
        rem=[f for f in shown if f['tip_confidence']<c]
        print(f'   cut {c}: removes right {sum(right(f) for f in rem)} wrong-on-needle-frame {sum(1 for f in rem if f.get("needle_in_truth") and not right(f))} FP {sum(1 for f in rem if not f.get("needle_in_truth"))}')
