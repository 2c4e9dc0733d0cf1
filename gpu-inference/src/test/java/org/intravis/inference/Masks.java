package org.intravis.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Hand-made probability planes and masks for the post-processing tests, and checks of what is found in them. */
final class Masks {
    private Masks() {
    }

    static void fillCircle(float[] plane, int off, int w, int h, double cx, double cy, double r, float value) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x - cx;
                double dy = y - cy;
                if (dx * dx + dy * dy <= r * r) {
                    plane[off + y * w + x] = value;
                }
            }
        }
    }

    static void fillRect(float[] plane, int off, int w, int x0, int y0, int x1, int y1, float value) {
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                plane[off + y * w + x] = value;
            }
        }
    }

    /** A thick segment: every pixel within {@code halfWidth} of the segment (ax,ay)-(bx,by). */
    static void fillSegment(float[] plane, int off, int w, int h, double ax, double ay, double bx, double by,
                            double halfWidth, float value) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (PolygonGeometry.pointSegmentDistance(x, y, ax, ay, bx, by) <= halfWidth) {
                    plane[off + y * w + x] = value;
                }
            }
        }
    }

    /** A small Gaussian blob (the model's tip heat map). */
    static void gaussian(float[] plane, int off, int w, int h, double cx, double cy, double sigma, float peak) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                plane[off + y * w + x] = Math.max(plane[off + y * w + x], (float) (peak * Math.exp(-d2 / (2 * sigma * sigma))));
            }
        }
    }

    static byte[] binary(float[] plane, int off, int n) {
        byte[] m = new byte[n];
        for (int i = 0; i < n; i++) {
            m[i] = plane[off + i] > 0.5f ? (byte) 255 : 0;
        }
        return m;
    }

    /** The detection's tip within {@code tolerance} pixels of (x, y) on each axis. */
    static void assertTip(InstrumentDetection d, float x, float y, float tolerance) {
        assertThat(d.tipX).as("tip x of %s", d).isCloseTo(x, within(tolerance));
        assertThat(d.tipY).as("tip y of %s", d).isCloseTo(y, within(tolerance));
    }

    /** The detection's entry within {@code tolerance} pixels of (x, y) on each axis. */
    static void assertEntry(InstrumentDetection d, float x, float y, float tolerance) {
        assertThat(d.entryX).as("entry x of %s", d).isCloseTo(x, within(tolerance));
        assertThat(d.entryY).as("entry y of %s", d).isCloseTo(y, within(tolerance));
    }
}
