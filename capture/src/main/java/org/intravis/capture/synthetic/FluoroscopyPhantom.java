package org.intravis.capture.synthetic;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.GroundTruth;

import java.util.Arrays;

/**
 * An X-ray fluoroscopy phantom: a round image-intensifier field on black, soft anatomy (vertebral column with
 * pedicles, ribs, bowel gas), a darker contrast roadmap (a branching vessel tree), quantum mottle that changes
 * every frame, and a guidewire that advances from the access vessel at the field's edge along the tree into a
 * branch, holds, retracts, and is absent for a moment per 16 s cycle. Dense is dark, as displayed clinically.
 * <p>
 * Anatomy and roadmap are one precomputed picture; per frame the wire is stamped into an attenuation layer
 * (cleared again as it is consumed) and each pixel is background + signal-dependent noise (from a precomputed
 * noise table at a per-frame offset) times the wire's transmission.
 */
final class FluoroscopyPhantom implements PhantomRenderer {
    static final double CYCLE_S = 16.0;
    static final double FIELD_MM = 230.0;
    private static final int NOISE_BITS = 22;
    private static final int NOISE_MASK = (1 << NOISE_BITS) - 1;
    private static final int MAX_PATH = 1 << 16;

    private final int w;
    private final int h;
    private final long seed;
    private final double cx;
    private final double cy;
    private final double radius;

    private final byte[] background;
    private final byte[] staticLabels;
    private final byte[] wire;     // attenuation 0..255 of the wire this frame
    private final byte[] noise;    // signed, sd ~ 32
    private final int[] noiseScale = new int[256];

    // wire paths: from the access point at the field's edge along the trunk into one branch
    private final int pathCount;
    private final float[][] pathX;
    private final float[][] pathY;
    private final int[] pathLen;
    // stamps
    private final int wireR;
    private final int tipR;
    private final byte[] wireKernel;
    private final byte[] tipKernel;

    private boolean wireVisible;
    private float tipX;
    private float tipY;
    private float entryX;
    private float entryY;
    private int stampY0;
    private int stampY1;
    private int stampX0;
    private int stampX1;

    FluoroscopyPhantom(int width, int height, long seed) {
        this.w = width;
        this.h = height;
        this.seed = seed;
        cx = width / 2.0;
        cy = height / 2.0;
        radius = Math.min(width, height) * 0.49;
        background = new byte[w * h];
        staticLabels = new byte[w * h];
        wire = new byte[w * h];
        noise = new byte[1 << NOISE_BITS];
        double k = radius / 350.0;
        wireR = Math.max(1, (int) Math.round(1.4 * k));
        tipR = Math.max(2, (int) Math.round(3.0 * k));
        wireKernel = kernel(wireR + 0.4, 235);
        tipKernel = kernel(tipR + 0.4, 250);

        PhantomRandom rnd = new PhantomRandom(seed, 101);
        float[] density = new float[w * h];
        anatomy(density, new PhantomRandom(seed, 102));
        float[] vessels = new float[w * h];
        int maxPaths = 24;
        float[][] px = new float[maxPaths][];
        float[][] py = new float[maxPaths][];
        int[] pl = new int[maxPaths];
        pathCount = vesselTree(vessels, rnd, px, py, pl);
        pathX = px;
        pathY = py;
        pathLen = pl;
        compose(density, vessels);
        PhantomRandom nr = new PhantomRandom(seed, 103);
        float[] nf = new float[1 << NOISE_BITS];
        for (int i = 0; i < nf.length; i++) {
            nf[i] = nr.gaussianFast();
        }
        // quantum mottle is slightly correlated by the detector's blur
        Fields.blur(nf, 1 << 11, 1 << 11, 0.6 * Math.max(1, k), 0.6 * Math.max(1, k));
        double var = 0;
        for (float v : nf) {
            var += v * v;
        }
        double sd = Math.sqrt(var / nf.length);
        for (int i = 0; i < nf.length; i++) {
            noise[i] = (byte) Math.max(-127, Math.min(127, Math.round(nf[i] / sd * 32)));
        }
        for (int v = 0; v < 256; v++) {
            // Poisson-like: sd grows with the square root of the signal; ~9 grey levels at mid grey
            noiseScale[v] = (int) Math.round(256 * 9.0 / 32 * Math.sqrt(v / 128.0));
        }
    }

