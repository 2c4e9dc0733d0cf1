package org.intravis.capture.ffmpeg;

import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_core.transpose;

/**
 * How a video's stored pictures are turned or mirrored to be seen upright: a phone or tablet filming a scanner's
 * screen, and some exports, store the picture sideways with a display matrix saying so. Every player turns it
 * (FFmpeg's own command line by default); read as stored, the model would see the picture, and the needle, sideways.
 * The choice follows the FFmpeg command line's own rule for the matrix (its {@code autorotate}), so a file shows here
 * as it does there; angles other than quarter turns are left as stored (said in the log by the source).
 */
public enum DisplayOrientation {
    UPRIGHT(false),
    /** Turned a quarter clockwise (FFmpeg's {@code transpose=clock}). */
    CLOCKWISE(true),
    /** Turned a quarter counterclockwise ({@code transpose=cclock}). */
    COUNTERCLOCKWISE(true),
    /** Rows become columns ({@code transpose=cclock_flip}). */
    TRANSPOSED(true),
    /** Rows become columns the other way ({@code transpose=clock_flip}). */
    ANTI_TRANSPOSED(true),
    UPSIDE_DOWN(false),
    /** Left and right swapped ({@code hflip}). */
    MIRRORED(false),
    /** Top and bottom swapped ({@code vflip}). */
    FLIPPED(false);

    private final boolean swapsSides;

    DisplayOrientation(boolean swapsSides) {
        this.swapsSides = swapsSides;
    }

    /** Whether the picture's width and height trade places. */
    public boolean swapsSides() {
        return swapsSides;
    }

    /**
     * The orientation a display matrix ({@code AV_PKT_DATA_DISPLAYMATRIX}: nine 32-bit fixed-point numbers, row by
     * row) asks for; {@link #UPRIGHT} for none, or for an angle that is not a quarter turn (see {@link #oddAngle}).
     */
    public static DisplayOrientation of(int[] m) {
        if (m == null || m.length < 9) {
            return UPRIGHT;
        }
        double theta = angle(m);
        if (Double.isNaN(theta)) {
            return UPRIGHT;
        }
        if (Math.abs(theta - 90) < 1) {
            return m[3] > 0 ? TRANSPOSED : CLOCKWISE;
        }
        if (Math.abs(theta - 180) < 1) {
            boolean h = m[0] < 0;
            boolean v = m[4] < 0;
            return h && v ? UPSIDE_DOWN : h ? MIRRORED : v ? FLIPPED : UPRIGHT;
        }
        if (Math.abs(theta - 270) < 1) {
            return m[3] < 0 ? ANTI_TRANSPOSED : COUNTERCLOCKWISE;
        }
        if (Math.abs(theta) < 1 || Math.abs(theta - 360) < 1) {
            return m[4] < 0 ? FLIPPED : UPRIGHT;
        }
        return UPRIGHT;
    }

    /** The angle of a display matrix that is not near a quarter turn, in degrees clockwise; NaN when it is one. */
    public static double oddAngle(int[] m) {
        if (m == null || m.length < 9) {
            return Double.NaN;
        }
        double theta = angle(m);
        if (Double.isNaN(theta) || Math.abs(theta - 90 * Math.round(theta / 90)) < 1) {
            return Double.NaN;
        }
        return theta;
    }

    /** The clockwise turn in [0, 360) degrees, as FFmpeg's command line reads it; NaN for a degenerate matrix. */
    private static double angle(int[] m) {
        double r = av_display_rotation_get(m);
        if (Double.isNaN(r)) {
            return Double.NaN;
        }
        double theta = -Math.rint(r);
        return theta - 360 * Math.floor(theta / 360 + 0.9 / 360);
    }

    /**
     * Writes {@code stored} turned into {@code shown}, whose size is the turned one ({@link #swapsSides});
     * {@code stored} may be changed (an anti-transpose mirrors it in place first). Not for {@link #UPRIGHT}.
     */
    void apply(Mat stored, Mat shown) {
        switch (this) {
            case CLOCKWISE -> rotate(stored, shown, ROTATE_90_CLOCKWISE);
            case COUNTERCLOCKWISE -> rotate(stored, shown, ROTATE_90_COUNTERCLOCKWISE);
            case TRANSPOSED -> transpose(stored, shown);
            case ANTI_TRANSPOSED -> {
                flip(stored, stored, -1);
                transpose(stored, shown);
            }
            case UPSIDE_DOWN -> rotate(stored, shown, ROTATE_180);
            case MIRRORED -> flip(stored, shown, 1);
            case FLIPPED -> flip(stored, shown, 0);
            case UPRIGHT -> throw new IllegalStateException("nothing to turn");
        }
    }
}
