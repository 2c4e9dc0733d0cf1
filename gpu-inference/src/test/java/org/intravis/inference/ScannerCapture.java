package org.intravis.inference;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * A picture as another scanner's capture card shows it, for tests, drawn as {@code training/make_needle_variants.py}
 * draws its variants so that the tests and the model card's robustness table see the same frames: fitted into 720x440
 * (aspect kept) with black margins and, optionally, burned-in graphics ("letterbox": depth dots and scale ticks beside
 * the picture, a probe/preset label and a depth label in the margins), or a scanner's whole screen at 1280x720
 * ("screen": the picture between a title bar and a toolbar of labelled keys, a depth scale right beside it).
 */
final class ScannerCapture {
    static final int WIDTH = 720;
    static final int HEIGHT = 440;

    private ScannerCapture() {
    }

    /** A new 720x440 grey frame holding {@code picture} resized with {@code interpolation}; the caller closes it. */
    static Mat letterbox(Mat picture, int interpolation, boolean graphics) {
        double s = Math.min((double) WIDTH / picture.cols(), (double) HEIGHT / picture.rows());
        int nw = (int) Math.round(picture.cols() * s);
        int nh = (int) Math.round(picture.rows() * s);
        int x0 = (WIDTH - nw) / 2;
        int y0 = (HEIGHT - nh) / 2;
        Mat canvas = placed(picture, interpolation, WIDTH, HEIGHT, x0, y0, nw, nh);
        if (!graphics) {
            return canvas;
        }
        for (int k = 0, y = y0 + 20; y < y0 + nh - 5; k++, y += 40) {
            circle(canvas, new Point(x0 + nw + 12, y), k % 2 == 0 ? 3 : 2, grey(230), -1, LINE_8, 0);
            line(canvas, new Point(x0 - 14, y), new Point(x0 - 6, y), grey(200), 1, LINE_8, 0);
        }
        putText(canvas, "L15 HD 12MHz", new Point(6, 18), FONT_HERSHEY_SIMPLEX, 0.45, grey(220), 1, LINE_AA, false);
        putText(canvas, "4.0cm", new Point(x0 + nw + 4, HEIGHT - 10), FONT_HERSHEY_SIMPLEX, 0.4, grey(220), 1, LINE_AA,
                false);
        putText(canvas, "G 55  DR 60", new Point(6, HEIGHT - 10), FONT_HERSHEY_SIMPLEX, 0.4, grey(200), 1, LINE_AA, false);
        return canvas;
    }

    static final int SCREEN_WIDTH = 1280;
    static final int SCREEN_HEIGHT = 720;
    private static final int BAR = 56;
    private static final int BAR_GAP = 8;

    /** A new 1280x720 grey frame: {@code picture} as a scanner's screen shows it; the caller closes it. */
    static Mat screen(Mat picture, int interpolation, boolean graphics) {
        double s = (double) (SCREEN_HEIGHT - 2 * BAR - 2 * BAR_GAP) / picture.rows();
        int nw = (int) Math.round(picture.cols() * s);
        int nh = (int) Math.round(picture.rows() * s);
        int x0 = (SCREEN_WIDTH - nw) / 2;
        int y0 = BAR + BAR_GAP;
        Mat canvas = placed(picture, interpolation, SCREEN_WIDTH, SCREEN_HEIGHT, x0, y0, nw, nh);
        if (!graphics) {
            return canvas;
        }
        putText(canvas, "ANON  ID 0000000   04/12/2026 18:52   L15 NERVE   MI 0.9  TIs 0.2   FR 30", new Point(20, 36),
                FONT_HERSHEY_SIMPLEX, 0.75, grey(225), 2, LINE_AA, false);
        String[] keys = {"FREEZE", "GAIN 55", "DEPTH 4.0", "FOCUS", "ZOOM", "COLOR", "SAVE", "MENU"};
        for (int k = 0; k < keys.length; k++) {
            int x = 20 + k * 155;
            rectangle(canvas, new Point(x, SCREEN_HEIGHT - 48), new Point(x + 140, SCREEN_HEIGHT - 10), grey(170), 2,
                    LINE_8, 0);
            putText(canvas, keys[k], new Point(x + 12, SCREEN_HEIGHT - 21), FONT_HERSHEY_SIMPLEX, 0.6, grey(215), 1,
                    LINE_AA, false);
        }
        for (int k = 0, y = y0 + 10; y < y0 + nh; k++, y += 50) {
            line(canvas, new Point(x0 + nw + 6, y), new Point(x0 + nw + 18, y), grey(200), 2, LINE_8, 0);
            putText(canvas, Integer.toString(k), new Point(x0 + nw + 24, y + 5), FONT_HERSHEY_SIMPLEX, 0.5, grey(200), 1,
                    LINE_AA, false);
        }
        return canvas;
    }

    /** A new black {@code width x height} frame with {@code picture} resized into the {@code nw x nh} at (x0, y0). */
    private static Mat placed(Mat picture, int interpolation, int width, int height, int x0, int y0, int nw, int nh) {
        Mat canvas = new Mat(height, width, CV_8UC1, new Scalar(0.0));
        try (Rect r = new Rect(x0, y0, nw, nh); Mat inside = new Mat(canvas, r)) {
            resize(picture, inside, new Size(nw, nh), 0, 0, interpolation);
        }
        return canvas;
    }

    private static Scalar grey(double level) {
        return new Scalar(level, level, level, 0);
    }
}
