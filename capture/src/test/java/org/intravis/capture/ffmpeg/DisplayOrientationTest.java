package org.intravis.capture.ffmpeg;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.av_display_matrix_flip;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_set;

/**
 * Display matrices made by FFmpeg's own {@code av_display_rotation_set} (a clockwise turn; its
 * {@code av_display_rotation_get} gives the angle back counterclockwise, as {@code ffprobe} prints it) read as the
 * quarter turns {@link TurnedVideoTest} checks against the command line's pictures; an angle that is
 * no quarter turn is left as stored and given for the log; no matrix, or a degenerate one, is upright.
 */
class DisplayOrientationTest {
    @BeforeAll
    static void ffmpeg() {
        FfmpegLibrary.init();
    }

    private static int[] turned(double clockwise) {
        int[] m = new int[9];
        av_display_rotation_set(m, clockwise);
        return m;
    }

    @Test
    void quarterTurnsAndNearlyQuarterTurns() {
        assertThat(DisplayOrientation.of(turned(90))).isEqualTo(DisplayOrientation.CLOCKWISE);
        assertThat(DisplayOrientation.of(turned(-90))).isEqualTo(DisplayOrientation.COUNTERCLOCKWISE);
        assertThat(DisplayOrientation.of(turned(180))).isEqualTo(DisplayOrientation.UPSIDE_DOWN);
        assertThat(DisplayOrientation.of(turned(0))).isEqualTo(DisplayOrientation.UPRIGHT);
        assertThat(DisplayOrientation.of(turned(89.6))).as("rounded as FFmpeg rounds it")
                .isEqualTo(DisplayOrientation.CLOCKWISE);
        assertThat(DisplayOrientation.of(turned(270))).isEqualTo(DisplayOrientation.COUNTERCLOCKWISE);
        for (double a : new double[] {0, 90, -90, 180, 89.6}) {
            assertThat(DisplayOrientation.oddAngle(turned(a))).as("%s degrees", a).isNaN();
        }
    }

    @Test
    void mirrorings() {
        int[] h = turned(0);
        av_display_matrix_flip(h, 1, 0);
        assertThat(DisplayOrientation.of(h)).isEqualTo(DisplayOrientation.MIRRORED);
        int[] v = turned(0);
        av_display_matrix_flip(v, 0, 1);
        assertThat(DisplayOrientation.of(v)).isEqualTo(DisplayOrientation.FLIPPED);
        int[] both = turned(0);
        av_display_matrix_flip(both, 1, 1);
        assertThat(DisplayOrientation.of(both)).isEqualTo(DisplayOrientation.UPSIDE_DOWN);
    }

    @Test
    void anotherAngleIsLeftAsStoredAndSaid() {
        assertThat(DisplayOrientation.of(turned(30))).isEqualTo(DisplayOrientation.UPRIGHT);
        assertThat(DisplayOrientation.oddAngle(turned(30))).isCloseTo(30, org.assertj.core.data.Offset.offset(0.01));
        assertThat(DisplayOrientation.oddAngle(turned(-45))).isCloseTo(315, org.assertj.core.data.Offset.offset(0.01));
        assertThat(DisplayOrientation.of(turned(135))).isEqualTo(DisplayOrientation.UPRIGHT);
    }

    @Test
    void noMatrixOrADegenerateOneIsUpright() {
        assertThat(DisplayOrientation.of(null)).isEqualTo(DisplayOrientation.UPRIGHT);
        assertThat(DisplayOrientation.of(new int[4])).isEqualTo(DisplayOrientation.UPRIGHT);
        assertThat(DisplayOrientation.of(new int[9])).isEqualTo(DisplayOrientation.UPRIGHT);
        assertThat(DisplayOrientation.oddAngle(new int[9])).isNaN();
        assertThat(DisplayOrientation.oddAngle(null)).isNaN();
    }
}
