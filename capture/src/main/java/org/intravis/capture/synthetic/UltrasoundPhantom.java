package org.intravis.capture.synthetic;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.GroundTruth;

import java.util.Arrays;

/**
 * A B-mode phantom of a regional-anaesthesia block site, as a linear probe shows it on a capture card: a
 * B-mode picture (about 41 mm deep at the default scale) centred in a dark 16:9 frame with a depth scale.
 * <p>
 * Static tissue is precomputed once: skin, subcutaneous fat with septa, fascia, striated muscle, a bone surface
 * with its acoustic shadow, and a hyperechoic nerve with hypoechoic fascicles (the honeycomb look). Speckle is
 * three precomputed Rayleigh fields (band-limited complex noise, envelope, log-compressed) blended with
 * power-preserving weights, so it decorrelates slowly as real speckle does with tissue and probe motion.
 * Per frame only what moves is computed: a pulsating artery (~1.2 Hz) and a vein that is compressed now and
 * then (anechoic lumens, bright walls, posterior enhancement), and an in-plane needle (30-60 degrees) that
 * advances towards the nerve or a vessel, holds, withdraws and is absent for a few seconds per 14 s cycle
 * (bright specular shaft, fainter distal part, bright tip, reverberation copies below it, acoustic shadow).
 * The frame is composed row by row with fixed-point arithmetic into arrays allocated in the constructor.
 */
final class UltrasoundPhantom implements PhantomRenderer {
    static final double CYCLE_S = 14.0;
    static final double DEPTH_MM = 41.0;
    private static final int SPECKLE_FIELDS = 3;
    private static final double SPECKLE_DECORRELATION_S = 2.0;

    private final int w;
    private final int h;
    private final long seed;
    // B-mode picture, exclusive ends
    private final int ax0;
    private final int ay0;
    private final int ax1;
    private final int ay1;
    private final double unit; // picture height in pixels: geometry is expressed in fractions of it

    private final byte[] echo;         // static echogenicity 0..255
    private final byte[][] speckle;    // signed deviations around 128
    private final byte[] staticLabels; // nerve
    private final byte[] ui;           // margins: depth scale, focus marker
    private final int[] rowGain;       // TGC look, fixed point 1.0 = 256

    // vessels: 0 artery, 1 vein, 2 small vein
    private final double[] vcx = new double[3];
    private final double[] vcy = new double[3];
    private final double[] vrx0 = new double[3];
    private final double[] vry0 = new double[3];
    private final double[] vrx = new double[3];
    private final double[] vry = new double[3];
    private final double[] vwall = new double[3];
    private final int[] vwallGain = new int[3];

    // nerve
    private final double ncx;
    private final double ncy;
    private final double nrx;
    private final double nry;

    // needle, per frame
    private boolean needleVisible;
    private double ex;
    private double ey;
    private double dx;
    private double dy;
    private double len;
    private final double hw;
    private final int needleAmp;
    private final int reverbCount = 6;
    private final double reverbGap;
    private final int shadowGain = 175; // x/256 under the shaft
    private final int[] shaftTexture = new int[1024]; // along-shaft brightness, 0..256

