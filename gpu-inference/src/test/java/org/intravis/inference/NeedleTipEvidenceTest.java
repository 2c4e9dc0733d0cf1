package org.intravis.inference;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The tip from the pixels' evidence on drawn frames: speckle-like noise, a thin bright needle line entering from the
 * right, and in some cases a bright band beside it that the network's line runs on along (the real clip's failure).
 */
class NeedleTipEvidenceTest {
    private static final int W = 1080;
    private static final int H = 860;
    /** The needle: from (1000, 100) down to the left at 15 degrees, its tip 420 px along. */
    private static final double EX = 1000;
    private static final double EY = 100;
    private static final double UX = -Math.cos(Math.toRadians(15));
    private static final double UY = Math.sin(Math.toRadians(15));
    private static final double TIP = 420;

    @Test
    void anOvershootingTipIsPulledBackToWhereTheLineEnds() {
        byte[] px = frame(40, false);
        for (double overshoot : new double[] {20, 60, 120}) {
            InstrumentDetection d = detection(TIP + overshoot, 0);
            assertThat(new NeedleTipEvidence().refine(pixels(px, 1), d)).isTrue();
            assertThat(Math.hypot(d.tipX - (EX + TIP * UX), d.tipY - (EY + TIP * UY))).as("overshoot %s", overshoot)
                    .isLessThan(8);
        }
    }

    @Test
    void aBandBesideTheNeedleIsNotItsShaft() {
        // the band starts near the tip, 8 px beside the line and parallel: the network's tip ran on along it
        byte[] px = frame(40, true);
        InstrumentDetection d = detection(TIP + 110, 1.5); // the mask's line tilted a little towards the band
        new NeedleTipEvidence().refine(pixels(px, 1), d);
        assertThat(Math.hypot(d.tipX - (EX + TIP * UX), d.tipY - (EY + TIP * UY))).isLessThan(10);
    }

    @Test
    void aConfidentTipIsNeverPushedOnAndATipStaysWithoutEvidence() {
        byte[] px = frame(40, false);
        InstrumentDetection shortOne = detection(TIP - 60, 0); // the network stopped short: its tip map confirmed it
        assertThat(new NeedleTipEvidence().refine(pixels(px, 1), shortOne)).isFalse();
        assertThat(shortOne.tipX).isEqualTo((float) (EX + (TIP - 60) * UX));
        byte[] flat = frame(0, false); // no line in the pixels at all
        InstrumentDetection none = detection(TIP, 0);
        NeedleTipEvidence e = new NeedleTipEvidence();
        assertThat(e.refine(pixels(flat, 1), none)).isFalse();
        assertThat(none.tipX).isEqualTo((float) (EX + TIP * UX));
    }

    @Test
    void anUnsureNeedleGoesOnToWhereItsLineEnds() {
        // a flat needle's mask covers its near part and the tip map confirms nothing: shown unsure, short
        byte[] px = frame(40, false);
        for (double stop : new double[] {60, 200, 300}) {
            InstrumentDetection d = detection(TIP - stop, 0, 0.2f);
            assertThat(new NeedleTipEvidence().refine(pixels(px, 1), d)).as("short by %s", stop).isTrue();
            assertThat(Math.hypot(d.tipX - (EX + TIP * UX), d.tipY - (EY + TIP * UY))).as("short by %s", stop)
                    .isLessThan(8);
            assertThat(d.confidence).isEqualTo(0.2f); // where, not how sure
        }
        // where the line ends at the unsure tip, it stays there: noise is not a shaft
        InstrumentDetection atEnd = detection(TIP, 0, 0.2f);
        new NeedleTipEvidence().refine(pixels(px, 1), atEnd);
        assertThat(Math.hypot(atEnd.tipX - (EX + TIP * UX), atEnd.tipY - (EY + TIP * UY))).isLessThan(8);
    }

    @Test
    void anUnsureNeedleEndsWithinTheFrame() {
        // the line runs out of the picture: the tip stops at the frame's edge, never beyond it
        byte[] px = frame(40, false, 2000);
        InstrumentDetection d = detection(TIP, 0, 0.2f);
        assertThat(new NeedleTipEvidence().refine(pixels(px, 1), d)).isTrue();
        assertThat(d.tipX).isBetween(0f, 12f); // at 15 degrees the line leaves through the left side
        assertThat(d.tipY).isBetween(0f, (float) H);
    }

    @Test
    void colourFramesReadAsTheirGrey() {
        byte[] grey = frame(40, false);
        byte[] bgr = new byte[grey.length * 3];
        for (int i = 0; i < grey.length; i++) {
            bgr[3 * i] = grey[i];
            bgr[3 * i + 1] = grey[i];
            bgr[3 * i + 2] = grey[i];
        }
        InstrumentDetection a = detection(TIP + 60, 0);
        InstrumentDetection b = detection(TIP + 60, 0);
        new NeedleTipEvidence().refine(pixels(grey, 1), a);
        new NeedleTipEvidence().refine(pixels(bgr, 3), b);
        assertThat(b.tipX).isCloseTo(a.tipX, within(1e-3f));
        assertThat(b.tipY).isCloseTo(a.tipY, within(1e-3f));
    }

    @Test
    void selectFindsTheOrderStatistic() {
        Random r = new Random(3);
        for (int n = 1; n < 60; n++) {
            float[] a = new float[n + 5];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextInt(7); // many ties
            }
            float[] sorted = Arrays.copyOf(a, n);
            Arrays.sort(sorted);
            int k = r.nextInt(n);
            assertThat(NeedleTipEvidence.select(a, n, k)).isEqualTo(sorted[k]);
        }
    }

    /** Grey 60 with noise (+-25), a 5-px line of {@code contrast} to the tip, and optionally the band beyond it. */
    private static byte[] frame(int contrast, boolean band) {
        return frame(contrast, band, TIP);
    }

    /** As above with the line {@code length} px long from the entry (past the frame's edge when long enough). */
    private static byte[] frame(int contrast, boolean band, double length) {
        Random r = new Random(7);
        byte[] px = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double t = (x - EX) * UX + (y - EY) * UY;    // along the needle
                double o = -(x - EX) * UY + (y - EY) * UX;   // across it (the band's side positive)
                double v = 60 + r.nextGaussian() * 12;
                if (t >= 0 && t <= length && Math.abs(o) <= 2.5) {
                    v += contrast;
                }
                if (band && t > TIP - 30 && Math.abs(o - 8) <= 3) {
                    v += 45; // a bright band 6 px wide, 8 px beside the needle's line
                }
                px[y * W + x] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
            }
        }
        return px;
    }

    private static GreyPixels pixels(byte[] px, int bytesPerPixel) {
        return new GreyPixels().wrap(ByteBuffer.wrap(px), W, H, W * bytesPerPixel, bytesPerPixel);
    }

    /** The network's needle from the entry to {@code tipAlong}, its far end {@code drop} px off the true line (towards the band). */
    private static InstrumentDetection detection(double tipAlong, double drop) {
        return detection(tipAlong, drop, 0.9f);
    }

    /** As above, with the network's confidence (under 0.5: shown unsure). */
    private static InstrumentDetection detection(double tipAlong, double drop, float confidence) {
        InstrumentDetection d = new InstrumentDetection();
        double nx = -UY;
        double ny = UX;
        d.set((byte) 1, (float) EX, (float) EY, (float) (EX + tipAlong * UX + drop * nx),
                (float) (EY + tipAlong * UY + drop * ny), confidence);
        return d;
    }
}
