"""Zone id stability of an `intravis analyze` run: for each segmented zone that continues a zone of the same class
in the frame before (bounding-box IoU >= 0.5), whether it kept its id. Usage: zone_id_stability.py DIR/annotations.jsonl
(issue 14: zones that keep their identity; figures in the stop note of 2026-12-03)."""
import json, sys
def boxes(zs):
    out=[]
    for z in zs:
        if z.get('drawn'): continue
        pts=z['points']; xs=[p[0] for p in pts]; ys=[p[1] for p in pts]
        out.append((z['class'], z['id'], min(xs),min(ys),max(xs),max(ys)))
    return out
def iou(a,b):
    w=min(a[4],b[4])-max(a[2],b[2]); h=min(a[5],b[5])-max(a[3],b[3])
    if w<=0 or h<=0: return 0
    i=w*h; u=(a[4]-a[2])*(a[5]-a[3])+(b[4]-b[2])*(b[5]-b[3])-i
    return i/u if u>0 else 0
prev=None; same=diff=0; frames=0
for line in open(sys.argv[1]):
    o=json.loads(line)
    zs=o.get('zones') or []
    cur=boxes(zs); frames+=1
    if prev is not None:
        for c in cur:
            best=max([p for p in prev if p[0]==c[0]], key=lambda p: iou(p,c), default=None)
            if best is not None and iou(best,c)>=0.5:
                if best[1]==c[1]: same+=1
                else: diff+=1
    prev=cur
print(f"{sys.argv[1]}: frames {frames}, zone continuations {same+diff}, id kept {same}, id changed {diff} ({100*diff/max(1,same+diff):.1f} %)")