    UltrasoundPhantom(int width, int height, long seed) {
        this.w = width;
        this.h = height;
        this.seed = seed;
        int top = Math.max(2, (int) Math.round(height * 0.045));
        int ah = height - top - Math.max(1, (int) Math.round(height * 0.015));
        int aw = Math.min(width, (int) Math.round(ah * 1.15));
        ax0 = (width - aw) / 2;
        ax1 = ax0 + aw;
        ay0 = top;
        ay1 = top + ah;
        unit = ah;
        echo = new byte[w * h];
        staticLabels = new byte[w * h];
        ui = new byte[w * h];
        rowGain = new int[h];
        speckle = new byte[SPECKLE_FIELDS][];

        PhantomRandom rnd = new PhantomRandom(seed, 1);
        boolean mirror = rnd.nextDouble() < 0.5;
        // layout: nerve beside the artery, a vein beyond it (mirrored by seed)
        double nu = rnd.uniform(0.62, 0.72);
        ncy = ay0 + unit * rnd.uniform(0.40, 0.48);
        nrx = unit * rnd.uniform(0.075, 0.09);
        nry = unit * rnd.uniform(0.05, 0.06);
        double au = nu - rnd.uniform(0.19, 0.22);
        double vu = au - rnd.uniform(0.16, 0.18);
        ncx = x(mirror ? 1.15 - nu : nu);
        vcx[0] = x(mirror ? 1.15 - au : au);
        vcy[0] = ncy + unit * rnd.uniform(0.02, 0.05);
        vrx0[0] = vry0[0] = unit * rnd.uniform(0.055, 0.065);
        vwall[0] = unit * 0.012;
        vwallGain[0] = 420;
        vcx[1] = x(mirror ? 1.15 - vu : vu);
        vcy[1] = vcy[0] - unit * rnd.uniform(0.02, 0.05);
        vrx0[1] = unit * rnd.uniform(0.07, 0.08);
        vry0[1] = unit * rnd.uniform(0.045, 0.055);
        vwall[1] = unit * 0.006;
        vwallGain[1] = 300;
        vcx[2] = ncx + (mirror ? -1 : 1) * unit * rnd.uniform(0.16, 0.2);
        vcy[2] = ay0 + unit * rnd.uniform(0.2, 0.26);
        vrx0[2] = unit * 0.028;
        vry0[2] = unit * 0.02;
        vwall[2] = unit * 0.005;
        vwallGain[2] = 180;

        hw = Math.max(1.2, unit * 0.0045);
        reverbGap = Math.max(3, hw * 2.4);
        needleAmp = 175;
        for (int i = 0; i < shaftTexture.length; i++) {
            shaftTexture[i] = (int) (256 * (0.8 + 0.2 * Math.sin(i * 0.37) * Math.sin(i * 0.051)));
        }

        buildTissue(new PhantomRandom(seed, 2));
        buildNerve(new PhantomRandom(seed, 3));
        for (int k = 0; k < SPECKLE_FIELDS; k++) {
            speckle[k] = buildSpeckle(new PhantomRandom(seed, 10 + k));
        }
        buildGainAndUi();
    }

    private double x(double u) {
        return ax0 + u * unit;
    }

    @Override
    public double defaultPixelSpacingMm() {
        return DEPTH_MM / unit;
    }

    // ------------------------------------------------------------------------------------------------ build

