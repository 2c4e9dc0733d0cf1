package org.intravis.capture.synthetic;

/** Texture building blocks used once, when a phantom opens: smooth noise and separable blurs on float fields. */
final class Fields {
    private Fields() {
    }

    /**
     * Value noise: a coarse random grid (cells of {@code cellX} x {@code cellY} pixels) interpolated with a
     * smoothstep, values in [-1, 1].
     */
    static float[] valueNoise(int w, int h, double cellX, double cellY, PhantomRandom rnd) {
        int gw = (int) Math.ceil(w / cellX) + 2;
        int gh = (int) Math.ceil(h / cellY) + 2;
        float[] grid = new float[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            double gy = y / cellY;
            int iy = (int) gy;
            double fy = smooth(gy - iy);
            for (int x = 0; x < w; x++) {
                double gx = x / cellX;
                int ix = (int) gx;
                double fx = smooth(gx - ix);
                int g = iy * gw + ix;
                double a = grid[g] + (grid[g + 1] - grid[g]) * fx;
                double b = grid[g + gw] + (grid[g + gw + 1] - grid[g + gw]) * fx;
                out[y * w + x] = (float) (a + (b - a) * fy);
            }
        }
        return out;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    /** In-place separable Gaussian-like blur (three box passes per axis), radii in pixels (0 = none). */
    static void blur(float[] f, int w, int h, double sigmaX, double sigmaY) {
        float[] tmp = new float[Math.max(w, h)];
        int rx = boxRadius(sigmaX);
        int ry = boxRadius(sigmaY);
        for (int pass = 0; pass < 3; pass++) {
            if (rx > 0) {
                for (int y = 0; y < h; y++) {
                    boxLine(f, y * w, 1, w, rx, tmp);
                }
            }
            if (ry > 0) {
                for (int x = 0; x < w; x++) {
                    boxLine(f, x, w, h, ry, tmp);
                }
            }
        }
    }

    private static int boxRadius(double sigma) {
        // three box passes of width 2r+1 approximate a Gaussian of variance 3 * ((2r+1)^2 - 1) / 12
        return sigma <= 0.3 ? 0 : Math.max(1, (int) Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
    }

    private static void boxLine(float[] f, int off, int step, int n, int r, float[] tmp) {
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            sum += f[off + clamp(i, n) * step];
        }
        float inv = 1f / (2 * r + 1);
        for (int i = 0; i < n; i++) {
            tmp[i] = (float) (sum * inv);
            sum += f[off + clamp(i + r + 1, n) * step] - f[off + clamp(i - r, n) * step];
        }
        for (int i = 0; i < n; i++) {
            f[off + i * step] = tmp[i];
        }
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : (i >= n ? n - 1 : i);
    }

    static int clamp255(double v) {
        return v <= 0 ? 0 : (v >= 255 ? 255 : (int) v);
    }

    static double smoothstep(double e0, double e1, double x) {
        double t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
        return t * t * (3 - 2 * t);
    }
}
