package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NeedleLocatorTest {
    private static final int W = 256;
    private static final int H = 256;
    private static final int PLANE = W * H;

    @Test
    void theTipIsTheShaftEndFartherFromTheBorderItEntersFrom() {
        float[] probs = new float[2 * PLANE];
        Masks.fillSegment(probs, 0, W, H, 0, 40, 150, 120, 1.5, 0.9f); // enters from the left border
        Masks.gaussian(probs, PLANE, W, H, 150, 120, 2.0, 0.2f);          // a weak peak: below the threshold
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.kind).isEqualTo(Annotations.INSTRUMENT_NEEDLE);
        Masks.assertTip(d, 150f, 120f, 1.5f);
        Masks.assertEntry(d, 0f, 40f, 1.5f);
        assertThat(d.refined).isFalse(); // no peak: the tip is the shaft's end
        assertThat(d.confidence).isCloseTo(0.9f * d.tipPeak, within(1e-4f)); // unconfirmed: mask x peak, low
        // an empty tip map: mask x peak = 0, no support at all: still reported, as low confidence as can be
        float[] noPeak = new float[2 * PLANE];
        Masks.fillSegment(noPeak, 0, W, H, 0, 40, 150, 120, 1.5, 0.9f);
        assertThat(locator.locate(noPeak, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.confidence).isZero();
        assertThat(locator.locate(probs, 0, 0.5, -1, 0.3, d)).isTrue(); // no heat map at all: the mask's own
        assertThat(d.confidence).isCloseTo(0.9f, within(1e-4f));

        // the same shaft entering from the bottom: the upper end is the tip even though it is nearer the top
        float[] up = new float[2 * PLANE];
        Masks.fillSegment(up, 0, W, H, 200, 255, 180, 30, 1.5, 0.9f);
        assertThat(locator.locate(up, 0, 0.5, -1, 0.3, d)).isTrue();
        Masks.assertTip(d, 180f, 30f, 1.5f);
    }

    @Test
    void anUnconfirmedNeedlesTipIsItsDeeperEnd() {
        // the far part of a flat needle that entered at the left, its mask ending 5 px from the right border: by the
        // border rule it would enter from the right and point up; a needle only goes deeper as it advances
        float[] probs = new float[2 * PLANE];
        Masks.fillSegment(probs, 0, W, H, 120, 60, 250, 90, 1.5, 0.9f);
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue(); // a tip map without a peak
        Masks.assertTip(d, 250f, 90f, 1.5f);
        Masks.assertEntry(d, 120f, 60f, 1.5f);
        // nearly level (under 5 degrees): depth says little, the border rule decides as before
        float[] level = new float[2 * PLANE];
        Masks.fillSegment(level, 0, W, H, 120, 60, 250, 66, 1.5, 0.9f);
        assertThat(locator.locate(level, 0, 0.5, PLANE, 0.3, d)).isTrue();
        Masks.assertTip(d, 120f, 60f, 1.5f);
        // a confirming tip-map peak still decides: here at the shallower end (not a needle's way, but the map's)
        Masks.gaussian(probs, PLANE, W, H, 120, 60, 2.0, 0.9f);
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isTrue();
        Masks.assertTip(d, 120f, 60f, 1.5f);
    }

    @Test
    void theTipMovesToTheHeatMapPeakOnlyWhenItAgreesWithTheShaft() {
        float[] probs = new float[2 * PLANE];
        Masks.fillSegment(probs, 0, W, H, 0, 100, 120, 100, 1.5, 0.9f); // horizontal shaft, end at x = 120
        Masks.gaussian(probs, PLANE, W, H, 124.3, 100.0, 2.0, 0.8f);       // peak 4.3 px further along the shaft
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isTrue();
        assertThat(d.tipX).isCloseTo(124.3f, within(0.5f));
        assertThat(d.tipY).isCloseTo(100f, within(0.3f));
        assertThat(d.confidence).isCloseTo((0.9f + d.tipPeak) / 2, within(1e-4f));

        // a peak off the shaft line (10 px to the side) does not move the tip
        float[] off = new float[2 * PLANE];
        Masks.fillSegment(off, 0, W, H, 0, 100, 120, 100, 1.5, 0.9f);
        Masks.gaussian(off, PLANE, W, H, 118, 107, 2.0, 0.9f);
        assertThat(locator.locate(off, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isFalse();
        assertThat(d.tipX).isCloseTo(120f, within(1.5f));

        // a peak too weak for the sidecar's threshold does not either
        float[] weak = new float[2 * PLANE];
        Masks.fillSegment(weak, 0, W, H, 0, 100, 120, 100, 1.5, 0.9f);
        Masks.gaussian(weak, PLANE, W, H, 124, 100, 2.0, 0.2f);
        assertThat(locator.locate(weak, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isFalse();
        assertThat(d.confidence).isCloseTo(0.9f * d.tipPeak, within(1e-4f)).isLessThan(0.5f);
    }

    @Test
    void aStrongPeakOnTheShaftsLineBeyondABrokenMaskIsTheTip() {
        // the mask stops at x = 80 (the shaft faded out); the tip map fires on the same line at x = 150
        float[] probs = new float[2 * PLANE];
        Masks.fillSegment(probs, 0, W, H, 0, 60, 80, 100, 1.5, 0.9f);
        Masks.gaussian(probs, PLANE, W, H, 150, 135, 2.0, 0.9f);
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isTrue();
        Masks.assertTip(d, 150f, 135f, 0.5f);
        assertThat(d.entryX).isCloseTo(0f, within(1.5f));

        // the same peak well off the line (30 px below it) is something else: the tip stays at the mask's end
        // (where a weak peak leaves it reported, as low confidence)
        float[] off = new float[2 * PLANE];
        Masks.fillSegment(off, 0, W, H, 0, 60, 80, 100, 1.5, 0.9f);
        Masks.gaussian(off, PLANE, W, H, 150, 165, 2.0, 0.9f);
        Masks.gaussian(off, PLANE, W, H, 80, 100, 2.0, 0.2f);
        assertThat(locator.locate(off, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isFalse();
        assertThat(d.tipX).isCloseTo(80f, within(1.5f));
    }

    /**
     * A real needle's mask often runs on into a bright tissue band it meets at another angle, or picks up a
     * collinear speck beyond a long gap: the shaft is the straight part, and the tip is where it ends.
     */
    @Test
    void theShaftIsTheStraightPartNotTheBandItRunsIntoNorACollinearSpeck() {
        float[] probs = new float[2 * PLANE];
        Masks.fillSegment(probs, 0, W, H, 255, 40, 100, 100, 1.5, 0.9f); // from the right border to (100, 100)
        Masks.fillSegment(probs, 0, W, H, 100, 100, 40, 104, 1.5, 0.9f); // then along a band, nearly horizontal
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(locator.locate(probs, 0, 0.5, -1, 0.3, d)).isTrue();
        // within a few pixels of the bend (the band's first pixels are still within the shaft's width; a plain
        // principal-axis fit puts the tip 60 px along the band)
        assertThat(d.tipX).isCloseTo(100f, within(5f));
        assertThat(d.tipY).isCloseTo(100f, within(3f));
        assertThat(d.entryX).isCloseTo(255f, within(2f));

        float[] speck = new float[2 * PLANE];
        Masks.fillSegment(speck, 0, W, H, 0, 50, 120, 110, 1.5, 0.9f);   // from the left border to (120, 110)
        Masks.fillSegment(speck, 0, W, H, 141, 120.5, 150, 125, 1.5, 0.9f); // same line, after a 23 px gap
        Masks.fillSegment(speck, 0, W, H, 120, 110, 141, 120.5, 0.4, 0.9f); // joined by a hair (one component)
        for (int i = 0; i < PLANE; i++) { // the hair is below the threshold: a gap in the mask
            int x = i % W;
            if (x > 123 && x < 138) {
                speck[i] = Math.min(speck[i], 0.4f);
            }
        }
        assertThat(locator.locate(speck, 0, 0.5, -1, 0.3, d)).isTrue();
        assertThat(d.tipX).isCloseTo(120f, within(2f));
    }

    /** A short bright streak confirmed by the tip map is still not a sure needle: its confidence grows with length. */
    @Test
    void aShortShaftIsShownWithLessConfidenceThanALongOne() {
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        float[] longShaft = new float[2 * PLANE];
        Masks.fillSegment(longShaft, 0, W, H, 255, 60, 180, 90, 1.5, 0.9f); // 81 px from the right border
        Masks.gaussian(longShaft, PLANE, W, H, 180, 90, 2.0, 0.9f);
        assertThat(locator.locate(longShaft, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.confidence).isCloseTo((0.9f + d.tipPeak) / 2, within(1e-4f)); // full
        float[] shortShaft = new float[2 * PLANE];
        Masks.fillSegment(shortShaft, 0, W, H, 255, 60, 232, 69, 1.5, 0.9f); // 25 px
        Masks.gaussian(shortShaft, PLANE, W, H, 232, 69, 2.0, 0.9f);
        assertThat(locator.locate(shortShaft, 0, 0.5, PLANE, 0.3, d)).isTrue();
        double length = Math.hypot(d.tipX - d.entryX, d.tipY - d.entryY);
        assertThat(d.confidence).isCloseTo((float) ((0.9f + d.tipPeak) / 2 * (length - 16) / 24), within(1e-3f))
                .isLessThan(0.5f);
    }

    /**
     * The shaft's length is judged in the picture's own size: the needle of a picture that fills half the frame's
     * width and height (a capture frame with wide margins) spans half the grid pixels, and is as sure as the same
     * needle in a picture filling the frame once the locator knows the picture's share.
     */
    @Test
    void aShaftIsJudgedInThePicturesOwnSize() {
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        float[] probs = new float[2 * PLANE];
        // in a picture spanning x 64..192, y 64..192: a 28 px shaft from its right edge (56 px in that picture's size)
        Masks.fillSegment(probs, 0, W, H, 191, 94, 165, 104, 1.5, 0.9f);
        Masks.gaussian(probs, PLANE, W, H, 165, 104, 2.0, 0.9f);
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        float full = (0.9f + d.tipPeak) / 2;
        assertThat(d.confidence).as("judged in the frame's grid: a short streak").isLessThan(full * 0.6f);
        ContentBox half = new ContentBox();
        half.set(128, 128, 384, 384, 512); // grid 64..192 of 256
        locator.picture(half);
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.confidence).as("judged in the picture's size").isCloseTo(full, within(1e-4f));
        locator.picture(null);
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.confidence).isLessThan(full * 0.6f);
    }

    /**
     * The border a needle enters from is the picture's: in a capture frame whose picture fills its right part, a needle
     * entering from the picture's left edge has its tip nearer the frame's right border than its entry is to any
     * frame border, so judged by the frame's borders the ends swap.
     */
    @Test
    void theEntryIsJudgedFromThePicturesBorders() {
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        float[] probs = new float[PLANE];
        Masks.fillSegment(probs, 0, W, H, 128, 100, 230, 150, 1.5, 0.9f); // no tip map: the border rule decides
        assertThat(locator.locate(probs, 0, 0.5, -1, 0.3, d)).isTrue();
        assertThat(d.tipX).as("judged by the frame's borders").isCloseTo(128f, within(3f));
        ContentBox right = new ContentBox();
        right.set(256, 0, 512, 400, 512); // grid x 128..255, y 0..199 of 256
        locator.picture(right);
        assertThat(locator.locate(probs, 0, 0.5, -1, 0.3, d)).isTrue();
        assertThat(d.tipX).as("judged by the picture's").isCloseTo(230f, within(3f));
        assertThat(d.entryX).isCloseTo(128f, within(3f));
    }

    @Test
    void blobsAndSpecksAreNotNeedles() {
        float[] probs = new float[PLANE];
        Masks.fillCircle(probs, 0, W, H, 128, 128, 12, 0.9f);
        NeedleLocator locator = new NeedleLocator(W, H);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(locator.locate(probs, 0, 0.5, -1, 0.3, d)).isFalse();
        assertThat(d.found).isFalse();
        float[] speck = new float[PLANE];
        Masks.fillRect(speck, 0, W, 10, 10, 11, 11, 0.9f);
        assertThat(locator.locate(speck, 0, 0.5, -1, 0.3, d)).isFalse();
        assertThat(locator.locate(new float[PLANE], 0, 0.5, -1, 0.3, d)).isFalse();
    }

    @Test
    void theLargestComponentIsTheNeedle() {
        float[] probs = new float[PLANE];
        Masks.fillSegment(probs, 0, W, H, 255, 200, 100, 60, 1.5, 0.9f); // from the right border
        Masks.fillSegment(probs, 0, W, H, 20, 20, 40, 20, 1.0, 0.9f);     // a short distractor
        InstrumentDetection d = new InstrumentDetection();
        assertThat(new NeedleLocator(W, H).locate(probs, 0, 0.5, -1, 0.3, d)).isTrue();
        Masks.assertTip(d, 100f, 60f, 1.5f);
    }

    @Test
    void theGroundTruthRuleOnABinaryMaskAtAnotherResolution() {
        int w = 512;
        int h = 384;
        float[] plane = new float[w * h];
        Masks.fillSegment(plane, 0, w, h, 511, 50, 300, 250, 2.5, 1f); // from the right border
        InstrumentDetection d = new InstrumentDetection();
        assertThat(new NeedleLocator(w, h).locateInMask(Masks.binary(plane, 0, w * h), d)).isTrue();
        Masks.assertTip(d, 300f, 250f, 2f);
        assertThat(d.confidence).isEqualTo(1f);
    }

    /**
     * A labelled mask drawn in pieces (a labeller leaves a faint stretch out) is scored to the far piece's end: every
     * labelled pixel is needle. Before, the truth's tip was the end of the largest piece, 110 px short here, and a
     * model that found the real tip was charged that error. A labelled blob off the needle's line is still not shaft.
     */
    @Test
    void aLabelledMaskInPiecesIsScoredToItsFarEnd() {
        int w = 512;
        int h = 384;
        float[] plane = new float[w * h];
        Masks.fillSegment(plane, 0, w, h, 511, 50, 380, 174, 2.5, 1f);  // from the right border, the larger piece
        Masks.fillSegment(plane, 0, w, h, 372, 182, 300, 250, 2.5, 1f); // past a gap of about 11 px
        Masks.fillSegment(plane, 0, w, h, 60, 330, 90, 330, 3.0, 1f);   // something else labelled, off the line
        InstrumentDetection d = new InstrumentDetection();
        assertThat(new NeedleLocator(w, h).locateInMask(Masks.binary(plane, 0, w * h), d)).isTrue();
        Masks.assertTip(d, 300f, 250f, 2.5f);
        assertThat(Math.hypot(d.entryX - 511, d.entryY - 50)).isLessThan(3.0);
    }
}