    private void buildTissue(PhantomRandom rnd) {
        int aw = ax1 - ax0;
        int ah = ay1 - ay0;
        float[] lf = Fields.valueNoise(aw, ah, unit * 0.25, unit * 0.18, rnd);
        float[] wav = Fields.valueNoise(aw, ah, unit * 0.35, unit * 0.35, rnd);
        float[] mid = Fields.valueNoise(aw, ah, unit * 0.06, unit * 0.03, rnd);
        float[] fine = Fields.valueNoise(aw, ah, unit * 0.02, unit * 0.008, rnd);
        double fat = rnd.uniform(0.09, 0.13);
        double fascia2 = rnd.uniform(0.27, 0.33);
        double fascia3 = rnd.uniform(0.58, 0.66);
        double bone = rnd.uniform(0.78, 0.84);
        double striation = rnd.uniform(-0.2, 0.2);
        double boneBend = rnd.uniform(0.03, 0.07);
        double[] fibres = new double[8];
        double[] fibreAmp = new double[fibres.length];
        for (int f = 0; f < fibres.length; f++) {
            fibres[f] = rnd.uniform(fat + 0.03, bone - 0.05);
            fibreAmp[f] = rnd.uniform(40, 110);
        }
        for (int y = 0; y < ah; y++) {
            double v = y / unit;
            for (int x = 0; x < aw; x++) {
                int i = y * aw + x;
                double u = x / unit;
                double wv = wav[i] * 0.02;
                double e;
                if (v < 0.018) {
                    e = 190 + 40 * fine[i];
                } else if (v < fat + wv) {
                    e = 55 + 25 * mid[i];
                    double septum = Math.abs(mid[i] + 0.3 * fine[i]);
                    e += 150 * Math.max(0, 1 - septum / 0.06) * 0.6;
                } else {
                    double m = v * Math.cos(striation) + u * Math.sin(striation);
                    e = 85 + 45 * Math.sin(m * 110 + 7 * mid[i]) * (0.5 + 0.5 * lf[i]) + 25 * fine[i];
                }
                e += line(v, fat + wv, 0.007) * 150;
                e += line(v, fascia2 + wav[i] * 0.03, 0.005) * 130;
                e += line(v, fascia3 + wav[i] * 0.04, 0.005) * 120;
                for (int f = 0; f < fibres.length; f++) {
                    e += line(v, fibres[f] + wav[i] * 0.05 + mid[i] * 0.004, 0.0035) * fibreAmp[f] * (0.6 + 0.4 * lf[i]);
                }
                double bv = bone + boneBend * Math.cos((u - 0.55) * 2.2) - boneBend + wav[i] * 0.015;
                if (v > bv + 0.012) {
                    e = 10 + 8 * fine[i];
                }
                e += line(v, bv, 0.008) * 200;
                e *= 1 + 0.18 * lf[i];
                echo[(y + ay0) * w + x + ax0] = (byte) Fields.clamp255(e);
            }
        }
    }

    private static double line(double v, double at, double thick) {
        double d = (v - at) / thick;
        return d > 4 || d < -4 ? 0 : Math.exp(-d * d);
    }

    private void buildNerve(PhantomRandom rnd) {
        int n = 0;
        int want = 9 + rnd.nextInt(6);
        double[] fx = new double[want];
        double[] fy = new double[want];
        double[] fr = new double[want];
        for (int tries = 0; tries < 2000 && n < want; tries++) {
            double r = Math.min(nrx, nry) * rnd.uniform(0.18, 0.3);
            double px = rnd.uniform(-1, 1) * nrx;
            double py = rnd.uniform(-1, 1) * nry;
            double q = (px / (nrx - r * 1.3)) * (px / (nrx - r * 1.3)) + (py / (nry - r * 1.3)) * (py / (nry - r * 1.3));
            if (q > 1) {
                continue;
            }
            boolean free = true;
            for (int j = 0; j < n; j++) {
                if (Math.hypot(px - fx[j], py - fy[j]) < (r + fr[j]) * 1.15) {
                    free = false;
                    break;
                }
            }
            if (free) {
                fx[n] = px;
                fy[n] = py;
                fr[n] = r;
                n++;
            }
        }
        double rim = unit * 0.008;
        int y0 = (int) Math.floor(ncy - nry - rim * 2);
        int y1 = (int) Math.ceil(ncy + nry + rim * 2);
        int x0 = (int) Math.floor(ncx - nrx - rim * 2);
        int x1 = (int) Math.ceil(ncx + nrx + rim * 2);
        for (int y = Math.max(y0, ay0); y <= Math.min(y1, ay1 - 1); y++) {
            for (int x = Math.max(x0, ax0); x <= Math.min(x1, ax1 - 1); x++) {
                double px = x - ncx;
                double py = y - ncy;
                double q = Math.sqrt((px / nrx) * (px / nrx) + (py / nry) * (py / nry));
                double edge = (q - 1) * Math.min(nrx, nry) / rim; // ~ distance from the epineurium in rims
                if (edge > 1.5) {
                    continue;
                }
                int i = y * w + x;
                double e;
                if (q <= 1) {
                    staticLabels[i] = GroundTruth.LABEL_NERVE;
                    e = 165;
                    for (int j = 0; j < n; j++) {
                        double d = Math.hypot(px - fx[j], py - fy[j]) / fr[j];
                        if (d < 1.25) {
                            e = d < 1 ? 50 + 25 * d : 215;
                            break;
                        }
                    }
                    e += 70 * Math.exp(-edge * edge);
                } else {
                    e = (echo[i] & 0xFF) + 120 * Math.exp(-edge * edge);
                }
                echo[i] = (byte) Fields.clamp255(e);
            }
        }
    }

