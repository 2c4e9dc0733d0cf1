package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TipInViewTest {
    private static InstrumentDetection needle(float tipX, float tipY, float confidence) {
        InstrumentDetection d = new InstrumentDetection();
        d.set(Annotations.INSTRUMENT_NEEDLE, 100, 40, tipX, tipY, confidence);
        return d;
    }

    @Test
    void aSureTipOnTheFramesBorderIsShownAsUnsure() {
        InstrumentDetection d = needle(638.5f, 300, 0.8f); // 0.5 px from the right border of a 640 x 480 frame
        assertThat(TipInView.demoteTipOnBorder(d, null, 640, 480)).isTrue();
        assertThat(d.found).isTrue();
        assertThat(d.confidence).isEqualTo(0.4f).isLessThan((float) Annotations.LOW_CONFIDENCE);
        assertThat(d.tipX).isEqualTo(638.5f);
    }

    @Test
    void aSureTipInsideThePictureStaysSure() {
        InstrumentDetection d = needle(600, 300, 0.8f); // 39 px in: over 1 % of 640
        assertThat(TipInView.demoteTipOnBorder(d, null, 640, 480)).isFalse();
        assertThat(d.confidence).isEqualTo(0.8f);
    }

    @Test
    void theBorderIsThePicturesInsideACaptureFrame() {
        // a 720 x 440 capture whose picture is x 170..549, y 20..419 (the simulator's layout) on a 512 grid
        ContentBox box = new ContentBox();
        box.set(Math.round(170 * 512 / 720f), Math.round(20 * 512 / 440f), Math.round(550 * 512 / 720f),
                Math.round(420 * 512 / 440f), 512);
        double right = box.x1() * 720.0 / 512 - 1;
        InstrumentDetection onPicturesEdge = needle((float) right - 1, 200, 0.7f);
        assertThat(TipInView.demoteTipOnBorder(onPicturesEdge, box, 720, 440)).isTrue();
        assertThat(onPicturesEdge.confidence).isLessThan((float) Annotations.LOW_CONFIDENCE);
        // the same place is well inside a frame that is all picture
        InstrumentDetection sameInWholeFrame = needle((float) right - 1, 200, 0.7f);
        assertThat(TipInView.demoteTipOnBorder(sameInWholeFrame, null, 720, 440)).isFalse();
        assertThat(sameInWholeFrame.confidence).isEqualTo(0.7f);
    }

    @Test
    void aSureNeedleOfFullConfidenceEndsUnderTheLine() {
        InstrumentDetection d = needle(10, 0, 1f); // on the top border
        assertThat(TipInView.demoteTipOnBorder(d, null, 640, 480)).isTrue();
        assertThat(d.confidence).isLessThan((float) Annotations.LOW_CONFIDENCE);
    }

    @Test
    void unsureOrAbsentNeedlesAreLeftAlone() {
        InstrumentDetection unsure = needle(0, 200, 0.3f);
        assertThat(TipInView.demoteTipOnBorder(unsure, null, 640, 480)).isFalse();
        assertThat(unsure.confidence).isEqualTo(0.3f);
        InstrumentDetection none = new InstrumentDetection();
        assertThat(TipInView.demoteTipOnBorder(none, null, 640, 480)).isFalse();
        assertThat(none.found).isFalse();
    }

    /**
     * Each side of the picture, to the pixel: 1 % of its larger side is the border. The box (100, 50)-(400, 450) of a
     * 512 grid over a 1024 x 512 frame is x 200..799, y 50..449 in frame pixels: 1 % of 599 is 5.99 px.
     */
    @Test
    void everySideOfThePictureHasTheSameBorder() {
        ContentBox box = new ContentBox();
        box.set(100, 50, 400, 450, 512);
        float[][] onTheBorder = {{205, 250}, {500, 55}, {794, 250}, {500, 444}};  // 5 px in from each side
        float[][] justInside = {{207, 250}, {500, 57}, {792, 250}, {500, 442}};   // 7 px in
        assertBorder(box, 1024, 512, onTheBorder, justInside);
        // the same box on its side (512 x 1024 frame, box (50, 100)-(450, 400)): x 50..449, y 200..799
        ContentBox tall = new ContentBox();
        tall.set(50, 100, 450, 400, 512);
        float[][] tallBorder = {{55, 500}, {250, 205}, {444, 500}, {250, 794}};
        float[][] tallInside = {{57, 500}, {250, 207}, {442, 500}, {250, 792}};
        assertBorder(tall, 512, 1024, tallBorder, tallInside);
        // the whole 640 x 480 frame: 1 % of 639 is 6.39 px, on all four sides
        float[][] frameBorder = {{6, 200}, {300, 6}, {633, 200}, {300, 473}};
        float[][] frameInside = {{6.8f, 200}, {300, 6.8f}, {632.2f, 200}, {300, 472.2f}};
        for (int i = 0; i < 4; i++) {
            assertThat(TipInView.demoteTipOnBorder(needle(frameBorder[i][0], frameBorder[i][1], 0.8f), null, 640, 480))
                    .as("side %d", i).isTrue();
            assertThat(TipInView.demoteTipOnBorder(needle(frameInside[i][0], frameInside[i][1], 0.8f), null, 640, 480))
                    .as("side %d", i).isFalse();
        }
    }

    private static void assertBorder(ContentBox box, int w, int h, float[][] onTheBorder, float[][] justInside) {
        for (float[] p : onTheBorder) {
            InstrumentDetection d = needle(p[0], p[1], 0.8f);
            assertThat(TipInView.demoteTipOnBorder(d, box, w, h)).as("%s,%s", p[0], p[1]).isTrue();
            InstrumentDetection whole = needle(p[0], p[1], 0.8f);
            assertThat(TipInView.demoteTipOnBorder(whole, null, w, h)).as("whole frame %s,%s", p[0], p[1]).isFalse();
        }
        for (float[] p : justInside) {
            InstrumentDetection d = needle(p[0], p[1], 0.8f);
            assertThat(TipInView.demoteTipOnBorder(d, box, w, h)).as("%s,%s", p[0], p[1]).isFalse();
            assertThat(d.confidence).isEqualTo(0.8f);
        }
    }

    /** A tip at exactly the low-confidence mark is a sure tip (it raises alerts), so on the border it is demoted. */
    @Test
    void aTipAtExactlyTheMarkIsSureAndDemoted() {
        InstrumentDetection d = needle(0, 200, (float) Annotations.LOW_CONFIDENCE);
        assertThat(TipInView.demoteTipOnBorder(d, null, 640, 480)).isTrue();
        assertThat(d.confidence).isLessThan((float) Annotations.LOW_CONFIDENCE);
    }
}
