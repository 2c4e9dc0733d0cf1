package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/** Deterministic 8-bit test images (the golden inputs are computed by the same formulas in Python). */
public final class TestImages {
    private TestImages() {
    }

    /** {@code 128 + 110*sin(x/9)*cos(y/13)} truncated to 8 bits. */
    public static Mat waves(int w, int h) {
        byte[] px = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (byte) (int) (128 + 110 * Math.sin(x / 9.0) * Math.cos(y / 13.0));
            }
        }
        return grey(w, h, px);
    }

    /** {@code (7x + 13y + (x*y mod 31)) mod 256}. */
    public static Mat ramps(int w, int h) {
        byte[] px = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (byte) ((x * 7 + y * 13 + (x * y) % 31) % 256);
            }
        }
        return grey(w, h, px);
    }

    public static Mat grey(int w, int h, byte[] px) {
        Mat m = new Mat(h, w, CV_8UC1);
        new BytePointer(m.data()).put(px, 0, px.length);
        return m;
    }
}
