package org.intravis.inference;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The picture's background on hand-made inputs: a sector with a lumen inside it, and a picture filling the frame. */
class ScanRegionTest {
    private static final int S = 128;
    private static final float DARK = 0.05f;

    /** A curvilinear sector (apex above the top, 40 degrees each side) of speckle in [0.1, 1), 0 outside. */
    private static float[] sector(Random rnd) {
        float[] in = new float[S * S];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                double dx = x - S / 2.0;
                double dy = y + 20;
                double r = Math.hypot(dx, dy);
                boolean inside = r >= 30 && r <= 140 && Math.abs(Math.atan2(dx, dy)) <= Math.toRadians(40);
                in[y * S + x] = inside ? 0.1f + 0.9f * rnd.nextFloat() : 0f;
            }
        }
        return in;
    }

    private static void disc(float[] plane, int cx, int cy, int r, float v) {
        for (int y = cy - r; y <= cy + r; y++) {
            for (int x = cx - r; x <= cx + r; x++) {
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                    plane[y * S + x] = v;
                }
            }
        }
    }

    @Test
    void outsideTheSectorIsBackgroundButALumenInsideIsNot() {
        float[] in = sector(new Random(1));
        disc(in, 64, 70, 8, 0f); // an anechoic vessel lumen, black, inside tissue
        ScanRegion region = new ScanRegion(S, S, 2);
        int n = region.find(in, 0, DARK);
        assertThat(n).isGreaterThan(S * S / 4);
        assertThat(region.isBackground(2, 2)).isTrue();           // top-left corner, outside the sector
        assertThat(region.isBackground(S - 3, 10)).isTrue();      // right of the sector
        assertThat(region.isBackground(64, 70)).isFalse();        // the lumen's centre
        assertThat(region.isBackground(64, 40)).isFalse();        // tissue

        // two output planes: everything 0.9; cleared outside the picture, kept in the lumen and the tissue
        float[] probs = new float[2 * S * S];
        java.util.Arrays.fill(probs, 0.9f);
        region.clear(probs, 0, 2);
        for (int c = 0; c < 2; c++) {
            assertThat(probs[c * S * S + 2 * S + 2]).isZero();
            assertThat(probs[c * S * S + 70 * S + 64]).isEqualTo(0.9f);
            assertThat(probs[c * S * S + 40 * S + 64]).isEqualTo(0.9f);
        }
    }

    @Test
    void aPictureThatFillsTheFrameHasNoBackgroundEvenWithDarkSpeckleAtItsBorder() {
        Random rnd = new Random(2);
        float[] in = new float[S * S];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextFloat() < 0.1f ? 0f : 0.1f + 0.9f * rnd.nextFloat(); // single dark speckle pixels
        }
        disc(in, 20, 20, 6, 0f); // a lumen near (not touching) the corner
        ScanRegion region = new ScanRegion(S, S, 2);
        assertThat(region.find(in, 0, DARK)).isZero();
        float[] probs = new float[S * S];
        java.util.Arrays.fill(probs, 0.7f);
        region.clear(probs, 0, 1);
        assertThat(probs).containsOnly(0.7f);
    }
}