    private byte[] buildSpeckle(PhantomRandom rnd) {
        int aw = ax1 - ax0;
        int ah = ay1 - ay0;
        float[] re = new float[aw * ah];
        float[] im = new float[aw * ah];
        for (int i = 0; i < re.length; i++) {
            re[i] = rnd.gaussianFast();
            im[i] = rnd.gaussianFast();
        }
        double k = unit / 700.0;
        Fields.blur(re, aw, ah, 2.8 * k, 1.3 * k);
        Fields.blur(im, aw, ah, 2.8 * k, 1.3 * k);
        double sum = 0;
        for (int i = 0; i < re.length; i++) {
            re[i] = (float) Math.sqrt(re[i] * re[i] + im[i] * im[i]);
            sum += re[i];
        }
        double mean = sum / re.length;
        byte[] out = new byte[w * h];
        for (int y = 0; y < ah; y++) {
            for (int x = 0; x < aw; x++) {
                // envelope / mean is Rayleigh with mean 1; a mild power law stands in for log compression
                double s = (0.25 + 0.75 * Math.pow(re[y * aw + x] / mean, 0.5) * 1.03) * 128 - 128;
                out[(y + ay0) * w + x + ax0] = (byte) Math.max(-128, Math.min(127, Math.round(s)));
            }
        }
        return out;
    }

    private void buildGainAndUi() {
        for (int y = 0; y < h; y++) {
            double v = (y - ay0) / unit;
            double g = Math.exp(-0.9 * v) * (1 + 0.35 * v) * (1 + 0.12 * Math.exp(-Math.pow((v - 0.45) / 0.12, 2)));
            rowGain[y] = (int) Math.round(256 * 0.85 * g);
        }
        // depth scale: a dot per 5 mm, a bigger one per centimetre, right of the picture; focus marker
        int sx = Math.min(w - 3, ax1 + Math.max(3, (int) (unit * 0.012)));
        for (int mm = 0; mm <= DEPTH_MM; mm += 5) {
            int y = ay0 + (int) Math.round(mm / DEPTH_MM * unit);
            int r = mm % 10 == 0 ? Math.max(1, (int) (unit * 0.004)) : Math.max(1, (int) (unit * 0.002));
            dot(sx, y, r, 200);
        }
        int fy = ay0 + (int) Math.round(0.45 * unit);
        int fr = Math.max(2, (int) (unit * 0.008));
        for (int d = 0; d <= fr; d++) {
            for (int yy = fy - (fr - d); yy <= fy + (fr - d); yy++) {
                put(ui, sx + fr * 2 + d, yy, 170);
            }
        }
        // a thin grey frame line above the picture, like the machine's header
        for (int x = ax0; x < ax1; x++) {
            put(ui, x, Math.max(0, ay0 - 2), 60);
        }
    }

