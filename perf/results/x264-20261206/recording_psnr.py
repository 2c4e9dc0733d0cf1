#!/usr/bin/env python3
import subprocess, numpy as np, sys
# recording_psnr.py A B: mean and lowest per-frame PSNR (grey) of A against B, frames paired by index (passthrough)
a, b = sys.argv[1], sys.argv[2]; W, H = 1920, 1080
def frames(f):
    p = subprocess.Popen(['ffmpeg','-v','quiet','-i',f,'-fps_mode','passthrough','-f','rawvideo','-pix_fmt','gray','-'], stdout=subprocess.PIPE)
    while True:
        buf = p.stdout.read(W*H)
        if len(buf) < W*H: return
        yield np.frombuffer(buf, np.uint8).astype(np.float32)
ps = []
for x, y in zip(frames(a), frames(b)):
    mse = ((x-y)**2).mean(); ps.append(99 if mse == 0 else 10*np.log10(255**2/mse))
ps = np.array(ps); print(f'{a}: frames {len(ps)} PSNR mean {ps.mean():.2f} lowest {ps.min():.2f} dB')
