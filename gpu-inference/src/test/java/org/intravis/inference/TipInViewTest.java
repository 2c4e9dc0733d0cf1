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
}