    private void dot(int cx, int cy, int r, int v) {
        for (int y = cy - r; y <= cy + r; y++) {
            for (int x = cx - r; x <= cx + r; x++) {
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                    put(ui, x, y, v);
                }
            }
        }
    }

    private void put(byte[] a, int x, int y, int v) {
        if (x >= 0 && y >= 0 && x < w && y < h && (x < ax0 || x >= ax1 || y < ay0 || y >= ay1)) {
            a[y * w + x] = (byte) v;
        }
    }

    // ------------------------------------------------------------------------------------------------ per frame

    @Override
    public void render(long frame, double t, byte[] pixels, GroundTruth truth) {
        animateVessels(t);
        animateNeedle(t);
        double p = t / SPECKLE_DECORRELATION_S;
        long seg = (long) Math.floor(p);
        double f = p - seg;
        byte[] spA = speckle[(int) Math.floorMod(seg, SPECKLE_FIELDS)];
        byte[] spB = speckle[(int) Math.floorMod(seg + 1, SPECKLE_FIELDS)];
        int ca = (int) Math.round(256 * Math.cos(f * Math.PI / 2));
        int cb = (int) Math.round(256 * Math.sin(f * Math.PI / 2));

        truth.begin(w, h);
        byte[] labels = truth.labels();
        byte[] e = echo;
        for (int y = 0; y < h; y++) {
            int base = y * w;
            if (y < ay0 || y >= ay1) {
                System.arraycopy(ui, base, pixels, base, w);
                Arrays.fill(labels, base, base + w, (byte) 0);
                continue;
            }
            System.arraycopy(staticLabels, base, labels, base, w);
            System.arraycopy(ui, base, pixels, base, ax0);
            System.arraycopy(ui, base + ax1, pixels, base + ax1, w - ax1);
            int g = rowGain[y];
            for (int i = base + ax0, end = base + ax1; i < end; i++) {
                int sp = 128 + ((spA[i] * ca + spB[i] * cb) >> 8);
                int v = (((e[i] & 0xFF) * sp >> 7) * g >> 8) + (sp >> 5);
                pixels[i] = (byte) (v > 255 ? 255 : v);
            }
            for (int v = 0; v < 3; v++) {
                vesselRow(v, y, pixels, labels, base);
            }
            if (needleVisible) {
                needleRow(y, pixels, labels, base);
            }
        }
        if (needleVisible) {
            truth.instrument(Annotations.INSTRUMENT_NEEDLE, (float) ex, (float) ey,
                    (float) (ex + dx * len), (float) (ey + dy * len));
        }
    }

    private void animateVessels(double t) {
        // artery: sharp systolic upstroke then exponential run-off, 1.2 Hz
        double ph = t * 1.2 - Math.floor(t * 1.2);
        double pulse = ph < 0.15 ? Math.sin(Math.PI / 2 * ph / 0.15) : Math.exp(-(ph - 0.15) * 5);
        vrx[0] = vrx0[0] * (1 + 0.08 * pulse);
        vry[0] = vry0[0] * (1 + 0.08 * pulse);
        // vein: the probe compresses it for ~2 s every 9 s; slight respiratory variation otherwise
        double tv = t - 9 * Math.floor(t / 9);
        double squash = tv > 5 && tv < 7.5 ? Math.sin(Math.PI * (tv - 5) / 2.5) : 0;
        squash *= squash;
        double resp = 1 + 0.05 * Math.sin(2 * Math.PI * t / 4.5);
        vry[1] = vry0[1] * resp * (1 - 0.8 * squash);
        vrx[1] = vrx0[1] * (1 + 0.15 * squash);
        vry[2] = vry0[2] * resp * (1 - 0.6 * squash);
        vrx[2] = vrx0[2];
    }

    /** Lumen (anechoic), wall (bright) and posterior acoustic enhancement of vessel v on row y. */
    private void vesselRow(int v, int y, byte[] px, byte[] labels, int base) {
        double cx = vcx[v];
        double cy = vcy[v];
        double rx = vrx[v];
        double ry = vry[v];
        double wall = vwall[v];
        double ro = ry + wall;
        double ny = (y - cy) / ry;
        if (y > cy) {
            // enhancement below the vessel's centre, over its width, fading with depth
            double depth = (y - cy - ry) / (4 * vry0[v]);
            int amp = (int) (170 * Math.exp(-Math.max(0, depth)) * Math.min(1, ry / vry0[v] + 0.2));
            int xa = Math.max(ax0, (int) Math.ceil(cx - rx));
            int xb = Math.min(ax1 - 1, (int) Math.floor(cx + rx));
            double dOut = (1 + wall / Math.min(rx, ry)) * (1 + wall / Math.min(rx, ry));
            for (int x = xa; x <= xb; x++) {
                double nx = (x - cx) / rx;
                if (nx * nx + ny * ny > dOut) {
                    int p = px[base + x] & 0xFF;
                    px[base + x] = sat(p + (p * (int) (amp * (1 - nx * nx)) >> 8));
                }
            }
        }
        if (Math.abs(y - cy) >= ro) {
            return;
        }
        double ay = (y - cy) / ro;
        double half = (rx + wall) * Math.sqrt(1 - ay * ay);
        int xa = Math.max(ax0, (int) Math.floor(cx - half));
        int xb = Math.min(ax1 - 1, (int) Math.ceil(cx + half));
        double rel = wall / Math.min(rx, ry);
        int wg = vwallGain[v];
        for (int x = xa; x <= xb; x++) {
            double nx = (x - cx) / rx;
            double d = Math.sqrt(nx * nx + ny * ny);
            if (d < 1) {
                int p = px[base + x] & 0xFF;
                px[base + x] = (byte) ((p * 20 >> 8) + (p >> 7) + 2);
                labels[base + x] = GroundTruth.LABEL_VESSEL;
            } else if (d < 1 + rel) {
                double q = (d - 1) / rel;
                int p = px[base + x] & 0xFF;
                px[base + x] = sat(p + (p * (int) (wg * (1 - q) * (0.5 + q)) >> 8));
            }
        }
    }

    private void animateNeedle(double t) {
        long cycle = (long) Math.floor(t / CYCLE_S);
        double tau = t - cycle * CYCLE_S;
        long hsh = PhantomRandom.hash(seed, 77, cycle);
        int target = (int) Long.remainderUnsigned(hsh, 3);
        boolean fromLeft = ((hsh >>> 8) & 1) == 0;
        double angle = Math.toRadians(35 + 20 * PhantomRandom.unit(PhantomRandom.hash(seed, 78, cycle)));
        // final gap to the target's boundary: 3 mm, 1 mm, or 1 mm inside (alert demonstrations)
        int gapKind = (int) Long.remainderUnsigned(hsh >>> 16, 3);
        double mm = 1 / defaultPixelSpacingMm();
        double gap = gapKind == 0 ? 3 * mm : (gapKind == 1 ? 1 * mm : -1 * mm);

        double tcx;
        double tcy;
        double trx;
        double try_;
        if (target == 0) {
            tcx = ncx;
            tcy = ncy;
            trx = nrx;
            try_ = nry;
        } else {
            int v = target == 1 ? 0 : 1;
            tcx = vcx[v];
            tcy = vcy[v];
            trx = vrx0[v];
            try_ = vry0[v];
        }
        dx = (fromLeft ? 1 : -1) * Math.cos(angle);
        dy = Math.sin(angle);
        // entry: back along the line through the target's centre to the picture's side or top edge
        double sSide = fromLeft ? (tcx - ax0) / dx : (tcx - (ax1 - 1)) / dx;
        double sTop = (tcy - ay0) / dy;
        double s = Math.min(sSide, sTop);
        ex = tcx - dx * s;
        ey = tcy - dy * s;
        // where the line first meets the target's ellipse, from the entry
        double qa = (dx / trx) * (dx / trx) + (dy / try_) * (dy / try_);
        double px = ex - tcx;
        double py = ey - tcy;
        double qb = 2 * (px * dx / (trx * trx) + py * dy / (try_ * try_));
        double qc = (px / trx) * (px / trx) + (py / try_) * (py / try_) - 1;
        double hit = (-qb - Math.sqrt(Math.max(0, qb * qb - 4 * qa * qc))) / (2 * qa);
        double full = Math.max(unit * 0.05, hit - gap);

        double l;
        if (tau < 2) {
            l = 0;
        } else if (tau < 7) {
            l = full * ease((tau - 2) / 5);
        } else if (tau < 9.5) {
            l = full + 0.4 * mm * Math.sin((tau - 7) * 2.5);
        } else if (tau < 12.5) {
            l = full * (1 - ease((tau - 9.5) / 3));
        } else {
            l = 0;
        }
        len = l;
        needleVisible = l > 2;
    }

    private static byte sat(int v) {
        return (byte) (v > 255 ? 255 : v);
    }

    private static double ease(double x) {
        return x * x * (3 - 2 * x);
    }

    /** Shadow, shaft, reverberation copies and tip of the needle on row y. */
    private void needleRow(int y, byte[] px, byte[] labels, int base) {
        double tipX = ex + dx * len;
        double tipY = ey + dy * len;
        double adx = Math.abs(dx);
        double hwv = hw / adx; // vertical half-thickness of the shaft
        // acoustic shadow: below the shaft, between the entry and the tip
        double xLim = ex + (y - hwv - 1 - ey) * dx / dy;
        double sa;
        double sb;
        if (dx > 0) {
            sa = ex;
            sb = Math.min(tipX, xLim);
        } else {
            sa = Math.max(tipX, xLim);
            sb = ex;
        }
        int xa = Math.max(ax0, (int) Math.ceil(sa));
        int xb = Math.min(ax1 - 1, (int) Math.floor(sb));
        for (int x = xa; x <= xb; x++) {
            // soft edge over 3 px at the shaft side so the shadow hugs the needle
            double edge = Math.min(6, Math.min(dx > 0 ? xLim - x : x - xLim, dx > 0 ? tipX - x : x - tipX)) / 6;
            int gain = 256 - (int) ((256 - shadowGain) * Math.max(0, edge));
            px[base + x] = (byte) ((px[base + x] & 0xFF) * gain >> 8);
        }
        // shaft (k = 0) and its reverberation copies (k >= 1), straight below along the beam
        double hx = (hw + 1) / dy;
        int amp = needleAmp;
        for (int k = 0; k <= reverbCount; k++) {
            double yk = y - k * reverbGap;
            double xc = ex + (yk - ey) * dx / dy;
            int xa2 = Math.max(ax0, (int) Math.floor(xc - hx));
            int xb2 = Math.min(ax1 - 1, (int) Math.ceil(xc + hx));
            for (int x = xa2; x <= xb2; x++) {
                double along = (x - ex) * dx + (yk - ey) * dy;
                if (along < 0 || along > len + 1) {
                    continue;
                }
                double cov = hw + 0.5 - Math.abs(x - xc) * dy;
                if (cov <= 0) {
                    continue;
                }
                if (cov > 1) {
                    cov = 1;
                }
                // proximal shaft bright, distal third fainter (beam less perpendicular), speckled texture
                double frac = along / Math.max(len, 1);
                double prof = frac < 0.6 ? 1 : 1 - 0.55 * (frac - 0.6) / 0.4;
                int tex = shaftTexture[(int) along & 1023];
                px[base + x] = sat((px[base + x] & 0xFF) + ((int) (amp * cov * prof) * tex >> 8));
                if (k == 0 && cov >= 0.5) {
                    labels[base + x] = GroundTruth.LABEL_INSTRUMENT;
                }
            }
            amp = amp * 150 >> 8;
        }
        // bright tip (bevel)
        double tr = hw * 1.8;
        if (Math.abs(y - tipY) < tr) {
            int xa3 = Math.max(ax0, (int) Math.floor(tipX - tr));
            int xb3 = Math.min(ax1 - 1, (int) Math.ceil(tipX + tr));
            for (int x = xa3; x <= xb3; x++) {
                double d2 = ((x - tipX) * (x - tipX) + (y - tipY) * (y - tipY)) / (tr * tr);
                if (d2 < 1) {
                    px[base + x] = sat((px[base + x] & 0xFF) + (int) (150 * (1 - d2)));
                }
            }
        }
    }

    // for tests
    int pictureX0() { return ax0; }
    int pictureY0() { return ay0; }
    int pictureX1() { return ax1; }
    int pictureY1() { return ay1; }
}