    private static byte[] kernel(double r, int peak) {
        int n = (int) Math.ceil(r) * 2 + 1;
        byte[] k = new byte[n * n];
        int c = n / 2;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double d = Math.hypot(x - c, y - c);
                // a round wire's projected thickness: sqrt(1 - (d/r)^2), anti-aliased at the edge
                double v = d < r ? Math.sqrt(1 - (d / r) * (d / r)) : 0;
                v = Math.max(v, Math.max(0, Math.min(1, r + 0.5 - d)) * 0.5);
                k[y * n + x] = (byte) Math.round(peak * Math.min(1, v * 1.4));
            }
        }
        return k;
    }

    @Override
    public double defaultPixelSpacingMm() {
        return FIELD_MM / (2 * radius);
    }

    // ------------------------------------------------------------------------------------------------ build

    private void anatomy(float[] d, PhantomRandom rnd) {
        double r = radius;
        double spineX = cx + r * rnd.uniform(-0.12, 0.12);
        double tilt = rnd.uniform(-0.08, 0.08);
        double bodyW = r * 0.2;
        double bodyH = r * 0.15;
        double discH = r * 0.04;
        double phase = rnd.uniform(0, bodyH + discH);
        float[] lf = Fields.valueNoise(w, h, r * 0.3, r * 0.3, rnd);
        float[] gas = Fields.valueNoise(w, h, r * 0.09, r * 0.07, rnd);
        Fields.blur(gas, w, h, r * 0.03, r * 0.03);
        double ribStart = rnd.uniform(-0.9, -0.6);
        for (int y = 0; y < h; y++) {
            double sx = spineX + (y - cy) * tilt;
            double vy = (y - cy + r + phase) % (bodyH + discH);
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double dens = 0.45 + 0.12 * lf[i];
                // bowel gas: soft lucent blobs, mostly in the lower field
                double gl = Fields.smoothstep(0.15, 0.55, gas[i]) * Fields.smoothstep(-0.3 * r, 0.2 * r, y - cy);
                dens -= 0.18 * gl;
                // vertebral bodies: rounded blocks with a denser cortical rim
                double ax = Math.abs(x - sx) / (bodyW * 0.5);
                if (ax < 1 && vy < bodyH) {
                    double ayb = Math.abs(vy - bodyH * 0.5) / (bodyH * 0.5);
                    double q = ax * ax * ax * ax + ayb * ayb * ayb * ayb;
                    if (q < 1) {
                        double body = Math.sqrt(1 - q);
                        dens += 0.28 * body + 0.12 * Math.exp(-Math.pow((1 - q) * 5, 2));
                    }
                }
                double pedY = vy - bodyH * 0.3;
                for (int side = -1; side <= 1; side += 2) {
                    double pxd = (x - (sx + side * bodyW * 0.32)) / (bodyW * 0.13);
                    double pyd = pedY / (bodyH * 0.2);
                    double q = pxd * pxd + pyd * pyd;
                    if (q < 1.6 && vy < bodyH) {
                        dens += 0.12 * Math.exp(-Math.pow((Math.sqrt(q) - 1) * 3, 2));
                    }
                }
                // ribs in the upper field: arcs leaving the spine and curving down and out
                double ry = (y - cy) / r;
                if (ry < 0.15) {
                    double lx = Math.abs(x - sx) / r;
                    if (lx > 0.1) {
                        double drop = 0.35 * lx * lx;
                        double band = (ry - ribStart - drop) / 0.19;
                        double fr = band - Math.floor(band);
                        double prof = Math.exp(-Math.pow((fr - 0.5) / 0.12, 2));
                        if (band >= 0 && band < 5) {
                            dens += 0.16 * prof * Math.min(1, (lx - 0.1) * 6);
                        }
                    }
                }
                d[i] = (float) dens;
            }
        }
    }

    /** Draws the tree into {@code v} (contrast density 0..1) and returns the wire paths (one per leaf). */
    private int vesselTree(float[] v, PhantomRandom rnd, float[][] px, float[][] py, int[] pl) {
        double r = radius;
        // trunk: enters at the lower field edge, runs up with a gentle S-curve
        double a0 = Math.toRadians(rnd.uniform(100, 125) * (rnd.nextDouble() < 0.5 ? 1 : -1) + 90);
        double sx = cx + Math.cos(a0) * r * 1.02;
        double sy = cy + Math.abs(Math.sin(a0)) * r * 1.02;
        float[] tx = new float[MAX_PATH];
        float[] ty = new float[MAX_PATH];
        float[] tw = new float[MAX_PATH];
        double heading = Math.atan2(cy - r * 0.55 - sy, cx + r * rnd.uniform(-0.2, 0.2) - sx);
        int tn = curve(tx, ty, tw, 0, sx, sy, heading, r * 1.25, r * 0.035, r * 0.022, rnd, 0.0025);
        paint(v, tx, ty, tw, tn);
        int paths = 0;
        int branches = 4 + rnd.nextInt(3);
        float[] bx = new float[MAX_PATH];
        float[] by = new float[MAX_PATH];
        float[] bw = new float[MAX_PATH];
        for (int b = 0; b < branches && paths < px.length - 2; b++) {
            int at = (int) (tn * rnd.uniform(0.25, 0.85));
            double th = Math.atan2(ty[Math.min(at + 3, tn - 1)] - ty[at], tx[Math.min(at + 3, tn - 1)] - tx[at]);
            double side = rnd.nextDouble() < 0.5 ? -1 : 1;
            double bh = th + side * Math.toRadians(rnd.uniform(30, 70));
            int bn = curve(bx, by, bw, 0, tx[at], ty[at], bh, r * rnd.uniform(0.3, 0.6), tw[at] * 0.7, tw[at] * 0.3, rnd, 0.012);
            paint(v, bx, by, bw, bn);
            paths = addPath(px, py, pl, paths, tx, ty, at, bx, by, bn);
            // one sub-branch
            if (bn > 20 && rnd.nextDouble() < 0.8) {
                float[] cxs = new float[MAX_PATH];
                float[] cys = new float[MAX_PATH];
                float[] cws = new float[MAX_PATH];
                int at2 = (int) (bn * rnd.uniform(0.35, 0.7));
                double th2 = Math.atan2(by[Math.min(at2 + 3, bn - 1)] - by[at2], bx[Math.min(at2 + 3, bn - 1)] - bx[at2]);
                double bh2 = th2 - side * Math.toRadians(rnd.uniform(30, 60));
                int cn = curve(cxs, cys, cws, 0, bx[at2], by[at2], bh2, r * rnd.uniform(0.15, 0.3), bw[at2] * 0.75, bw[at2] * 0.45, rnd, 0.01);
                paint(v, cxs, cys, cws, cn);
                float[] jx = new float[at + at2 + cn + 4];
                float[] jy = new float[jx.length];
                System.arraycopy(tx, 0, jx, 0, at);
                System.arraycopy(ty, 0, jy, 0, at);
                System.arraycopy(bx, 0, jx, at, at2);
                System.arraycopy(by, 0, jy, at, at2);
                paths = addPath(px, py, pl, paths, jx, jy, at + at2, cxs, cys, cn);
            }
        }
        // the trunk itself is a path too
        px[paths] = Arrays.copyOf(tx, tn);
        py[paths] = Arrays.copyOf(ty, tn);
        pl[paths] = tn;
        paths++;
        return paths;
    }

    private int addPath(float[][] px, float[][] py, int[] pl, int paths, float[] ax, float[] ay, int an,
                        float[] bx, float[] by, int bn) {
        float[] x = new float[an + bn];
        float[] y = new float[an + bn];
        System.arraycopy(ax, 0, x, 0, an);
        System.arraycopy(ay, 0, y, 0, an);
        System.arraycopy(bx, 0, x, an, bn);
        System.arraycopy(by, 0, y, an, bn);
        px[paths] = x;
        py[paths] = y;
        pl[paths] = an + bn;
        return paths + 1;
    }

    /** A smoothly bending curve sampled every pixel; returns the number of points (stops at the field edge). */
    private int curve(float[] xs, float[] ys, float[] ws, int off, double x, double y, double heading, double length,
                      double w0, double w1, PhantomRandom rnd, double bendScale) {
        int n = 0;
        double curv = 0;
        int steps = (int) Math.min(length, MAX_PATH - 1);
        for (int s = 0; s < steps; s++) {
            if (s % 20 == 0) {
                curv = curv * 0.6 + rnd.uniform(-1, 1) * bendScale;
            }
            heading += curv;
            x += Math.cos(heading);
            y += Math.sin(heading);
            if (Math.hypot(x - cx, y - cy) > radius * 1.05 && s > 5) {
                break;
            }
            xs[off + n] = (float) x;
            ys[off + n] = (float) y;
            ws[off + n] = (float) (w0 + (w1 - w0) * s / Math.max(1, steps - 1));
            n++;
        }
        return n;
    }

    private void paint(float[] v, float[] xs, float[] ys, float[] ws, int n) {
        for (int s = 0; s < n; s += 1) {
            double r = ws[s];
            int x0 = (int) Math.floor(xs[s] - r - 1);
            int x1 = (int) Math.ceil(xs[s] + r + 1);
            int y0 = (int) Math.floor(ys[s] - r - 1);
            int y1 = (int) Math.ceil(ys[s] + r + 1);
            for (int y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) {
                for (int x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
                    double d = Math.hypot(x - xs[s], y - ys[s]) / r;
                    if (d < 1.1) {
                        float t = (float) (d < 1 ? Math.sqrt(1 - d * d) : 0) * 0.8f + (d < 1 ? 0.2f : 0);
                        int i = y * w + x;
                        if (t > v[i]) {
                            v[i] = t;
                        }
                    }
                }
            }
        }
    }

    private void compose(float[] density, float[] vessels) {
        double r2 = radius * radius;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double q = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2;
                if (q >= 1) {
                    continue;
                }
                double vign = 1 - 0.3 * q;
                double edge = Math.min(1, (1 - Math.sqrt(q)) * radius / 2.5);
                double val = 235 * Math.exp(-1.4 * density[i]) * (1 - 0.55 * vessels[i]) * vign * edge;
                background[i] = (byte) Fields.clamp255(val);
                if (vessels[i] > 0.3) {
                    staticLabels[i] = GroundTruth.LABEL_VESSEL;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ per frame

    @Override
    public void render(long frame, double t, byte[] pixels, GroundTruth truth) {
        stampWire(t);
        int off = (int) (PhantomRandom.hash(seed, 104, frame) & NOISE_MASK);
        truth.begin(w, h);
        byte[] labels = truth.labels();
        byte[] bg = background;
        byte[] wl = wire;
        byte[] nz = noise;
        int[] ns = noiseScale;
        System.arraycopy(staticLabels, 0, labels, 0, w * h);
        for (int y = 0; y < h; y++) {
            int base = y * w;
            boolean stamped = y >= stampY0 && y <= stampY1;
            int end = base + w;
            // a contiguous run of the noise table per row (no masking in the inner loop)
            int j = ((base + off) & NOISE_MASK) - base;
            if (j + end > noise.length) {
                j -= w;
            }
            for (int i = base; i < end; i++) {
                int b = bg[i] & 0xFF;
                int v = b + (nz[i + j] * ns[b] >> 8);
                pixels[i] = (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
            }
            if (stamped) {
                for (int i = base + stampX0, e2 = base + stampX1; i <= e2; i++) {
                    int a = wl[i] & 0xFF;
                    if (a != 0) {
                        pixels[i] = (byte) ((pixels[i] & 0xFF) * (255 - a) >> 8);
                        if (a > 80) {
                            labels[i] = GroundTruth.LABEL_INSTRUMENT;
                        }
                        wl[i] = 0;
                    }
                }
            }
        }
        if (wireVisible) {
            truth.instrument(Annotations.INSTRUMENT_WIRE, entryX, entryY, tipX, tipY);
        }
    }

    private void stampWire(double t) {
        long cycle = (long) Math.floor(t / CYCLE_S);
        double tau = t - cycle * CYCLE_S;
        int p = (int) Long.remainderUnsigned(PhantomRandom.hash(seed, 105, cycle), pathCount);
        float[] xs = pathX[p];
        float[] ys = pathY[p];
        int n = pathLen[p];
        // the first point inside the field is where the wire enters the picture
        int first = 0;
        double r2 = (radius - 1) * (radius - 1);
        while (first < n - 1 && (xs[first] - cx) * (xs[first] - cx) + (ys[first] - cy) * (ys[first] - cy) > r2) {
            first++;
        }
        double full = (n - 1 - first) * 0.95;
        double s;
        if (tau < 1.5) {
            s = 0;
        } else if (tau < 9) {
            double q = (tau - 1.5) / 7.5;
            s = full * q * q * (3 - 2 * q);
        } else if (tau < 11) {
            s = full - 0.03 * full * (1 - Math.cos((tau - 9) * Math.PI));
        } else if (tau < 15) {
            double q = (tau - 11) / 4;
            s = full * (1 - q * q * (3 - 2 * q));
        } else {
            s = 0;
        }
        int last = first + (int) s;
        wireVisible = s > 3;
        stampY0 = Integer.MAX_VALUE;
        stampY1 = Integer.MIN_VALUE;
        stampX0 = w - 1;
        stampX1 = 0;
        if (!wireVisible) {
            return;
        }
        // the wire rides off the centreline a little, as it leans on the vessel wall
        double phase = PhantomRandom.unit(PhantomRandom.hash(seed, 106, cycle)) * 6.28;
        double sway = radius * 0.006;
        int tipLen = Math.max(4, (int) (radius * 0.03));
        for (int i = first; i <= last; i++) {
            int j = Math.min(i + 2, n - 1);
            int k = Math.max(i - 2, 0);
            double tx = xs[j] - xs[k];
            double ty = ys[j] - ys[k];
            double tl = Math.max(1e-6, Math.hypot(tx, ty));
            double o = sway * Math.sin(i * 0.02 + phase);
            double x = xs[i] - ty / tl * o;
            double y = ys[i] + tx / tl * o;
            boolean tip = i > last - tipLen;
            stamp(x, y, tip ? tipKernel : wireKernel);
            if (i == first) {
                entryX = (float) x;
                entryY = (float) y;
            }
            if (i == last) {
                tipX = (float) x;
                tipY = (float) y;
            }
        }
    }

    private void stamp(double x, double y, byte[] k) {
        int n = (int) Math.sqrt(k.length);
        int c = n / 2;
        int x0 = (int) Math.round(x) - c;
        int y0 = (int) Math.round(y) - c;
        stampX0 = Math.max(0, Math.min(stampX0, x0));
        stampX1 = Math.min(w - 1, Math.max(stampX1, x0 + n - 1));
        for (int ky = 0; ky < n; ky++) {
            int yy = y0 + ky;
            if (yy < 0 || yy >= h) {
                continue;
            }
            if (yy < stampY0) {
                stampY0 = yy;
            }
            if (yy > stampY1) {
                stampY1 = yy;
            }
            for (int kx = 0; kx < n; kx++) {
                int xx = x0 + kx;
                if (xx < 0 || xx >= w) {
                    continue;
                }
                int i = yy * w + xx;
                int v = k[ky * n + kx] & 0xFF;
                if (v > (wire[i] & 0xFF)) {
                    wire[i] = (byte) v;
                }
            }
        }
    }

    double fieldRadius() {
        return radius;
    }
}
